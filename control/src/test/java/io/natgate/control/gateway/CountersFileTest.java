package io.natgate.control.gateway;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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

    @Test
    void shouldGiveEachWorkerAndTheSteeringASetOfItsOwnThatAnotherMappingReadsAndSums()
    {
        final Path path = directory.resolve("workers.counters");
        try (CountersFile written = CountersFile.create(path, List.of("lan", "wan", "cp0"), 2))
        {
            assertEquals(2, written.workers());
            assertEquals(3, written.setCount());
            written.workerCounters(0).add(0, PortCounter.RX_FRAMES, 100);
            written.workerCounters(0).add(0, PortCounter.TRANSLATED_OUT, 40);
            written.workerCounters(0).set(GlobalCounter.SESSIONS_ACTIVE, 3);
            written.workerCounters(1).add(0, PortCounter.TRANSLATED_OUT, 60);
            written.workerCounters(1).add(2, PortCounter.TX_FRAMES, 9);
            written.workerCounters(1).set(GlobalCounter.SESSIONS_ACTIVE, 5);
            written.workerCounters(1).drop(1, DropReason.NO_MAPPING);
            written.steeringCounters().drop(1, DropReason.NO_MAPPING);
            written.steeringCounters().increment(GlobalCounter.FRAGMENTS_BUFFERED);

            assertEquals(0, written.workerCounters(1).get(0, PortCounter.RX_FRAMES), "worker 0's write is its own");
            assertEquals(40, written.workerCounters(0).get(0, PortCounter.TRANSLATED_OUT));
            assertEquals(0, written.workerCounters(0).get(1, DropReason.NO_MAPPING));

            try (CountersFile read = CountersFile.open(path))
            {
                assertEquals(2, read.workers());
                assertEquals(List.of("lan", "wan", "cp0"), read.portNames());
                assertEquals(100, read.workerCounters(0).get(0, PortCounter.RX_FRAMES));
                assertEquals(60, read.workerCounters(1).get(0, PortCounter.TRANSLATED_OUT));
                assertEquals(9, read.workerCounters(1).get(2, PortCounter.TX_FRAMES));
                assertEquals(1, read.steeringCounters().get(1, DropReason.NO_MAPPING));
                assertEquals(List.of("0", "1", "rx"), List.of(read.setName(0), read.setName(1), read.setName(2)));

                final DatapathCounters total = read.total();
                assertEquals(100, total.get(0, PortCounter.RX_FRAMES));
                assertEquals(40 + 60, total.get(0, PortCounter.TRANSLATED_OUT));
                assertEquals(9, total.get(2, PortCounter.TX_FRAMES));
                assertEquals(3 + 5, total.get(GlobalCounter.SESSIONS_ACTIVE));
                assertEquals(2, total.get(1, DropReason.NO_MAPPING));
                assertEquals(1, total.get(GlobalCounter.FRAGMENTS_BUFFERED));
                assertEquals(0, total.get(0, DropReason.NO_MAPPING));
            }
        }
    }

    @Test
    void shouldStartEverySetOnACacheLineNoOtherSetWrites()
    {
        try (CountersFile file = CountersFile.create(directory.resolve("lines.counters"), List.of("lan", "wan"), 4))
        {
            final int lineBytes = 64;
            long previousLastLine = -1;
            for (int set = 0; set < file.setCount(); set++)
            {
                final DatapathCounters counters = file.set(set);
                final long start = address(counters);
                final long end = start + counters.buffer().capacity() - 1;
                assertEquals(0, start % lineBytes, "set " + set + " starts on a line");
                assertTrue(start / lineBytes > previousLastLine, "set " + set + " shares no line with the one before");
                previousLastLine = end / lineBytes;
            }
            assertEquals(4 + 1, file.setCount(), "one set per worker and the steering's");
        }
    }

    private static long address(final DatapathCounters counters)
    {
        return ((UnsafeBuffer)counters.buffer()).addressOffset();
    }

    @Test
    void shouldHaveNoSteeringSetWithOneWorker()
    {
        try (CountersFile file = CountersFile.create(directory.resolve("one.counters"), List.of("lan", "wan")))
        {
            file.counters().add(1, PortCounter.RX_FRAMES, 7);
            assertEquals(1, file.workers());
            assertEquals(1, file.setCount());
            assertNull(file.steeringCounters());
            assertSame(file.counters(), file.workerCounters(0));
            assertEquals(7, file.total().get(1, PortCounter.RX_FRAMES));
        }
    }

    @Test
    void shouldRefuseAVersionOneFileNamingBothVersions() throws Exception
    {
        final Path path = directory.resolve("v1.counters");
        final ByteBuffer v1 = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        v1.putLong(0, CountersFile.MAGIC).putInt(8, 1).putInt(12, 2).putLong(16, 4242L);
        Files.write(path, v1.array());

        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> CountersFile.open(path));

        assertTrue(error.getMessage().contains("is version 1"), error.getMessage());
        assertTrue(error.getMessage().contains("reads version 2"), error.getMessage());
        assertTrue(error.getMessage().contains("pid 4242"), error.getMessage());
    }
}
