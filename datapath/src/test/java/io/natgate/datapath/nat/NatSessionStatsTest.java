package io.natgate.datapath.nat;

import io.natgate.datapath.frame.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-session traffic counters and creation times, the bounded session walk the admin listing uses; and expiry
 * with sessions relinked in their LRU list at most once a second.
 */
class NatSessionStatsTest
{
    private record Stats(int insidePort, long packetsOut, long bytesOut, long packetsIn, long bytesIn, long createdNs)
    {
    }

    private static List<Stats> stats(final NatEngine engine)
    {
        final List<Stats> stats = new ArrayList<>();
        int cursor = 0;
        while (cursor >= 0)
        {
            cursor = engine.visitSessions(cursor, 3, (protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, deadlineNs, tcpFlags, kind, packetsOut, bytesOut, packetsIn, bytesIn,
                createdNs) -> stats.add(new Stats(insidePort, packetsOut, bytesOut, packetsIn, bytesIn, createdNs)));
        }
        return stats;
    }

    @Test
    void shouldCountPacketsAndBytesOfEachSessionEachWayAndKeepWhenItWasCreated()
    {
        final NatHarness nat = new NatHarness();
        final byte[] out = udp(HOST_A, 5000, REMOTE_1, 53, new byte[10]);
        final byte[] in = udp(REMOTE_1, 53, PUBLIC, 5000, new byte[100]);
        final byte[] tcpOut = tcp(HOST_A, 6000, REMOTE_1, 443, TcpSegment.SYN, new byte[0]);
        for (int i = 0; i < 3; i++)
        {
            nat.out(out, SECOND_NS + i);
        }
        nat.in(in, 2 * SECOND_NS);
        nat.in(in, 2 * SECOND_NS + 1);
        nat.out(tcpOut, 3 * SECOND_NS);

        final List<Stats> stats = stats(nat.engine);
        assertEquals(2, stats.size());
        final Stats udpSession = stats.stream().filter(s -> s.insidePort() == 5000).findFirst().orElseThrow();
        assertEquals(new Stats(5000, 3, 3L * out.length, 2, 2L * in.length, SECOND_NS), udpSession);
        final Stats tcpSession = stats.stream().filter(s -> s.insidePort() == 6000).findFirst().orElseThrow();
        assertEquals(new Stats(6000, 1, tcpOut.length, 0, 0, 3 * SECOND_NS), tcpSession);
    }

    @Test
    void shouldWalkEverySessionOnceInBoundedSteps()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(64));
        for (int port = 1000; port < 1040; port++)
        {
            nat.out(udp(HOST_A, port, REMOTE_1, 53, new byte[1]), SECOND_NS);
        }
        int calls = 0;
        int cursor = 0;
        final Set<Integer> seen = new HashSet<>();
        final int[] visitedInCall = new int[1];
        while (cursor >= 0)
        {
            visitedInCall[0] = 0;
            cursor = nat.engine.visitSessions(cursor, 10, (protocol, insideAddress, insidePort, publicAddress,
                publicPort, remoteAddress, remotePort, deadlineNs, tcpFlags, kind, packetsOut, bytesOut, packetsIn,
                bytesIn, createdNs) ->
            {
                visitedInCall[0]++;
                assertTrue(seen.add(insidePort), "visited twice: " + insidePort);
            });
            assertTrue(visitedInCall[0] <= 10, "at most 10 records examined per call");
            calls++;
        }
        assertEquals(40, seen.size());
        assertEquals(7, calls, "64 records, 10 a call");
    }

    @Test
    void shouldExpireIdleSessionsOnTimeWhileOthersAreRefreshedMoreOftenThanOnceASecond()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().udpTimeoutNs(2 * MINUTE_NS));
        final byte[] busy = udp(HOST_A, 5000, REMOTE_1, 53, new byte[1]);
        final byte[] idle = udp(HOST_B, 5001, REMOTE_1, 53, new byte[1]);
        final long startNs = 10 * SECOND_NS;
        nat.out(busy, startNs);
        nat.out(idle, startNs + SECOND_NS / 2);
        long nowNs = startNs;
        // the busy session: a packet every 100 ms for three minutes; the idle one never again
        for (; nowNs < startNs + 3 * MINUTE_NS; nowNs += SECOND_NS / 10)
        {
            nat.out(busy, nowNs);
            nat.expire(nowNs);
            final boolean idleDue = nowNs - (startNs + SECOND_NS / 2 + 2 * MINUTE_NS) >= 0;
            assertEquals(idleDue ? 1 : 2, nat.engine.sessionCount(), "sessions at +" + (nowNs - startNs) + " ns");
        }
        nat.expire(nowNs + 2 * MINUTE_NS);
        assertEquals(0, nat.engine.sessionCount());
    }
}
