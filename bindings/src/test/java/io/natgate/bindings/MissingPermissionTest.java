package io.natgate.bindings;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Opening a live backend without CAP_NET_RAW fails with the library's own explanation. The probe
 * runs in a child JVM started through {@code setpriv} with every capability dropped (the test
 * itself runs as root on CI).
 */
class MissingPermissionTest
{
    @Test
    void shouldExplainMissingPermissionForPcapAfPacketAndAfXdp() throws Exception
    {
        final String output = ChildJvm.run(
            List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"),
            PermissionProbe.class);

        final List<String> lines = output.lines().filter(l -> l.startsWith("pcap ") || l.startsWith("afpacket ") ||
            l.startsWith("afxdp ")).toList();
        assertEquals(List.of(
            "pcap PcapException: pcap_activate(lo): You don't have permission to perform this capture on that device " +
                "(socket: Operation not permitted)",
            "afpacket LinuxException: socket(AF_PACKET, SOCK_RAW) for lo: Operation not permitted (EPERM): " +
                "needs root or CAP_NET_RAW",
            "afxdp LinuxException: xsk_umem__create(8388608 bytes): Operation not permitted (EPERM): AF_XDP needs " +
                "root, or CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (CAP_SYS_ADMIN before Linux 5.8), to load the XDP " +
                "program and open the socket"),
            lines, output);
    }
}
