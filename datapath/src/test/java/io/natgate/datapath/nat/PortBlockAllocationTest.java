package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.testing.Packets.icmpEcho;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port-block allocation: a client's mappings stay in its blocks, the next block comes when one is full,
 * a block goes when its last mapping does, the quota holds at maxPerClient blocks, one event per block
 * (none per mapping's port), port preservation and parity inside the block.
 */
class PortBlockAllocationTest
{
    private static final int SIZE = 64;

    private static NatHarness pba(final int maxPerClient)
    {
        return new NatHarness(NatHarness.config().portBlockSize(SIZE).portBlocksPerClient(maxPerClient));
    }

    private static int[] block(final String event)
    {
        final String range = event.substring(event.lastIndexOf(':') + 1);
        final String[] bounds = range.split("-");
        return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
    }

    @Test
    @DisplayName("a client's ports all lie in its block; the next block comes when the first is full")
    void shouldAllocateInsideClientBlocksAndTakeNextBlockWhenFull()
    {
        final NatHarness nat = pba(4);
        final List<Integer> publicPorts = new ArrayList<>();
        for (int i = 0; i < SIZE + 5; i++)
        {
            final byte[] out = nat.out(udp(HOST_A, 20_000 + i, REMOTE_1, 53, PAYLOAD), 0);
            publicPorts.add(Packets.sourcePort(out));
        }
        final List<String> events = nat.events.allocationEvents;
        assertEquals(2, events.size(), "two blocks for 69 mappings: " + events);
        assertTrue(events.get(0).startsWith("allocated " + HOST_A + " " + PUBLIC + ":"), events.get(0));
        final int[] first = block(events.get(0));
        final int[] second = block(events.get(1));
        assertEquals(SIZE - 1, first[1] - first[0], "block size");
        final Set<Integer> distinct = new HashSet<>(publicPorts);
        assertEquals(publicPorts.size(), distinct.size(), "every mapping its own port");
        for (int i = 0; i < publicPorts.size(); i++)
        {
            final int port = publicPorts.get(i);
            final int[] range = i < SIZE ? first : second;
            assertTrue(port >= range[0] && port <= range[1], "port " + port + " of mapping " + i + " in " +
                range[0] + "-" + range[1]);
        }
        assertTrue(nat.events.mappingEvents.size() == SIZE + 5, "mapping events still reach the journal side");
    }

    @Test
    @DisplayName("different clients never share a block; TCP, UDP and ICMP of one client share its block")
    void shouldKeepBlocksPerClientAcrossProtocols()
    {
        final NatHarness nat = pba(4);
        final int udpPort = Packets.sourcePort(nat.out(udp(HOST_A, 30_000, REMOTE_1, 53, PAYLOAD), 0));
        final int tcpPort = Packets.sourcePort(nat.out(tcp(HOST_A, 30_001, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), 0));
        final int icmpId = Packets.icmpIdentifier(nat.out(icmpEcho(HOST_A, REMOTE_1, IcmpMessage.ECHO_REQUEST, 7, 1), 0));
        final int otherPort = Packets.sourcePort(nat.out(udp(HOST_B, 30_000, REMOTE_1, 53, PAYLOAD), 0));
        final List<String> events = nat.events.allocationEvents;
        assertEquals(2, events.size(), events.toString());
        final int[] a = block(events.get(0));
        final int[] b = block(events.get(1));
        for (final int port : new int[] {udpPort, tcpPort, icmpId})
        {
            assertTrue(port >= a[0] && port <= a[1], port + " in A's block");
        }
        assertTrue(otherPort >= b[0] && otherPort <= b[1], "B's port in B's block");
        assertTrue(b[1] < a[0] || b[0] > a[1], "blocks do not overlap");
    }

    @Test
    @DisplayName("at maxPerClient full blocks the next mapping is a quota drop, with one quota-exceeded event")
    void shouldDropAtQuotaWhenMaxBlocksFull()
    {
        final NatHarness nat = pba(2);
        for (int i = 0; i < 2 * SIZE; i++)
        {
            nat.out(udp(HOST_A, 40_000 + i, REMOTE_1, 53, PAYLOAD), 0);
        }
        nat.assertDropsOut(udp(HOST_A, 41_000, REMOTE_1, 53, PAYLOAD), DropReason.CLIENT_PORT_QUOTA, 1);
        nat.assertDropsOut(udp(HOST_A, 41_001, REMOTE_1, 53, PAYLOAD), DropReason.CLIENT_PORT_QUOTA, 2);
        assertEquals(List.of("quota " + HOST_A + " " + 2 * SIZE),
            nat.events.allocationEvents.stream().filter(e -> e.startsWith("quota")).toList(),
            "one quota event in the same second");
        nat.assertUdpOut(HOST_A, 40_000, REMOTE_1, 54, Packets.sourcePort(
            nat.out(udp(HOST_A, 40_000, REMOTE_1, 53, PAYLOAD), 3)), 3);
    }

    @Test
    @DisplayName("a block is released when its last mapping expires, and only then")
    void shouldReleaseBlockWhenLastMappingExpires()
    {
        final NatHarness nat = pba(4);
        nat.out(udp(HOST_A, 50_000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_A, 50_001, REMOTE_1, 53, PAYLOAD), 3 * MINUTE_NS);
        nat.expire(NatConfig.UDP_TIMEOUT_DEFAULT_NS + 1);
        assertEquals(1, nat.events.allocationEvents.size(), "still held by the second: " + nat.events.allocationEvents);
        nat.expire(3 * MINUTE_NS + NatConfig.UDP_TIMEOUT_DEFAULT_NS + 1);
        final List<String> events = nat.events.allocationEvents;
        assertEquals(2, events.size(), events.toString());
        assertEquals(events.get(0).replace("allocated", "released"), events.get(1));
        assertEquals(0, nat.engine.portsInUse());
    }

    @Test
    @DisplayName("the inside port is kept where it lies in the client's block, and its parity elsewhere")
    void shouldPreservePortAndParityInsideBlock()
    {
        final NatHarness nat = pba(4);
        final int firstPublic = Packets.sourcePort(nat.out(udp(HOST_A, 60_001, REMOTE_1, 53, PAYLOAD), 0));
        final int[] range = block(nat.events.allocationEvents.get(0));
        assertEquals(1, firstPublic & 1, "odd stays odd");
        final int inBlock = range[0] + 10;
        nat.assertUdpOut(HOST_A, inBlock, REMOTE_1, 53, inBlock, 1);
        final int even = Packets.sourcePort(nat.out(udp(HOST_A, 60_010, REMOTE_1, 53, PAYLOAD), 2));
        assertEquals(0, even & 1, "even stays even");
    }

    @Test
    @DisplayName("interim records repeat each live block at the configured interval")
    void shouldReportInterimRecordsForLiveBlocks()
    {
        final NatHarness nat = new NatHarness(
            NatHarness.config().portBlockSize(SIZE).portBlockInterimNs(MINUTE_NS));
        nat.out(tcp(HOST_A, 50_000, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), 0);
        nat.expire(MINUTE_NS / 2);
        assertEquals(1, nat.events.allocationEvents.size());
        nat.expire(MINUTE_NS + 1);
        assertEquals(2, nat.events.allocationEvents.size(), nat.events.allocationEvents.toString());
        assertEquals(nat.events.allocationEvents.get(0).replace("allocated", "interim"),
            nat.events.allocationEvents.get(1));
    }

    @Test
    @DisplayName("bad port-block settings are refused naming the key and value")
    void shouldRefuseBadPortBlockSettings()
    {
        final var ex = org.junit.jupiter.api.Assertions.assertThrows(io.natgate.datapath.ConfigurationException.class,
            () -> NatHarness.config().portBlockSize(100).validate());
        assertEquals(NatConfig.PORT_BLOCK_SIZE, ex.key());
        assertEquals("100", ex.value());
        final var quota = org.junit.jupiter.api.Assertions.assertThrows(io.natgate.datapath.ConfigurationException.class,
            () -> NatHarness.config().portBlockSize(512).portBlocksPerClient(500).validate());
        assertEquals(NatConfig.PORT_BLOCKS_PER_CLIENT, quota.key());
    }
}
