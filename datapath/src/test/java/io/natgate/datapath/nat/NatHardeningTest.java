package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.frame.TcpSegment.ACK;
import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.EventType.CREATED;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What no client and no outsider may do to the table: fill it past early drop, take more than a fair share,
 * open unlimited sessions from one remote or through one forward, or make mappings that go unrecorded.
 */
class NatHardeningTest
{
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Test
    @DisplayName("a full table evicts the oldest unanswered session for a new flow, as conntrack's early drop")
    void shouldEvictTheOldestUnansweredSessionWhenTheTableIsFull()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(4).sessionsPerClient(0));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 0); // answered
        nat.out(udp(HOST_A, 5001, REMOTE_1, 53, PAYLOAD), SECOND_NS); // unanswered, oldest of those
        nat.out(udp(HOST_A, 5002, REMOTE_1, 53, PAYLOAD), 2 * SECOND_NS);
        nat.out(udp(HOST_A, 5003, REMOTE_1, 53, PAYLOAD), 3 * SECOND_NS);

        nat.assertUdpOut(HOST_B, 6000, REMOTE_1, 53, 6000, 4 * SECOND_NS);

        assertEquals(1, nat.counters.get(GlobalCounter.SESSIONS_EARLY_DROPPED));
        assertEquals(4, nat.engine.sessionCount());
        nat.assertDropsIn(udp(REMOTE_1, 53, PUBLIC, 5001, PAYLOAD), DropReason.NO_MAPPING, 5 * SECOND_NS);
        nat.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, 5 * SECOND_NS); // the answered one stays
        nat.assertUdpIn(REMOTE_1, 53, 5002, HOST_A, 5002, 5 * SECOND_NS);
    }

    @Test
    @DisplayName("established TCP and answered sessions are never evicted: a table full of them refuses")
    void shouldNeverEvictEstablishedOrAnsweredSessions()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(2).sessionsPerClient(0));
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, new byte[0]), 0);
        nat.in(tcp(REMOTE_1, 80, PUBLIC, 5000, SYN | ACK, new byte[0]), 1);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, ACK, new byte[0]), 2);
        nat.out(udp(HOST_A, 5001, REMOTE_1, 53, PAYLOAD), 3);
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5001, PAYLOAD), 4);

        nat.assertDropsOut(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), DropReason.MAX_SESSIONS, 5);
        assertEquals(0, nat.counters.get(GlobalCounter.SESSIONS_EARLY_DROPPED));
    }

    @Test
    @DisplayName("a SYN and a SYN-ACK through a port forward stay half-open: transitory and evictable")
    void shouldKeepHalfOpenInboundConnectionsTransitoryAndEvictable()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(2).sessionsPerClient(0));
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080));
        nat.in(tcp(REMOTE_1, 40000, PUBLIC, 8080, SYN, new byte[0]), SECOND_NS);
        nat.out(tcp(HOST_B, 8080, REMOTE_1, 40000, SYN | ACK, new byte[0]), SECOND_NS);
        assertEquals(SECOND_NS + NatConfig.TCP_TRANSITORY_TIMEOUT_DEFAULT_NS, nat.onlySession().deadlineNs());
        nat.in(tcp(REMOTE_2, 40000, PUBLIC, 8080, SYN, new byte[0]), 2 * SECOND_NS);

        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 3 * SECOND_NS);
        assertEquals(1, nat.counters.get(GlobalCounter.SESSIONS_EARLY_DROPPED));
        nat.assertDropsIn(tcp(REMOTE_1, 40000, PUBLIC, 8080, ACK, new byte[0]), DropReason.FILTERED, 4 * SECOND_NS);
    }

    @Test
    @DisplayName("one remote address opens at most its share of sessions from outside")
    void shouldLimitSessionsOpenedFromOneRemote()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().inboundSessionsPerRemote(3));
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080));
        for (int port = 40000; port < 40003; port++)
        {
            nat.in(tcp(REMOTE_1, port, PUBLIC, 8080, SYN, new byte[0]), SECOND_NS);
        }
        nat.assertDropsIn(tcp(REMOTE_1, 40003, PUBLIC, 8080, SYN, new byte[0]), DropReason.REMOTE_SESSION_LIMIT,
            SECOND_NS);
        nat.in(tcp(REMOTE_2, 40003, PUBLIC, 8080, SYN, new byte[0]), SECOND_NS); // another remote still gets in
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), SECOND_NS); // outbound sessions to it do not count

        nat.expire(SECOND_NS + NatConfig.TCP_TRANSITORY_TIMEOUT_DEFAULT_NS);
        nat.in(tcp(REMOTE_1, 40003, PUBLIC, 8080, SYN, new byte[0]), 2 * SECOND_NS + NatConfig.TCP_TRANSITORY_TIMEOUT_DEFAULT_NS);
    }

    @Test
    @DisplayName("a forward at its limit gives up its own oldest half-open session to a new remote: a flood " +
        "through it cannot lock others out")
    void shouldEvictTheForwardsOwnOldestHalfOpenSessionWhenANewRemoteComesThroughItAtItsLimit()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().sessionsPerInboundMapping(4));
        nat.command(0, commands ->
        {
            commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080);
            commands.addStaticMapping(2, TCP, ip(HOST_A), 8081, ip(PUBLIC), 8081);
        });
        nat.in(tcp("198.51.100.9", 40000, PUBLIC, 8081, SYN, new byte[0]), 0); // the other forward's, older still
        for (int host = 1; host <= 4; host++)
        {
            nat.in(tcp("198.51.100." + host, 40000, PUBLIC, 8080, SYN, new byte[0]), host * SECOND_NS);
        }

        nat.assertTcpIn("198.51.100.5", 40000, 8080, HOST_B, 8080, SYN, 5 * SECOND_NS);

        assertEquals(1, nat.counters.get(GlobalCounter.MAPPING_SESSIONS_EARLY_DROPPED));
        assertEquals(0, nat.counters.get(GlobalCounter.SESSIONS_EARLY_DROPPED), "the table was not full");
        assertEquals(4, nat.sessions().stream().filter(session -> session.publicPort() == 8080).count(),
            "a forward carries at most its share of sessions opened from outside");
        nat.assertDropsIn(tcp("198.51.100.1", 40000, PUBLIC, 8080, ACK, new byte[0]), DropReason.FILTERED,
            6 * SECOND_NS); // the oldest is gone
        nat.assertTcpIn("198.51.100.2", 40000, 8080, HOST_B, 8080, ACK, 6 * SECOND_NS);
        nat.assertTcpIn("198.51.100.9", 40000, 8081, HOST_A, 8081, ACK, 6 * SECOND_NS);
    }

    @Test
    @DisplayName("a forward at its limit never gives up an established or answered session: it skips them for " +
        "the oldest half-open one, and refuses, counted, when there is none")
    void shouldNeverEvictEstablishedOrAnsweredSessionsThroughAForwardAndRefuseWhenNothingElseCanGo()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().sessionsPerInboundMapping(3));
        nat.command(0, commands ->
        {
            commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080);
            commands.addStaticMapping(2, UDP, ip(HOST_B), 7000, ip(PUBLIC), 7000);
        });
        establish(nat, "198.51.100.1", 0);
        establish(nat, "198.51.100.2", SECOND_NS);
        nat.out(tcp(HOST_B, 8080, "198.51.100.3", 80, SYN, new byte[0]), 2 * SECOND_NS); // the host's own, not counted
        nat.in(tcp("198.51.100.4", 40000, PUBLIC, 8080, SYN, new byte[0]), 3 * SECOND_NS);

        nat.assertTcpIn("198.51.100.5", 40000, 8080, HOST_B, 8080, SYN, 4 * SECOND_NS); // .4's half-open one goes
        nat.assertDropsIn(tcp("198.51.100.4", 40000, PUBLIC, 8080, ACK, new byte[0]), DropReason.FILTERED,
            5 * SECOND_NS);
        nat.assertTcpIn("198.51.100.6", 40000, 8080, HOST_B, 8080, SYN, 5 * SECOND_NS); // then .5's
        assertEquals(2, nat.counters.get(GlobalCounter.MAPPING_SESSIONS_EARLY_DROPPED));
        establish(nat, "198.51.100.6", 6 * SECOND_NS, 40000);

        nat.assertDropsIn(tcp("198.51.100.7", 40000, PUBLIC, 8080, SYN, new byte[0]), DropReason.MAPPING_SESSION_LIMIT,
            7 * SECOND_NS);
        nat.assertTcpIn("198.51.100.1", 40000, 8080, HOST_B, 8080, ACK, 8 * SECOND_NS); // the established stay
        nat.assertTcpIn("198.51.100.2", 40000, 8080, HOST_B, 8080, ACK, 8 * SECOND_NS);
        nat.assertTcpOut(HOST_B, 8080, "198.51.100.3", 80, 8080, ACK, 8 * SECOND_NS);

        // UDP: an answered flow through the forward stays, an unanswered one gives way
        for (int host = 1; host <= 3; host++)
        {
            nat.in(udp("198.51.100." + host, 53, PUBLIC, 7000, PAYLOAD), 9 * SECOND_NS);
        }
        nat.out(udp(HOST_B, 7000, "198.51.100.1", 53, PAYLOAD), 9 * SECOND_NS);
        nat.assertUdpIn("198.51.100.4", 53, 7000, HOST_B, 7000, 10 * SECOND_NS);
        assertEquals(3, nat.counters.get(GlobalCounter.MAPPING_SESSIONS_EARLY_DROPPED));
        assertEquals(List.of("198.51.100.1", "198.51.100.3", "198.51.100.4"), nat.sessions().stream()
            .filter(session -> session.protocol() == UDP).map(session -> Ipv4.toString(session.remoteAddress()))
            .sorted().toList(), "the oldest unanswered flow (.2's) went, the answered one stayed");
    }

    private static void establish(final NatHarness nat, final String remote, final long nowNs)
    {
        establish(nat, remote, nowNs, 0);
    }

    /**
     * A handshake from {@code remote} through the TCP forward to HOST_B:8080; with a non-zero {@code openedPort},
     * the remote's SYN from that port came in already.
     */
    private static void establish(final NatHarness nat, final String remote, final long nowNs, final int openedPort)
    {
        final int port = openedPort == 0 ? 40000 : openedPort;
        if (openedPort == 0)
        {
            nat.in(tcp(remote, port, PUBLIC, 8080, SYN, new byte[0]), nowNs);
        }
        nat.out(tcp(HOST_B, 8080, remote, port, SYN | ACK, new byte[0]), nowNs);
        nat.in(tcp(remote, port, PUBLIC, 8080, ACK, new byte[0]), nowNs);
    }

    @Test
    @DisplayName("by default one client takes at most a sixteenth of the session table")
    void shouldGiveEachClientAFairShareByDefault()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(2048));
        assertEquals(128, new NatConfig().maxSessions(2048).sessionsPerClient());
        for (int port = 1024; port < 1024 + 128; port++)
        {
            nat.out(udp(HOST_A, 5000, REMOTE_1, port, PAYLOAD), 0);
        }
        nat.assertDropsOut(udp(HOST_A, 5000, REMOTE_1, 9999, PAYLOAD), DropReason.CLIENT_SESSION_QUOTA, 1);
        nat.assertUdpOut(HOST_B, 6000, REMOTE_1, 53, 6000, 1);
        assertEquals(0, new NatConfig().sessionsPerClient(0).sessionsPerClient(), "0 still means no limit");
    }

    @Test
    @DisplayName("outsiders flooding a host's forwards use their own budget, never the host's own session quota")
    void shouldLeaveAForwardedHostItsOwnSessionQuotaWhileOutsidersFloodItsForwards()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().sessionsPerClient(4).inboundSessionsPerRemote(0)
            .sessionsPerInboundMapping(0));
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080));
        for (int port = 40000; port < 40004; port++)
        {
            nat.in(tcp(REMOTE_1, port, PUBLIC, 8080, SYN, new byte[0]), SECOND_NS);
        }
        nat.assertDropsIn(tcp(REMOTE_1, 40004, PUBLIC, 8080, SYN, new byte[0]), DropReason.CLIENT_SESSION_QUOTA,
            SECOND_NS); // the inbound budget is used up

        for (int port = 5000; port < 5004; port++)
        {
            nat.assertUdpOut(HOST_B, port, REMOTE_2, 53, port, SECOND_NS); // the host's own flows still open
        }
        nat.assertDropsOut(udp(HOST_B, 5004, REMOTE_2, 53, PAYLOAD), DropReason.CLIENT_SESSION_QUOTA, SECOND_NS);
        nat.assertDropsIn(tcp(REMOTE_2, 40000, PUBLIC, 8080, SYN, new byte[0]), DropReason.CLIENT_SESSION_QUOTA,
            SECOND_NS);

        nat.expire(SECOND_NS + NatConfig.TCP_TRANSITORY_TIMEOUT_DEFAULT_NS); // the half-open ones go, budget back
        nat.in(tcp(REMOTE_2, 40000, PUBLIC, 8080, SYN, new byte[0]),
            2 * SECOND_NS + NatConfig.TCP_TRANSITORY_TIMEOUT_DEFAULT_NS);
        assertEquals(5, nat.engine.sessionCount(), "the host's 4 UDP flows and the new inbound one");
    }

    @Test
    @DisplayName("a flow refused by a full table makes no mapping: no created/removed pair for the journal")
    void shouldMakeNoMappingForAFlowTheTableCannotHold()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(1));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 0);
        final int eventsBefore = nat.events.mappingEvents.size();

        nat.assertDropsOut(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), DropReason.MAX_SESSIONS, 1);
        nat.assertDropsOut(udp(HOST_B, 6001, REMOTE_1, 53, PAYLOAD), DropReason.MAX_SESSIONS, 2);

        assertEquals(eventsBefore, nat.events.mappingEvents.size(), nat.events.mappingEvents.toString());
    }

    @Test
    @DisplayName("when the event ring cannot take a mapping's record the mapping is refused, counted, never made")
    void shouldRefuseNewMappingsWhileTheirRecordsCannotBeQueued()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.events.creationRoom = false;

        nat.assertDropsOut(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), DropReason.EVENT_RING_FULL, 1);
        nat.command(1, commands -> commands.openInboundMapping(1, UDP, ip(HOST_B), 7000, 0, 0, MINUTE_NS));
        assertEquals(CommandStatus.TABLE_FULL, nat.lastCompletion().status());
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 2); // what exists keeps working
        assertEquals(1, nat.events.mappingEvents.stream().filter(event -> event.type() == CREATED).count());

        nat.events.creationRoom = true;
        nat.assertUdpOut(HOST_B, 6000, REMOTE_1, 53, 6000, 3);
    }

    @Test
    @DisplayName("while the journal cannot record, new mappings are refused (and new sessions when sessions are " +
        "journaled), counted, and what exists keeps forwarding")
    void shouldRefuseNewMappingsButForwardExistingSessionsWhileTheJournalCannotRecord()
    {
        final NatHarness nat = new NatHarness();
        final RecordKeeping keeping = new RecordKeeping();
        nat.engine.recordKeeping(keeping);
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 8080));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);

        keeping.recording(false, true); // the disk is low; sessions are not journaled
        nat.assertDropsOut(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), DropReason.JOURNAL_UNWRITABLE, 1);
        nat.command(1, commands -> commands.openInboundMapping(2, UDP, ip(HOST_B), 7000, 0, 0, MINUTE_NS));
        assertEquals(CommandStatus.TABLE_FULL, nat.lastCompletion().status());
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 2); // an existing session
        nat.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, 2);
        nat.assertUdpOut(HOST_A, 5000, REMOTE_2, 53, 5000, 2); // a new session on a recorded mapping
        nat.assertTcpIn(REMOTE_1, 40000, 8080, HOST_B, 8080, SYN, 2);

        keeping.recording(false, false); // sessions are journaled too
        nat.assertDropsOut(udp(HOST_A, 5000, "198.51.100.9", 53, PAYLOAD), DropReason.JOURNAL_UNWRITABLE, 3);
        nat.assertDropsIn(tcp(REMOTE_2, 40000, PUBLIC, 8080, SYN, new byte[0]), DropReason.JOURNAL_UNWRITABLE, 3);
        nat.assertUdpOut(HOST_A, 5000, REMOTE_2, 53, 5000, 3);

        keeping.recording(true, true); // room again
        nat.assertUdpOut(HOST_B, 6000, REMOTE_1, 53, 6000, 4);
        nat.assertTcpIn(REMOTE_2, 40000, 8080, HOST_B, 8080, SYN, 4);
    }

    @Test
    @DisplayName("refresh records give way when the ring is short; removals wait for room, never go unrecorded")
    void shouldSkipRefreshRecordsAndDelayRemovalsWhileTheRingIsShort()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.events.refreshRoom = false;
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 2 * MINUTE_NS);
        assertEquals(1, nat.counters.get(GlobalCounter.REFRESH_EVENTS_SKIPPED));
        assertTrue(nat.events.sessionEvents.stream().noneMatch(event -> event.type().equals("Refreshed")));

        nat.events.removalRoom = false;
        final long expiredNs = 3 * MINUTE_NS + NatConfig.UDP_TIMEOUT_DEFAULT_NS;
        nat.expire(expiredNs);
        assertEquals(1, nat.engine.sessionCount(), "still there: its end could not be recorded");
        nat.events.removalRoom = true;
        nat.expire(expiredNs);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(1, nat.events.sessionEvents.stream().filter(event -> event.type().equals("Expired")).count());
    }

    @Test
    @DisplayName("a second first fragment of a datagram, and a TCP fragment over the header, are overlaps")
    void shouldDropOverlappingFragments()
    {
        final NatHarness nat = new NatHarness();
        final byte[] datagram = udp(HOST_A, 5000, REMOTE_1, 53, new byte[64]);
        final byte[] first = Packets.fragment(datagram, 24)[0];
        nat.out(first, 0);
        final byte[] overlapping = Packets.fragment(udp(HOST_A, 5001, REMOTE_1, 53, new byte[64]), 24)[0];
        nat.assertDropsOut(overlapping, DropReason.FRAGMENT_OVERLAP, 1);

        final byte[] tcpLater = Packets.fragment(tcp(HOST_A, 6000, REMOTE_1, 80, ACK, new byte[64]), 8)[1];
        nat.assertDropsOut(tcpLater, DropReason.FRAGMENT_OVERLAP, 1);
        assertEquals(1, nat.engine.sessionCount());
    }

    @Test
    @DisplayName("the fragment hold buffer gives each side half and each source a share of its side")
    void shouldShareTheFragmentBufferBySideAndSource()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxHeldFragments(16));
        // a side's half is 8 slots, one source's share a quarter of that: 2
        for (int datagram = 0; datagram < 2; datagram++)
        {
            assertEquals(NatEngine.HELD, nat.inbound(laterFragment("198.51.100.66", datagram), 0));
        }
        nat.assertDropsIn(laterFragment("198.51.100.66", 2), DropReason.FRAGMENT_SHARE, 0);
        for (int source = 1; source <= 3; source++)
        {
            for (int datagram = 0; datagram < 2; datagram++)
            {
                assertEquals(NatEngine.HELD, nat.inbound(laterFragment("198.51.100." + source, datagram), 0));
            }
        }
        nat.assertDropsIn(laterFragment("198.51.100.4", 0), DropReason.FRAGMENT_SHARE, 0);
        assertEquals(NatEngine.HELD, nat.outbound(Packets.fragment(udp(HOST_A, 5000, REMOTE_1, 53, new byte[64]), 24)[1],
            0), "the inside's half is its own");
    }

    private static byte[] laterFragment(final String remote, final int identification)
    {
        final byte[] datagram = udp(remote, 53, PUBLIC, 5000, new byte[64]);
        datagram[4] = (byte)(identification >> 8);
        datagram[5] = (byte)identification;
        return Packets.fragment(datagram, 24)[1];
    }
}
