package io.natgate.control.export;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabProcess;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPFIX encoder checked against decoders nobody here wrote: Wireshark's IPFIX dissector (tshark) reads every
 * template and record, the message split, sequence numbers and template refresh; nfdump's collector (nfcapd)
 * receives them over UDP and nfdump prints the NAT events with their endpoints.
 */
@Timeout(120)
class IpfixExporterTest
{
    private static final int INSIDE = Ipv4.parse("10.0.0.2");
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int REMOTE = Ipv4.parse("198.51.100.7");
    private static final int COLLECTOR_PORT = 4739;
    private static final long T = 1_767_225_600_123L; // 2026-01-01T00:00:00.123Z

    private final Path directory = LabFiles.temporaryDirectory("natgate-ipfix-test");
    private final Recording recording = new Recording();

    @AfterEach
    void deleteDirectory()
    {
        LabFiles.deleteRecursively(directory);
    }

    private IpfixExporter exporter(final long refreshMs)
    {
        return new IpfixExporter(recording, List.of(new Ipv4Endpoint(0x7f00_0001, COLLECTOR_PORT)), 7, refreshMs, 3,
            "pool-a");
    }

    private List<Map<String, String>> tshark(final String... fields)
    {
        final Path pcap = IpfixDecoders.pcap(directory.resolve("export.pcap"), recording.datagrams, COLLECTOR_PORT);
        assertEquals("", IpfixDecoders.tsharkMalformed(pcap, COLLECTOR_PORT), "tshark finds nothing malformed");
        return IpfixDecoders.tshark(pcap, COLLECTOR_PORT, fields);
    }

    @Test
    @DisplayName("tshark decodes every template's record with the values written (BIB, block, session, quota, pool)")
    void shouldEncodeEveryRecordAsTsharkDecodesIt()
    {
        final IpfixExporter exporter = exporter(60_000);
        exporter.mapping(NatEvent.BIB_CREATE, T, 17, INSIDE, 5000, PUBLIC, 40_000);
        exporter.flush(T);
        exporter.block(NatEvent.PORT_BLOCK_ALLOCATE, false, T + 1, INSIDE, PUBLIC, 1024, 1087);
        exporter.flush(T + 1);
        exporter.session(NatEvent.SESSION_DELETE, T + 2, 6, INSIDE, 5001, PUBLIC, 1030, REMOTE, 443);
        exporter.flush(T + 2);
        exporter.quotaExceeded(T + 3, INSIDE, 128);
        exporter.flush(T + 3);
        exporter.portsExhausted(T + 4, PUBLIC);
        exporter.flush(T + 4);

        final List<Map<String, String>> packets = tshark("cflow.od_id", "cflow.sequence", "cflow.nat_event",
            "cflow.protocol", "cflow.srcaddr", "cflow.srcport", "cflow.post_natsource_ipv4_address",
            "cflow.post_naptsource_transport_port", "cflow.dstaddr", "cflow.dstport", "cflow.port_range_start",
            "cflow.port_range_end", "cflow.port_range_num_ports", "cflow.nat_quota_exceeded_event",
            "cflow.nat_pool_id", "cflow.nat_pool_name", "cflow.template_id");
        assertEquals(5, packets.size(), packets.toString());
        final Map<String, String> bib = packets.get(0);
        assertEquals("256;257;258;259;260", bib.get("cflow.template_id"), "the templates lead the first message");
        assertEquals(List.of("7", "0", "8", "17", "10.0.0.2", "5000", "203.0.113.1", "40000", "3"),
            values(bib, "cflow.od_id", "cflow.sequence", "cflow.nat_event", "cflow.protocol", "cflow.srcaddr",
                "cflow.srcport", "cflow.post_natsource_ipv4_address", "cflow.post_naptsource_transport_port",
                "cflow.nat_pool_id"));
        assertEquals(List.of("1", "16", "10.0.0.2", "203.0.113.1", "1024", "1087", "64", ""),
            values(packets.get(1), "cflow.sequence", "cflow.nat_event", "cflow.srcaddr",
                "cflow.post_natsource_ipv4_address", "cflow.port_range_start", "cflow.port_range_end",
                "cflow.port_range_num_ports", "cflow.template_id"));
        assertEquals(List.of("2", "5", "6", "10.0.0.2", "5001", "1030", "198.51.100.7", "443"),
            values(packets.get(2), "cflow.sequence", "cflow.nat_event", "cflow.protocol", "cflow.srcaddr",
                "cflow.srcport", "cflow.post_naptsource_transport_port", "cflow.dstaddr", "cflow.dstport"));
        assertEquals(List.of("3", "13", "3", "10.0.0.2"), values(packets.get(3), "cflow.sequence", "cflow.nat_event",
            "cflow.nat_quota_exceeded_event", "cflow.srcaddr"));
        assertEquals(List.of("4", "12", "203.0.113.1", "3", "pool-a"), values(packets.get(4), "cflow.sequence",
            "cflow.nat_event", "cflow.post_natsource_ipv4_address", "cflow.nat_pool_id", "cflow.nat_pool_name"));
    }

    @Test
    @DisplayName("a burst is split into messages under 1400 bytes, sequence numbers count the records before, " +
        "templates come again after the refresh interval")
    void shouldSplitMessagesKeepSequenceAndRefreshTemplates()
    {
        final IpfixExporter exporter = exporter(1_000);
        for (int i = 0; i < 200; i++)
        {
            exporter.mapping(NatEvent.BIB_CREATE, T, 17, INSIDE, 2000 + i, PUBLIC, 30_000 + i);
        }
        exporter.flush(T);
        exporter.mapping(NatEvent.BIB_DELETE, T + 500, 17, INSIDE, 2000, PUBLIC, 30_000);
        exporter.flush(T + 500);
        exporter.mapping(NatEvent.BIB_DELETE, T + 1_001, 17, INSIDE, 2001, PUBLIC, 30_001);
        exporter.flush(T + 1_001);

        final List<Map<String, String>> packets = tshark("cflow.sequence", "cflow.srcport", "cflow.template_id");
        assertTrue(packets.size() >= 5, packets.size() + " messages");
        for (final byte[] datagram : recording.datagrams)
        {
            assertTrue(datagram.length <= IpfixExporter.MAX_MESSAGE_LENGTH, datagram.length + " bytes");
        }
        long expectedSequence = 0;
        final List<Integer> ports = new ArrayList<>();
        for (final Map<String, String> packet : packets)
        {
            assertEquals(String.valueOf(expectedSequence), packet.get("cflow.sequence"));
            final String[] records = packet.get("cflow.srcport").split(";");
            expectedSequence += records.length;
            for (final String port : records)
            {
                ports.add(Integer.parseInt(port));
            }
        }
        assertEquals(202, expectedSequence, "every record decoded once");
        assertEquals(2000, ports.get(0));
        assertEquals(2199, ports.get(199));
        assertTrue(packets.get(0).get("cflow.template_id").startsWith("256"), "templates first");
        assertEquals("", packets.get(packets.size() - 2).get("cflow.template_id"), "no templates before the refresh");
        assertTrue(packets.get(packets.size() - 1).get("cflow.template_id").startsWith("256"), "templates refreshed");
    }

    @Test
    @DisplayName("records that cannot be sent are counted and do not advance the sequence number")
    void shouldCountUnsentRecordsWithoutAdvancingSequence()
    {
        final IpfixExporter exporter = exporter(60_000);
        recording.refuse = true;
        exporter.mapping(NatEvent.BIB_CREATE, T, 17, INSIDE, 5000, PUBLIC, 40_000);
        exporter.block(NatEvent.PORT_BLOCK_RELEASE, false, T, INSIDE, PUBLIC, 1024, 1087);
        exporter.flush(T);
        assertEquals(2, exporter.recordsUnsent());
        assertEquals(0, exporter.recordsSent());
        recording.refuse = false;
        exporter.mapping(NatEvent.BIB_DELETE, T + 1, 17, INSIDE, 5000, PUBLIC, 40_000);
        exporter.flush(T + 1);
        assertEquals(1, exporter.recordsSent());
        final List<Map<String, String>> packets = tshark("cflow.sequence", "cflow.nat_event");
        assertEquals(List.of("0", "9"), values(packets.get(0), "cflow.sequence", "cflow.nat_event"));
    }

    @Test
    @DisplayName("nfcapd collects the records over UDP and nfdump prints the NAT events with their endpoints")
    void shouldBeCollectedByNfcapdAndPrintedByNfdump() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            port = probe.getLocalPort();
        }
        final Path flows = java.nio.file.Files.createDirectories(directory.resolve("flows"));
        try (LabProcess nfcapd = IpfixDecoders.nfcapd(List.of(), "127.0.0.1", port, flows))
        {
            nfcapd.awaitLine(line -> line.contains("Startup") || line.contains("Init IPFIX"), IpfixDecoders.TIMEOUT);
            Thread.sleep(300);
            final IpfixExporter exporter = new IpfixExporter(new HostUdpTransport(),
                List.of(new Ipv4Endpoint(0x7f00_0001, port)), 1, 60_000, 1, "pool-a");
            exporter.flush(T);
            exporter.mapping(NatEvent.BIB_CREATE, T, 17, INSIDE, 5000, PUBLIC, 40_000);
            exporter.block(NatEvent.PORT_BLOCK_ALLOCATE, false, T + 1, INSIDE, PUBLIC, 1024, 1087);
            exporter.session(NatEvent.SESSION_CREATE, T + 2, 6, INSIDE, 5001, PUBLIC, 1030, REMOTE, 443);
            exporter.mapping(NatEvent.BIB_DELETE, T + 3, 17, INSIDE, 5000, PUBLIC, 40_000);
            exporter.flush(T + 3);
            exporter.close();
            Thread.sleep(500);
            nfcapd.stop();
        }
        final List<Map<String, String>> records = IpfixDecoders.nfdump(flows);
        assertEquals(4, records.size(), records.toString());
        assertEquals(List.of("8", "17", "10.0.0.2", "5000", "203.0.113.1", "40000"), values(records.get(0),
            "nat_event_id", "proto", "src4_addr", "src_port", "src4_xlt_ip", "src_xlt_port"));
        assertEquals(List.of("16", "10.0.0.2", "203.0.113.1"),
            values(records.get(1), "nat_event_id", "src4_addr", "src4_xlt_ip"));
        assertEquals(List.of("4", "6", "10.0.0.2", "5001", "203.0.113.1", "1030", "198.51.100.7", "443"),
            values(records.get(2), "nat_event_id", "proto", "src4_addr", "src_port", "src4_xlt_ip", "src_xlt_port",
                "dst4_addr", "dst_port"));
        assertEquals("9", records.get(3).get("nat_event_id"));
    }

    private static List<String> values(final Map<String, String> record, final String... keys)
    {
        final List<String> values = new ArrayList<>();
        for (final String key : keys)
        {
            values.add(record.get(key));
        }
        return values;
    }

    private static final class Recording implements ExportTransport
    {
        final List<byte[]> datagrams = new ArrayList<>();
        boolean refuse;

        public boolean send(
            final int destinationAddress, final int destinationPort, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (refuse)
            {
                return false;
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            datagrams.add(copy);
            return true;
        }

        public void close()
        {
        }
    }
}
