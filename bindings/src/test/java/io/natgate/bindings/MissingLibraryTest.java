package io.natgate.bindings;

import io.natgate.bindings.pcap.LibPcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without libpcap the binding class still loads and the first use says what to install. The
 * probe runs in a child JVM in a mount namespace of its own where an empty file is bind-mounted
 * over the library, so the host is untouched.
 */
class MissingLibraryTest
{
    @TempDir
    Path directory;

    @Test
    void shouldSayWhatToInstallWhenLibpcapIsMissing() throws Exception
    {
        assertTrue(LibPcap.LIBRARY.isAvailable(), "libpcap must be installed to hide it");
        final Path library = loadedLibpcap();
        final Path empty = Files.createFile(directory.resolve("empty.so"));

        final String output = ChildJvm.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount --bind \"$0\" \"$1\" && shift && exec \"$@\"", empty.toString(), library.toString()),
            MissingLibraryProbe.class);

        final List<String> lines = output.lines().filter(l -> l.startsWith("available ") || l.startsWith("open ")).toList();
        assertEquals(List.of(
            "available false",
            "open NativeLibraryUnavailableException: libpcap not found (tried libpcap.so.1, libpcap.so.0.8, libpcap.so): " +
                "install libpcap (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf install libpcap; " +
                "Alpine: apk add libpcap)"),
            lines, output);
    }

    /**
     * @return the file this JVM mapped for libpcap.
     */
    private static Path loadedLibpcap() throws Exception
    {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(line -> line.contains("libpcap"))
            .map(line -> Path.of(line.substring(line.indexOf('/'))))
            .findFirst()
            .orElseThrow()
            .toRealPath();
    }
}
