package io.natgate.datapath.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tests' checksum oracle against values nobody here computed: RFC 1071's worked example, a
 * published IPv4 header, and tcpdump's own checksum verification of packets it fills.
 */
class InternetChecksumTest
{
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path directory;

    @Test
    void shouldSumRfc1071sExample()
    {
        // RFC 1071 section 3: the one's complement sum of 0001 f203 f4f5 f6f7 is ddf2
        final byte[] data = HEX.parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, 0xFFFF & ~InternetChecksum.of(data, 0, data.length));
    }

    @Test
    void shouldComputeAPublishedIpv4HeaderChecksum()
    {
        // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, length 115: checksum b861 (the widely published example)
        final byte[] header = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, InternetChecksum.of(header, 0, header.length));
        header[10] = (byte)0xb8;
        header[11] = 0x61;
        assertTrue(InternetChecksum.ipv4HeaderValid(header, 0, 20));
    }

    @Test
    @Timeout(30)
    void shouldFillChecksumsTcpdumpVerifies() throws Exception
    {
        final byte[] udp = packet(17, HEX.parseHex("d431003500000000"), "abcdefghi");
        final byte[] tcp = packet(6, HEX.parseHex("d431" + "0050" + "00000001" + "00000000" + "5002" + "2000" + "0000" + "0000"), "GET /");
        final byte[] badUdp = udp.clone();
        badUdp[badUdp.length - 1] ^= 1;   // payload changed after the checksum was filled

        final String verdicts = tcpdump(List.of(udp, tcp, badUdp));

        final List<String> lines = verdicts.lines().filter(line -> line.contains("cksum") || line.contains("sum ok"))
            .toList();
        assertEquals(3, lines.size(), verdicts);
        assertTrue(lines.get(0).contains("udp sum ok"), lines.get(0));
        assertTrue(lines.get(1).contains("(correct)"), lines.get(1));
        assertTrue(lines.get(2).contains("bad udp cksum"), lines.get(2));
        assertTrue(InternetChecksum.transportValid(udp, 0) && InternetChecksum.transportValid(tcp, 0));
        assertFalse(InternetChecksum.transportValid(badUdp, 0));
    }

    /** An IPv4 packet 198.51.100.7 -> 203.0.113.1 with the transport header and payload, checksums filled. */
    private static byte[] packet(final int protocol, final byte[] transportHeader, final String payload)
    {
        final byte[] data = payload.getBytes(StandardCharsets.US_ASCII);
        final int length = 20 + transportHeader.length + data.length;
        final byte[] packet = new byte[length];
        System.arraycopy(HEX.parseHex("45000000" + "00004000" + "40000000" + "c6336407" + "cb007101"), 0, packet, 0, 20);
        packet[2] = (byte)(length >>> 8);
        packet[3] = (byte)length;
        packet[9] = (byte)protocol;
        System.arraycopy(transportHeader, 0, packet, 20, transportHeader.length);
        System.arraycopy(data, 0, packet, 20 + transportHeader.length, data.length);
        if (protocol == 17)
        {
            packet[24] = (byte)((length - 20) >>> 8);
            packet[25] = (byte)(length - 20);
        }
        InternetChecksum.fill(packet, 0);
        return packet;
    }

    /** Writes the packets to a raw-IP pcap file and returns what {@code tcpdump -vv} says of them. */
    private String tcpdump(final List<byte[]> packets) throws IOException, InterruptedException
    {
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(101);
        file.write(header.array());
        for (final byte[] packet : packets)
        {
            final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(1).putInt(0).putInt(packet.length).putInt(packet.length);
            file.write(record.array());
            file.write(packet);
        }
        final Path pcap = Files.write(directory.resolve("packets.pcap"), file.toByteArray());
        final Process tcpdump = new ProcessBuilder("tcpdump", "-nn", "-vv", "-r", pcap.toString())
            .redirectErrorStream(true).start();
        final String output = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tcpdump.waitFor(20, TimeUnit.SECONDS), "tcpdump did not finish");
        assertEquals(0, tcpdump.exitValue(), output);
        return output;
    }
}
