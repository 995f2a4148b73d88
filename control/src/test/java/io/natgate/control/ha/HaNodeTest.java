package io.natgate.control.ha;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.journal.JournalState;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatEngine;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two HA nodes joined in memory and driven from one thread with a clock of the test's: who becomes active, how
 * the standby's tables follow the active's (stream and snapshot), when and why it takes over, and how two actives
 * resolve. The tables are compared by the digests the journal's replay uses (an oracle outside the node).
 */
class HaNodeTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long TIMEOUT_NS = 1000 * MS;
    private static final long STEP_NS = 5 * MS;
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int UDP = 17;
    private static final int TCP = 6;
    private static final int ESTABLISHED = NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN | NatEngine.TCP_ACKED;

    private final MemoryLink link = new MemoryLink();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    private final List<String> transitions = new ArrayList<>();
    private long nowNs = 1_000_000_000L;

    private final class Side
    {
        final EngineTarget target = new EngineTarget(PUBLIC);
        final HaNode node;
        boolean running = true;
        private int nextPublicPort = 1024;

        Side(final String name, final int priority, final MemoryLink.End end, final String self, final String peer)
        {
            final HaConfig config = new HaConfig(priority, endpoint(self), endpoint(peer), TIMEOUT_NS,
                TIMEOUT_NS / 10, Path.of("unused"), true, link.secondPath ? secondEnd(self) : null,
                link.secondPath ? secondEnd(peer) : null);
            node = new HaNode(config, end, target,
                (timeEpochMs, from, to, reason) -> transitions.add(name + " " + from.label() + "->" + to.label() +
                    ": " + reason), log);
            target.node = node.events();
        }

        void doWork()
        {
            if (running)
            {
                target.nowNs = nowNs;
                node.doWork(nowNs);
            }
        }

        String digests()
        {
            return JournalState.mappingDigest(target.engine) + " " + JournalState.sessionDigest(target.engine);
        }

        /** A session made on this gateway as its slow path would make it: its events go to the node. */
        void session(final int protocol, final int inside, final int insidePort, final int remotePort, final int state)
        {
            target.engine.commandTimeNs(nowNs);
            target.engine.replicateSession(1, protocol, inside, insidePort, PUBLIC, nextPublicPort++,
                Ipv4.parse("198.51.100.7"), remotePort, state);
        }

        void endSession(final int protocol, final int inside, final int insidePort, final int remotePort)
        {
            target.engine.commandTimeNs(nowNs);
            target.engine.removeSession(1, protocol, inside, insidePort, Ipv4.parse("198.51.100.7"), remotePort);
        }
    }

    private Side a;
    private Side b;

    private void pair(final int priorityA, final int priorityB)
    {
        a = new Side("a", priorityA, link.a, "192.0.2.1:7400", "192.0.2.2:7400");
        b = new Side("b", priorityB, link.b, "192.0.2.2:7400", "192.0.2.1:7400");
    }

    /** 192.0.2.1:7400 has 192.0.2.5:7401 as its end of the second path; 192.0.2.2, 192.0.2.6. */
    private static Ipv4Endpoint secondEnd(final String self)
    {
        return endpoint(self.replace("192.0.2.1:7400", "192.0.2.5:7401").replace("192.0.2.2:7400", "192.0.2.6:7401"));
    }

    private static Ipv4Endpoint endpoint(final String text)
    {
        return Ipv4Endpoint.parse(text, 1);
    }

    private void run(final long durationNs)
    {
        for (final long endNs = nowNs + durationNs; nowNs - endNs < 0; nowNs += STEP_NS)
        {
            a.doWork();
            b.doWork();
        }
    }

    @Test
    @DisplayName("both starting: the higher priority becomes active at once, the other never forwards; sessions follow")
    void shouldMakeHigherPriorityActiveAndReplicateSessions()
    {
        pair(100, 200);
        run(200 * MS);
        assertEquals(HaRole.STANDBY, a.node.role());
        assertEquals(HaRole.ACTIVE, b.node.role());
        assertTrue(b.target.forwarding);
        assertEquals(1, b.target.announcements, "gratuitous ARP on becoming active");
        assertFalse(a.target.everForwarded, "the standby never forwarded");
        assertEquals(List.of("b standby->active: both standby, priority 200 over the peer's 100"), transitions);

        for (int host = 2; host < 12; host++)
        {
            b.session(UDP, Ipv4.parse("10.0.0." + host), 5000, 53, 0);
            b.session(TCP, Ipv4.parse("10.0.0." + host), 40000, 443, ESTABLISHED);
        }
        run(50 * MS);
        assertEquals(20, a.target.engine.sessionCount());
        assertEquals(b.digests(), a.digests());
        b.endSession(TCP, Ipv4.parse("10.0.0.3"), 40000, 443);
        run(50 * MS);
        assertEquals(19, a.target.engine.sessionCount());
        assertEquals(b.digests(), a.digests());
        assertTrue(a.node.status().synced(), a.node.status().toJson());
        run(150 * MS); // a heartbeat from the standby says what it applied
        assertEquals(0, b.node.status().lagRecords());
        assertEquals(20, a.node.status().recordsApplied());
    }

    @Test
    @DisplayName("a standby that starts late is caught up by a snapshot of the active's tables, then the stream")
    void shouldCatchUpLateStandbyWithSnapshot()
    {
        pair(200, 100);
        b.running = false;
        link.a.peerListening = false;
        run(TIMEOUT_NS + 20 * MS);
        assertEquals(HaRole.ACTIVE, a.node.role());
        assertEquals("a standby->active: no peer heard within 1000 ms of start", transitions.getFirst());
        for (int host = 2; host < 202; host++)
        {
            a.session(UDP, Ipv4.parse("10.0.1." + (host % 250)), 6000 + host, 53, 0);
        }
        assertEquals(200, a.node.status().recordsUnsent(), "nobody to send to: counted, not lost");

        b.running = true;
        link.a.peerListening = true;
        run(300 * MS);
        assertEquals(HaRole.STANDBY, b.node.role(), "a late node does not preempt the active");
        assertEquals(a.digests(), b.digests());
        assertTrue(b.node.status().synced());
        assertEquals(1, a.node.status().snapshotsSent());

        a.session(TCP, Ipv4.parse("10.0.2.9"), 41000, 80, ESTABLISHED);
        run(20 * MS);
        assertEquals(a.digests(), b.digests(), "the stream goes on after the snapshot");
    }

    @Test
    @DisplayName("the standby takes over after the configured silence, not before; a restarted node rejoins as standby")
    void shouldTakeOverAfterSilence()
    {
        pair(200, 100);
        run(200 * MS);
        a.session(TCP, Ipv4.parse("10.0.0.2"), 40000, 443, ESTABLISHED);
        run(50 * MS);
        assertEquals(a.digests(), b.digests());

        a.running = false; // kill -9
        final long silentFromNs = nowNs;
        while (b.node.role() == HaRole.STANDBY && nowNs - silentFromNs < 2 * TIMEOUT_NS)
        {
            run(STEP_NS);
        }
        final long tookOverAfterNs = nowNs - silentFromNs;
        assertEquals(HaRole.ACTIVE, b.node.role());
        assertTrue(tookOverAfterNs >= TIMEOUT_NS - TIMEOUT_NS / 10 && tookOverAfterNs <= TIMEOUT_NS + 2 * STEP_NS,
            "took over after " + tookOverAfterNs / MS + " ms");
        assertTrue(b.target.forwarding);
        assertEquals(1, b.target.announcements);
        assertTrue(transitions.getLast().startsWith("b standby->active: peer silent for "), transitions.toString());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("natgate: ha: standby -> active: peer silent"));

        // a's process is restarted: a fresh node of the higher priority hears an active peer and stays standby
        final Side restarted = new Side("a2", 200, link.a, "192.0.2.1:7400", "192.0.2.2:7400");
        a = restarted;
        b.session(UDP, Ipv4.parse("10.0.0.5"), 5353, 53, 0);
        run(300 * MS);
        assertEquals(HaRole.STANDBY, a.node.role());
        assertFalse(a.target.everForwarded);
        assertEquals(b.digests(), a.digests(), "caught up by a snapshot");
    }

    @Test
    @DisplayName("without a second path, link loss makes both active; when the link is back the lower priority stops forwarding at once")
    void shouldResolveTwoActivesByPriority()
    {
        pair(200, 100);
        run(200 * MS);
        link.up = false;
        run(TIMEOUT_NS + 50 * MS);
        assertEquals(HaRole.ACTIVE, a.node.role());
        assertEquals(HaRole.ACTIVE, b.node.role(), "no other path to tell the peer is alive: documented");
        link.up = true;
        run(2 * TIMEOUT_NS / 10 + 2 * STEP_NS);
        assertEquals(HaRole.ACTIVE, a.node.role());
        assertEquals(HaRole.STANDBY, b.node.role());
        assertFalse(b.target.forwarding);
        assertEquals("b active->standby: peer active with priority 200 over 100", transitions.getLast());
    }

    @Test
    @DisplayName("with a second heartbeat path, cutting the replication link leaves one active; the standby, not " +
        "synced, catches up by snapshot when the link is back; silence on every path still makes it take over")
    void shouldStayStandbyWhileLinkIsCutAndPeerIsHeardOnSecondPath()
    {
        link.secondPath = true;
        pair(200, 100);
        run(200 * MS);
        a.session(TCP, Ipv4.parse("10.0.0.2"), 40000, 443, ESTABLISHED);
        run(50 * MS);
        assertEquals(b.digests(), a.digests());
        assertTrue(b.node.status().linkUp());

        link.up = false;
        a.session(UDP, Ipv4.parse("10.0.0.3"), 5353, 53, 0); // made while the link is down: lost to the standby
        run(3 * TIMEOUT_NS);
        assertEquals(HaRole.ACTIVE, a.node.role());
        assertEquals(HaRole.STANDBY, b.node.role(), "the peer is still heard on the second path");
        assertFalse(b.target.forwarding);
        assertEquals(0, b.target.announcements);
        final HaStatus down = b.node.status();
        assertFalse(down.linkUp());
        assertTrue(down.peerAlive());
        assertTrue(down.heartbeatPathUp());
        assertFalse(down.synced());
        assertEquals(1, down.linkLosses());
        assertEquals(0, down.transitions());
        assertFalse(a.node.status().synced(), "the active hears that its standby is not synced");
        assertTrue(transitions.contains("b standby->standby: replication link down: peer heard on the heartbeat " +
            "path 192.0.2.5:7401 only, staying standby, not synced"), transitions.toString());
        assertNotEquals(a.digests(), b.digests());

        link.up = true;
        run(300 * MS);
        final HaStatus back = b.node.status();
        assertTrue(back.linkUp());
        assertTrue(back.synced());
        assertEquals(a.digests(), b.digests(), "caught up by a snapshot once the link is back");
        assertTrue(transitions.stream().anyMatch(line -> line.startsWith("b standby->standby: replication link up, ")),
            transitions.toString());

        a.running = false; // and silence on every path is a death
        run(TIMEOUT_NS + 50 * MS);
        assertEquals(HaRole.ACTIVE, b.node.role());
        assertTrue(transitions.getLast().startsWith("b standby->active: peer silent on every path for "),
            transitions.toString());
    }

    @Test
    @DisplayName("a record lost on the way is seen as a gap and a snapshot repairs it; a full command ring holds records")
    void shouldRepairGapWithSnapshotAndWaitOnFullRing()
    {
        pair(200, 100);
        run(200 * MS);
        link.a.recordsToDrop = 1;
        a.session(UDP, Ipv4.parse("10.0.0.2"), 5000, 53, 0);
        a.session(UDP, Ipv4.parse("10.0.0.3"), 5000, 53, 0);
        run(100 * MS);
        assertEquals(1, b.node.status().gaps());
        assertEquals(a.digests(), b.digests());

        b.target.ringFull = true;
        a.session(UDP, Ipv4.parse("10.0.0.4"), 5000, 53, 0);
        assertEquals(3, a.target.engine.sessionCount(), a.digests());
        run(50 * MS);
        assertNotEquals(a.digests(), b.digests());
        assertTrue(b.node.status().ringFullWaits() > 0);
        b.target.ringFull = false;
        run(10 * MS);
        assertEquals(a.digests(), b.digests());
        assertEquals(0, b.node.status().gaps() - 1, "no record lost while the ring was full");
    }
}
