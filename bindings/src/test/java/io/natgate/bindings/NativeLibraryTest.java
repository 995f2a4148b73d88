package io.natgate.bindings;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeLibraryTest
{
    @Test
    void shouldReportMissingLibraryWithInstallHintInsteadOfFailingClassInitialisation()
    {
        final NativeLibrary missing = NativeLibrary.load("libnatgate-absent", "install natgate-absent (apt-get install x)",
            List.of("libnatgate-absent.so.7", "/nonexistent/libnatgate-absent.so"));
        final MethodHandle handle = missing.downcall("absent_call", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        assertFalse(missing.isAvailable());
        final NativeLibraryUnavailableException up = assertThrows(NativeLibraryUnavailableException.class,
            missing::ensureAvailable);
        assertEquals("libnatgate-absent not found (tried libnatgate-absent.so.7, /nonexistent/libnatgate-absent.so " +
            "(no such file)): install natgate-absent (apt-get install x)", up.getMessage());
        final NativeLibraryUnavailableException onCall = assertThrows(NativeLibraryUnavailableException.class,
            () -> { final int ignored = (int)handle.invokeExact(1); });
        assertEquals(up.getMessage(), onCall.getMessage());
    }

    @Test
    void shouldReportMissingSymbolOfLoadedLibrary()
    {
        final NativeLibrary libc = NativeLibrary.system("libc");
        final MethodHandle handle = libc.downcall("natgate_no_such_symbol", FunctionDescriptor.ofVoid());

        assertTrue(libc.isAvailable());
        assertFalse(libc.hasSymbol("natgate_no_such_symbol"));
        final NativeLibraryUnavailableException ex = assertThrows(NativeLibraryUnavailableException.class,
            () -> { handle.invokeExact(); });
        assertEquals("libc has no symbol natgate_no_such_symbol: a newer version is needed", ex.getMessage());
    }

    @Test
    void shouldDetectOperatingSystemFromOsName()
    {
        assertEquals(OperatingSystem.LINUX, OperatingSystem.detect("Linux"));
        assertEquals(OperatingSystem.WINDOWS, OperatingSystem.detect("Windows Server 2022"));
        assertEquals(OperatingSystem.MAC_OS, OperatingSystem.detect("Mac OS X"));
        assertEquals(OperatingSystem.OTHER, OperatingSystem.detect("FreeBSD"));
    }
}
