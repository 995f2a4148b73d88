package io.natgate.bindings.linux;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuAffinityTest
{
    @Test
    void shouldPinCallingThreadToTheGivenCpu() throws Exception
    {
        final AtomicReference<String> allowed = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            CpuAffinity.pinCurrentThread(List.of(0));
            try
            {
                final long tid = ProcessHandle.current().pid();
                final String status = Files.readString(Path.of("/proc/thread-self/status"));
                allowed.set(status.lines().filter(line -> line.startsWith("Cpus_allowed_list:"))
                    .findFirst().orElse("none") + " (pid " + tid + ")");
            }
            catch (final Exception ex)
            {
                allowed.set(ex.toString());
            }
        });
        thread.start();
        thread.join();
        assertTrue(allowed.get().startsWith("Cpus_allowed_list:\t0 "), allowed.get());
    }

    @Test
    void shouldRefuseCpuThatIsNotOnlineWithTheSystemsText()
    {
        final LinuxException error = assertThrows(LinuxException.class, () -> CpuAffinity.pinCurrentThread(List.of(1000)));
        assertEquals(LibC.EINVAL, error.errno());
        assertTrue(error.getMessage().contains("Invalid argument"), error.getMessage());
    }

    @Test
    void shouldRefuseCpuIdsOutsideTheMask()
    {
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(List.of(4096)));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(List.of()));
    }
}
