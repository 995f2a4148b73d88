package io.natgate.control.export;

import io.natgate.control.lab.Exec;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.control.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Carrier-grade NAT live in the lab, with collectors nobody here wrote: natgate exports IPFIX in-band from its
 * public address to nfcapd in the server namespace (Debian's nfdump), tcpdump captures the same datagrams for
 * tshark, and a plain UDP socket there receives the RFC 5424 syslog lines. For per-mapping, port-block and
 * deterministic allocation, what nfdump, tshark and the syslog receiver got is what natgate's journal holds and
 * what the traffic used. Needs root.
 */
@EnabledIf("io.natgate.control.lab.Lab#runningAsRoot")
@Timeout(300)
class CgnatLabTest
{
    private static final String CLIENT = LabTopology.CLIENT_ADDRESS;
    private static final String CLIENT2 = LabTopology.CLIENT2_ADDRESS;
    private static final String PUBLIC = LabTopology.PUBLIC_ADDRESS;
    /** RFC 5424: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]. */
    private static final Pattern RFC5424 = Pattern.compile(
        "<134>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z natgate natgate \\d+ [A-Z0-9_]+ " +
        "\\[nat@32473( [a-z]+=\"[^\"]*\")+] .+");

    private static int port(final Object endpoint)
    {
        final String text = String.valueOf(endpoint);
        return Integer.parseInt(text.substring(text.lastIndexOf(':') + 1));
    }

    private static int[] range(final String ports)
    {
        final String[] bounds = ports.substring(ports.lastIndexOf(':') + 1).split("-");
        return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
    }

    @Test
    @DisplayName("per-mapping: every mapping the journal holds reaches nfdump and syslog with its inside and public endpoints")
    void shouldExportEveryMappingToNfdumpAndSyslog() throws Exception
    {
        try (CgnatLab lab = CgnatLab.start("cgm", "", false))
        {
            lab.udpFlows(Role.CLIENT, 20_000, 10);
            final List<Map<String, Object>> mappings = lab.mappingsOf(CLIENT);
            assertEquals(10, mappings.size(), mappings.toString());
            lab.stopAll();

            final List<Map<String, String>> journaled = lab.journal("mapping-created").stream()
                .filter(entry -> entry.get("inside").startsWith(CLIENT + ":") && "udp".equals(entry.get("protocol")))
                .toList();
            assertEquals(10, journaled.size(), journaled.toString());
            final List<Map<String, String>> exported = lab.nfdump().stream()
                .filter(record -> "8".equals(record.get("nat_event_id")) && CLIENT.equals(record.get("src4_addr")) &&
                    "17".equals(record.get("proto")))
                .toList();
            assertEquals(10, exported.size(), exported.toString());
            final List<String> fromJournal = new ArrayList<>();
            for (final Map<String, String> entry : journaled)
            {
                fromJournal.add(entry.get("inside") + " " + entry.get("public"));
            }
            final List<String> fromNfdump = new ArrayList<>();
            for (final Map<String, String> record : exported)
            {
                assertEquals("17", record.get("proto"));
                fromNfdump.add(record.get("src4_addr") + ":" + record.get("src_port") + " " + record.get("src4_xlt_ip") +
                    ":" + record.get("src_xlt_port"));
            }
            assertEquals(fromJournal.stream().sorted().toList(), fromNfdump.stream().sorted().toList());

            final List<String> syslog = lab.syslogLines().stream().filter(line -> line.contains("NAT44_BIB_CREATE") &&
                line.contains("proto=\"udp\"") && line.contains("inside=\"" + CLIENT + ":")).toList();
            assertEquals(10, syslog.size(), lab.syslogLines().toString());
            for (final String line : syslog)
            {
                assertTrue(RFC5424.matcher(line).matches(), line);
            }
            for (final String pair : fromJournal)
            {
                final String[] endpoints = pair.split(" ");
                assertTrue(syslog.stream().anyMatch(line -> line.contains("inside=\"" + endpoints[0] + "\"") &&
                    line.contains("public=\"" + endpoints[1] + "\"")), pair + " in " + syslog);
            }
        }
    }

    @Test
    @DisplayName("port blocks: a client's ports stay in its blocks, the next block when one is full, the quota at " +
        "maxPerClient; one record per block in the journal, nfdump, tshark and syslog, none per mapping")
    void shouldAllocatePortBlocksAndExportOneRecordPerBlock() throws Exception
    {
        try (CgnatLab lab = CgnatLab.start("cgp", "  portBlocks: {size: 64, maxPerClient: 2}\n", false))
        {
            lab.udpFlows(Role.CLIENT, 20_000, 100);
            lab.udpFlows(Role.CLIENT, 21_000, 40);
            if (lab.mappingsOf(CLIENT).size() < 128)
            {
                // a burst's datagrams lost on a loaded machine before the gateway read them: the same flows again,
                // as their senders would retry (their mappings, where made, are only refreshed)
                lab.udpFlows(Role.CLIENT, 20_000, 100);
                lab.udpFlows(Role.CLIENT, 21_000, 40);
            }
            lab.udpFlows(Role.CLIENT2, 20_000, 3);
            final List<Map<String, Object>> mappings = lab.mappingsOf(CLIENT);
            assertEquals(128, mappings.size(), "two blocks of 64, the rest over quota");
            assertTrue(lab.gateway().metric("natgate_drops_total", Map.of("reason", "client_port_quota")) >= 12);
            final List<Integer> ports = mappings.stream().map(mapping -> port(mapping.get("public"))).toList();
            final List<Map<String, Object>> others = lab.mappingsOf(CLIENT2);
            assertEquals(3, others.size());

            final Exec.Result who = CgnatLab.natgate("journal", "who", "--config", lab.config().toString(), "--public",
                PUBLIC + ":" + ports.get(0), "--proto", "udp", "--at", "now");
            lab.stopAll();

            final List<Map<String, String>> blocks = lab.journal("block-allocated");
            final List<Map<String, String>> clientBlocks = blocks.stream()
                .filter(block -> CLIENT.equals(block.get("inside"))).toList();
            assertEquals(2, clientBlocks.size(), blocks.toString());
            final int[] first = range(clientBlocks.get(0).get("public"));
            final int[] second = range(clientBlocks.get(1).get("public"));
            assertEquals(63, first[1] - first[0]);
            for (final int port : ports)
            {
                assertTrue(port >= first[0] && port <= first[1] || port >= second[0] && port <= second[1],
                    port + " in the client's blocks");
            }
            for (final Map<String, Object> mapping : others)
            {
                final int port = port(mapping.get("public"));
                assertTrue(port < first[0] || port > first[1] && port < second[0] || port > second[1],
                    "another client's port " + port + " outside the client's blocks");
            }
            assertTrue(lab.journal("mapping-created").stream().noneMatch(entry ->
                entry.get("inside").startsWith(CLIENT + ":")), "no per-mapping record for the client");
            assertTrue(lab.journal("quota-exceeded").size() >= 1, "quota recorded");
            assertEquals(0, who.exitStatus(), who.describe());
            assertTrue(who.stdout().contains(": " + CLIENT + " (port block " + first[0] + "-" + first[1] + ")"),
                who.stdout());

            final List<Map<String, String>> nfdump = lab.nfdump();
            assertEquals(2, nfdump.stream().filter(record -> "16".equals(record.get("nat_event_id")) &&
                CLIENT.equals(record.get("src4_addr")) && PUBLIC.equals(record.get("src4_xlt_ip"))).count(),
                nfdump.toString());
            assertTrue(nfdump.stream().anyMatch(record -> "13".equals(record.get("nat_event_id"))), "quota exceeded");
            assertTrue(nfdump.stream().noneMatch(record -> "8".equals(record.get("nat_event_id")) &&
                CLIENT.equals(record.get("src4_addr"))), "no BIB records for the client");

            final List<String> ranges = new ArrayList<>();
            for (final Map<String, String> packet : lab.tshark("cflow.nat_event", "cflow.srcaddr",
                "cflow.port_range_start", "cflow.port_range_end"))
            {
                final String[] events = packet.get("cflow.nat_event").split(";");
                final String[] starts = packet.get("cflow.port_range_start").split(";");
                final String[] ends = packet.get("cflow.port_range_end").split(";");
                int block = 0;
                for (final String event : events)
                {
                    if (event.equals("16"))
                    {
                        ranges.add(starts[block] + "-" + ends[block]);
                        block++;
                    }
                }
            }
            assertTrue(ranges.contains(first[0] + "-" + first[1]) && ranges.contains(second[0] + "-" + second[1]),
                "tshark's port ranges " + ranges + " are the journal's");

            final List<String> syslog = lab.syslogLines();
            for (final int[] block : new int[][] {first, second})
            {
                assertTrue(syslog.stream().anyMatch(line -> RFC5424.matcher(line).matches() &&
                    line.contains(" NAT_PORT_BLOCK_ALLOC ") && line.contains("inside=\"" + CLIENT + "\"") &&
                    line.contains("ports=\"" + block[0] + "-" + block[1] + "\"")), syslog.toString());
            }
            assertTrue(syslog.stream().anyMatch(line -> line.contains(" NAT_QUOTA_EXCEEDED ")), syslog.toString());
            assertTrue(syslog.stream().noneMatch(line -> line.contains("NAT44_BIB_CREATE") &&
                line.contains("inside=\"" + CLIENT + ":")), "no per-mapping syslog line for the client");
        }
    }

    @Test
    @DisplayName("port blocks: a client's block is released when its last mapping has been idle for the UDP timeout; " +
        "the release is journaled, exported to nfdump and syslog with the block's range, and the client's quota is " +
        "free again for a new block")
    @Timeout(420)
    void shouldReleaseAnIdleClientsPortBlock() throws Exception
    {
        try (CgnatLab lab = CgnatLab.start("cgr", "  portBlocks: {size: 64, maxPerClient: 1}\n" +
            "  timeouts: {udp: 2m}\n", false))
        {
            lab.udpFlows(Role.CLIENT, 20_000, 3);
            assertEquals(3, lab.mappingsOf(CLIENT).size());
            final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!lab.mappingsOf(CLIENT).isEmpty())
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the client's mappings outlived the UDP timeout");
                Thread.sleep(2_000);
            }
            lab.udpFlows(Role.CLIENT, 22_000, 2);
            assertEquals(2, lab.mappingsOf(CLIENT).size(), "a new block under a quota of one: the old one was released");
            lab.stopAll();

            final List<Map<String, String>> allocated = lab.journal("block-allocated").stream()
                .filter(block -> CLIENT.equals(block.get("inside"))).toList();
            final List<Map<String, String>> released = lab.journal("block-released").stream()
                .filter(block -> CLIENT.equals(block.get("inside"))).toList();
            assertEquals(2, allocated.size(), allocated.toString());
            assertEquals(1, released.size(), released.toString());
            assertEquals(allocated.get(0).get("public"), released.get(0).get("public"), "the first block came back");
            final int[] block = range(released.get(0).get("public"));

            assertEquals(1, lab.nfdump().stream().filter(record -> "17".equals(record.get("nat_event_id")) &&
                CLIENT.equals(record.get("src4_addr")) && PUBLIC.equals(record.get("src4_xlt_ip"))).count(),
                "one block-release record at the collector");
            assertTrue(lab.syslogLines().stream().anyMatch(line -> RFC5424.matcher(line).matches() &&
                line.contains(" NAT_PORT_BLOCK_RELEASE ") && line.contains("inside=\"" + CLIENT + "\"") &&
                line.contains("ports=\"" + block[0] + "-" + block[1] + "\"")), lab.syslogLines().toString());
        }
    }

    @Test
    @DisplayName("deterministic: every inside address maps into its range and nowhere else; nat lookup agrees both " +
        "ways with the live traffic; nothing per mapping is logged; journal who answers from the formula")
    void shouldMapDeterministicallyAndAnswerLookupsBothWays() throws Exception
    {
        final String nat = "  deterministic: {inside: " + LabTopology.INSIDE_NETWORK + ", public: [" + PUBLIC + "]}\n";
        try (CgnatLab lab = CgnatLab.start("cgd", nat, true))
        {
            lab.udpFlows(Role.CLIENT, 30_000, 20);
            lab.udpFlows(Role.CLIENT2, 30_000, 20);
            final DeterministicMap map = ConfigLoader.deterministic(lab.config());
            for (final String inside : new String[] {CLIENT, CLIENT2})
            {
                final Exec.Result lookup = CgnatLab.natgate("nat", "lookup", "--config", lab.config().toString(),
                    "--inside", inside);
                assertEquals(0, lookup.exitStatus(), lookup.describe());
                final int[] owned = range(lookup.stdout().strip());
                // an oracle apart from the code: 256 inside hosts share 64512 ports, 252 each, host h from 1024 + 252 h
                final int host = Ipv4.parse(inside) & 0xFF;
                assertEquals(1024 + 252 * host, owned[0], lookup.stdout());
                assertEquals(1024 + 252 * host + 251, owned[1], lookup.stdout());
                final List<Map<String, Object>> mappings = lab.mappingsOf(inside);
                assertEquals(20, mappings.size());
                for (final Map<String, Object> mapping : mappings)
                {
                    final int port = port(mapping.get("public"));
                    assertTrue(port >= owned[0] && port <= owned[1], inside + " port " + port + " in " +
                        lookup.stdout());
                    final Exec.Result back = CgnatLab.natgate("nat", "lookup", "--config", lab.config().toString(),
                        "--public", String.valueOf(mapping.get("public")));
                    assertEquals(0, back.exitStatus(), back.describe());
                    assertTrue(back.stdout().contains("<- " + inside + " "), back.stdout());
                }
            }
            final Map<String, Object> sample = lab.mappingsOf(CLIENT2).get(0);
            final Exec.Result who = CgnatLab.natgate("journal", "who", "--config", lab.config().toString(), "--public",
                String.valueOf(sample.get("public")), "--proto", "udp", "--at", "now");
            lab.stopAll();

            assertEquals(0, who.exitStatus(), who.describe());
            assertTrue(who.stdout().contains(": " + CLIENT2 + " (deterministic NAT"), who.stdout());
            assertTrue(map.covers(Ipv4.parse(CLIENT2)));
            assertTrue(lab.journal("mapping-created").stream().noneMatch(entry -> "dynamic".equals(entry.get("kind")) &&
                (entry.get("inside").startsWith(CLIENT + ":") || entry.get("inside").startsWith(CLIENT2 + ":"))),
                "no per-mapping journal record");
            assertEquals(2, lab.journal("mapping-created").size(), "the two static forwards' records only");
            final List<Map<String, String>> bibRecords = lab.nfdump().stream()
                .filter(record -> "8".equals(record.get("nat_event_id"))).toList();
            assertEquals(List.of(CLIENT2 + ":8080", CLIENT2 + ":7000"), bibRecords.stream()
                .map(record -> record.get("src4_addr") + ":" + record.get("src_port")).toList(),
                "no per-mapping IPFIX record but the static forwards'");
            assertTrue(lab.syslogLines().stream().noneMatch(line -> line.contains("NAT44_BIB_CREATE") &&
                !line.contains("inside=\"" + CLIENT2 + ":" + 8080) && !line.contains(":7000\"")),
                "no per-mapping syslog line but the static forwards'");
        }
    }
}
