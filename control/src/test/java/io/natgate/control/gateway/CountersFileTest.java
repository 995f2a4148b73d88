package io.natgate.control.gateway;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersFileTest
{
    @TempDir
    Path directory;

    @Test
    void shouldLetAnotherMappingReadCountersTheGatewayWritesLive()
    {
        final Path path = directory.resolve("natgate.counters");
        try (CountersFile written = CountersFile.create(path, List.of("lan", "wan")))
        {
            try (CountersFile read = CountersFile.open(path))
            {
                assertEquals(List.of("lan", "wan"), read.portNames());
                assertEquals(ProcessHandle.current().pid(), read.pid());

                written.counters().add(1, PortCounter.RX_FRAMES, 42);
                written.counters().drop(0, DropReason.BAD_IP_CHECKSUM);
                written.counters().set(GlobalCounter.SESSIONS_ACTIVE, 7);

                assertEquals(42, read.counters().get(1, PortCounter.RX_FRAMES));
                assertEquals(1, read.counters().get(0, DropReason.BAD_IP_CHECKSUM));
                assertEquals(7, read.counters().get(GlobalCounter.SESSIONS_ACTIVE));
            }
        }
        assertFalse(Files.exists(path), "the gateway removes its file when it stops");
    }

    @Test
    void shouldSayNoGatewayIsRunningWhenThereIsNoFile()
    {
        final IllegalStateException error =
            assertThrows(IllegalStateException.class, () -> CountersFile.open(directory.resolve("none")));
        assertTrue(error.getMessage().contains("is a gateway running"), error.getMessage());
    }

    @Test
    void shouldRefuseAFileThatIsNotACountersFile() throws Exception
    {
        final Path path = directory.resolve("garbage");
        Files.write(path, new byte[4096]);
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> CountersFile.open(path));
        assertTrue(error.getMessage().contains("not a natgate counters file"), error.getMessage());
    }
}
