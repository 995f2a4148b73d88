package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A packet of a prefetched burst is hashed once: the fast path looks its session up by the hash the
 * prefetch returned, not by hashing the packet again. A hash that is not the packet's finds nothing,
 * which shows the one handed in is the one used.
 */
class FlowHashOnceTest
{
    private final NatEngine engine = new NatEngine(
        new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE, new DatapathCounters(2));

    @Test
    void shouldLookUpOutboundPacketsByThePrefetchedHash()
    {
        final byte[] first = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3});
        assertEquals(NatEngine.FORWARD, engine.outbound(new UnsafeBuffer(first), 0, first.length, 0, 0));
        final byte[] translated = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3});
        assertEquals(NatEngine.FORWARD, engine.fastOutbound(new UnsafeBuffer(translated), 0, translated.length, false,
            1, NatEngine.NO_FLOW_HASH));
        assertEquals(ip("203.0.113.1"), Packets.source(translated));

        final byte[] packet = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3});
        final UnsafeBuffer buffer = new UnsafeBuffer(packet);
        final long hash = engine.prefetchOutbound(buffer, 0, packet.length);
        engine.prefetchSessions();
        assertNotEquals(NatEngine.NO_FLOW_HASH, hash);

        assertEquals(NatEngine.MISS, engine.fastOutbound(buffer, 0, packet.length, false, 2, hash ^ 0xFFFF_FFFFL),
            "looked up by the (wrong) hash handed in");
        assertEquals(NatEngine.FORWARD, engine.fastOutbound(buffer, 0, packet.length, false, 2, hash));
        assertArrayEquals(translated, packet, "the same translation as a packet hashed by the fast path itself");
    }

    @Test
    void shouldLookUpInboundPacketsByThePrefetchedHash()
    {
        final byte[] out = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3});
        assertEquals(NatEngine.FORWARD, engine.outbound(new UnsafeBuffer(out), 0, out.length, 0, 0));

        final byte[] packet = Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000, new byte[] {4, 5});
        final UnsafeBuffer buffer = new UnsafeBuffer(packet);
        final long hash = engine.prefetchInbound(buffer, 0, packet.length);
        engine.prefetchSessions();
        assertNotEquals(NatEngine.NO_FLOW_HASH, hash);

        assertEquals(NatEngine.MISS, engine.fastInbound(buffer, 0, packet.length, false, 1, hash ^ 0xFFFF_FFFFL),
            "looked up by the (wrong) hash handed in");
        assertEquals(NatEngine.FORWARD, engine.fastInbound(buffer, 0, packet.length, false, 1, hash));
        assertEquals(ip("10.0.0.2"), Packets.destination(packet));
        assertEquals(5000, Packets.destinationPort(packet));
    }

    @Test
    void shouldNotHashWhatItDoesNotPrefetch()
    {
        final byte[] ping = Packets.icmpEcho("10.0.0.2", "198.51.100.7", 8, 9, 1);
        assertEquals(NatEngine.NO_FLOW_HASH, engine.prefetchOutbound(new UnsafeBuffer(ping), 0, ping.length));
    }
}
