package io.natgate.bindings;

import io.natgate.bindings.afxdp.LibXdp;
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

        assertEquals(List.of(
            "available false",
            "open NativeLibraryUnavailableException: libpcap not found (tried libpcap.so.1, libpcap.so.0.8, libpcap.so): " +
                "install libpcap (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf install libpcap; " +
                "Alpine: apk add libpcap)"),
            probeWithout("libpcap", MissingLibraryProbe.class));
    }

    @Test
    void shouldSayWhatToInstallWhenLibxdpIsMissing() throws Exception
    {
        assertTrue(LibXdp.LIBRARY.isAvailable(), "libxdp must be installed to hide it");

        assertEquals(List.of(
            "available false",
            "open NativeLibraryUnavailableException: libxdp not found (tried libxdp.so.1, libxdp.so): " +
                "install libxdp and libbpf (Debian/Ubuntu: apt-get install libxdp1 libbpf1)"),
            probeWithout("libxdp", MissingLibXdpProbe.class));
    }

    /**
     * Runs the probe with an empty file bind-mounted over the library this JVM loaded.
     *
     * @return the probe's "available" and "open" lines.
     */
    private List<String> probeWithout(final String name, final Class<?> probe) throws Exception
    {
        final Path library = loaded(name);
        final Path empty = Files.createFile(directory.resolve("empty.so"));
        final String output = ChildJvm.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount --bind \"$0\" \"$1\" && shift && exec \"$@\"", empty.toString(), library.toString()), probe);
        return output.lines().filter(l -> l.startsWith("available ") || l.startsWith("open ")).toList();
    }

    /**
     * @return the file this JVM mapped for a library.
     */
    private static Path loaded(final String name) throws Exception
    {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(line -> line.contains(name))
            .map(line -> Path.of(line.substring(line.indexOf('/'))))
            .findFirst()
            .orElseThrow()
            .toRealPath();
    }
}
