package io.natgate.datapath.nat;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SYN flood through a forward at its limit, every SYN making the forward give up its oldest half-open session,
 * allocates nothing once warm: the early drop through a mapping is on the worker's path.
 */
class ForwardEarlyDropAllocationTest
{
    private static final int REMOTES = 4096;
    private static final int PER_ROUND = 256;

    @Test
    void shouldNotAllocateWhileAFullForwardGivesUpItsHalfOpenSessionsToAFlood()
    {
        final DatapathCounters counters = new DatapathCounters(2);
        final NatWorkers nat = new NatWorkers(NatHarness.config().sessionsPerInboundMapping(64), NatEventListener.NONE,
            new DatapathCounters[] {counters}, new DatapathCounters(2));
        nat.addStaticMapping(1, 6, ip(HOST_B), 8080, ip(PUBLIC), 8080);
        final byte[] first = tcp("198.51.0.0", 40000, PUBLIC, 8080, SYN, new byte[0]);
        final UnsafeBuffer templates = new UnsafeBuffer(new byte[REMOTES * first.length]);
        for (int remote = 0; remote < REMOTES; remote++)
        {
            templates.putBytes(remote * first.length, tcp("198.51." + (remote >> 8) + "." + (remote & 0xFF), 40000,
                PUBLIC, 8080, SYN, new byte[0]));
        }
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[first.length]);
        final long[] nowNs = {NatHarness.SECOND_NS};
        final int[] next = {0};
        final int[] forwarded = {0};
        final Runnable round = () ->
        {
            for (int i = 0; i < PER_ROUND; i++)
            {
                packet.putBytes(0, templates, next[0] * first.length, first.length);
                next[0] = (next[0] + 1) % REMOTES;
                if (nat.inbound(packet, 0, first.length, NatHarness.OUTSIDE, nowNs[0]++) == NatEngine.FORWARD)
                {
                    forwarded[0]++;
                }
            }
        };

        final long bytes = Allocations.bytesAllocatedAfterWarmUp(200, 200, round);

        assertEquals(0, bytes, "bytes allocated over 200 rounds of " + PER_ROUND + " SYNs");
        assertTrue(counters.get(GlobalCounter.MAPPING_SESSIONS_EARLY_DROPPED) > 100_000,
            "every SYN past the first 64 took a half-open session's place");
        assertEquals(64, nat.sessionCount());
        assertTrue(forwarded[0] > 100_000, "forwarded " + forwarded[0]);
    }
}
