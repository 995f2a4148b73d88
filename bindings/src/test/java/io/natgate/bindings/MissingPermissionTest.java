package io.natgate.bindings;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening a live backend without CAP_NET_RAW fails with the library's own explanation. The probe
 * runs in a child JVM started through {@code setpriv} with every capability dropped (the test
 * itself runs as root on CI).
 */
class MissingPermissionTest
{
    @Test
    void shouldExplainMissingPermissionForPcapAndAfPacket() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process probe = new ProcessBuilder(List.of(
            "setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--",
            java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            PermissionProbe.class.getName()))
            .redirectErrorStream(true)
            .start();
        final String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, probe.exitValue(), output);

        final List<String> lines = output.lines().filter(l -> l.startsWith("pcap ") || l.startsWith("afpacket ")).toList();
        assertEquals(List.of(
            "pcap PcapException: pcap_activate(lo): You don't have permission to perform this capture on that device " +
                "(socket: Operation not permitted)",
            "afpacket LinuxException: socket(AF_PACKET, SOCK_RAW) for lo: Operation not permitted (EPERM): " +
                "needs root or CAP_NET_RAW"),
            lines, output);
    }
}
