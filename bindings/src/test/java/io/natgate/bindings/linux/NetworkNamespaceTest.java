package io.natgate.bindings.linux;

import io.natgate.bindings.testing.VethLab;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkNamespaceTest
{
    @Test
    void shouldMoveOnlyTheCallingThreadAndReturnItOnClose() throws Exception
    {
        final Path self = Path.of("/proc/thread-self/ns/net");
        final String before = Files.readSymbolicLink(self).toString();
        try (VethLab lab = VethLab.create())
        {
            try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
            {
                assertNotEquals(before, Files.readSymbolicLink(self).toString());
            }
            assertEquals(before, Files.readSymbolicLink(self).toString());
        }
    }

    @Test
    void shouldFailClearlyForMissingNamespace()
    {
        final LinuxException ex = assertThrows(LinuxException.class, () -> NetworkNamespace.enter("natgate-absent-ns"));

        assertEquals(2, ex.errno());
        assertEquals("open(/run/netns/natgate-absent-ns): No such file or directory (ENOENT): no such network namespace",
            ex.getMessage());
    }

    @Test
    void shouldRejectNamespaceNamesThatArePaths()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> NetworkNamespace.enter("../etc"));

        assertTrue(ex.getMessage().contains("../etc"));
    }
}
