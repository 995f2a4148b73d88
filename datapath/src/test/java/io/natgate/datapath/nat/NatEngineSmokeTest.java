package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatEngineSmokeTest
{
    @Test
    void shouldTranslateUdpOutAndBack()
    {
        final NatEngine engine = new NatEngine(
            new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE, new DatapathCounters(2));
        final byte[] out = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3});
        assertEquals(NatEngine.FORWARD, engine.outbound(new UnsafeBuffer(out), 0, out.length, 0, 0));
        assertEquals(ip("203.0.113.1"), Packets.source(out));
        assertEquals(5000, Packets.sourcePort(out));
        assertTrue(Packets.checksumsValid(out));

        final byte[] in = Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000, new byte[] {4, 5});
        assertEquals(NatEngine.FORWARD, engine.inbound(new UnsafeBuffer(in), 0, in.length, 1, 1));
        assertEquals(ip("10.0.0.2"), Packets.destination(in));
        assertEquals(5000, Packets.destinationPort(in));
        assertTrue(Packets.checksumsValid(in));
    }
}
