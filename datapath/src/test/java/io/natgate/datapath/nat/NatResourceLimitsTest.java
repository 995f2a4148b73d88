package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.nat.NatHarness.EventType.CREATED;
import static io.natgate.datapath.nat.NatHarness.EventType.EXPIRED;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.icmpEcho;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-client quotas (RFC 6888 REQ-4/5, RFC 7857 section 4), running out of public ports, and a
 * full session table reclaiming expired sessions before it refuses, with the events and
 * counters each emits.
 */
class NatResourceLimitsTest
{
    private static final long UDP_TIMEOUT_NS = NatConfig.UDP_TIMEOUT_DEFAULT_NS;

    @Test
    @DisplayName("a client over its port quota gets no new mapping; its existing mappings still serve new remotes")
    void shouldRefuseNewMappingOverClientPortQuota()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portsPerClient(2));
        nat.out(udp(HOST_A, 1000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(tcp(HOST_A, 1001, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), 0);
        nat.assertDropsOut(udp(HOST_A, 1002, REMOTE_1, 53, PAYLOAD), DropReason.CLIENT_PORT_QUOTA, 1);
        nat.assertDropsOut(icmpEcho(HOST_A, REMOTE_1, IcmpMessage.ECHO_REQUEST, 7, 1), DropReason.CLIENT_PORT_QUOTA, 1);

        nat.assertUdpOut(HOST_A, 1000, REMOTE_2, 53, 1000, 2);
        nat.assertUdpOut(HOST_B, 1002, REMOTE_1, 53, 1002, 2);

        nat.expire(UDP_TIMEOUT_NS + 2);
        nat.assertUdpOut(HOST_A, 1002, REMOTE_1, 53, 1002, UDP_TIMEOUT_NS + 3);
    }

    @Test
    @DisplayName("a client over its session quota gets no new session, outbound or inbound")
    void shouldRefuseNewSessionOverClientSessionQuota()
    {
        final NatHarness nat = new NatHarness(
            NatHarness.config().sessionsPerClient(2).filtering(FilteringMode.ENDPOINT_INDEPENDENT));
        nat.out(udp(HOST_A, 1000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_A, 1000, REMOTE_2, 53, PAYLOAD), 0);
        nat.assertDropsOut(udp(HOST_A, 1000, REMOTE_1, 54, PAYLOAD), DropReason.CLIENT_SESSION_QUOTA, 1);
        nat.assertDropsOut(udp(HOST_A, 1001, REMOTE_1, 53, PAYLOAD), DropReason.CLIENT_SESSION_QUOTA, 1);
        nat.assertDropsIn(udp(REMOTE_1, 9999, PUBLIC, 1000, PAYLOAD), DropReason.CLIENT_SESSION_QUOTA, 1);

        nat.assertUdpOut(HOST_A, 1000, REMOTE_1, 53, 1000, 2); // existing sessions still pass
        nat.out(udp(HOST_B, 1000, REMOTE_1, 53, PAYLOAD), 2); // other clients are not affected
    }

    @Test
    @DisplayName("no free port in the inside port's range is OUT_OF_PORTS, for packets and commands alike")
    void shouldReportOutOfPortsWhenRangeIsExhausted()
    {
        final NatHarness nat = new NatHarness();
        for (int port = 1; port < 1024; port++)
        {
            nat.out(udp(HOST_A, port, REMOTE_1, 53, PAYLOAD), 0);
        }
        assertEquals(1023, nat.engine.portsInUse());

        nat.assertDropsOut(udp(HOST_B, 80, REMOTE_1, 53, PAYLOAD), DropReason.OUT_OF_PORTS, 1);
        nat.command(1, commands -> commands.openInboundMapping(7, 17, ip(HOST_B), 80, 0, 0, MINUTE_NS));
        assertEquals(new NatHarness.Completion(1, 7, CommandStatus.OUT_OF_PORTS, 0, 0), nat.lastCompletion());

        nat.assertUdpOut(HOST_B, 5000, REMOTE_1, 53, 5000, 2); // the other range still has room
        nat.assertOut(tcp(HOST_B, 80, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), // and other protocols
            tcp(PUBLIC, 80, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), 2);
    }

    @Test
    @DisplayName("a full session table reclaims expired sessions before refusing, and counts them")
    void shouldReclaimExpiredSessionsWhenTableIsFull()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(4));
        for (int host = 1; host <= 4; host++)
        {
            nat.out(udp("10.0.6." + host, 5000 + host, REMOTE_1, 53, PAYLOAD), 0);
        }
        final long laterNs = UDP_TIMEOUT_NS + SECOND_NS; // all four expired, but expire() has not run

        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, laterNs);
        assertEquals(4, nat.counters.get(GlobalCounter.SESSIONS_RECLAIMED));
        assertEquals(1, nat.engine.sessionCount());
        assertEquals(1, nat.counters.get(GlobalCounter.SESSIONS_ACTIVE));
        assertEquals(1, nat.counters.get(GlobalCounter.MAPPINGS_ACTIVE));
        assertEquals(1, nat.counters.get(GlobalCounter.PORTS_IN_USE));
        assertEquals(5, nat.counters.get(GlobalCounter.SESSIONS_CREATED));
        assertEquals(4, nat.events.mappingEvents.stream().filter(event -> event.type() == EXPIRED).count());
    }

    @Test
    @DisplayName("a full table of live, answered sessions refuses with MAX_SESSIONS and reclaims nothing")
    void shouldRefuseWhenTableIsFullOfLiveSessions()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(2));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_A, 5000, REMOTE_2, 53, PAYLOAD), 0);
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 0);
        nat.in(udp(REMOTE_2, 53, PUBLIC, 5000, PAYLOAD), 0);
        nat.assertDropsOut(udp(HOST_B, 5000, REMOTE_1, 53, PAYLOAD), DropReason.MAX_SESSIONS, MINUTE_NS);
        nat.assertDropsOut(udp(HOST_A, 5000, REMOTE_1, 54, PAYLOAD), DropReason.MAX_SESSIONS, MINUTE_NS);
        assertEquals(0, nat.counters.get(GlobalCounter.SESSIONS_RECLAIMED));
    }

    @Test
    @DisplayName("reclaiming the expired last session of the mapping a new session needs recreates the mapping")
    void shouldRecreateMappingWhoseOnlySessionIsReclaimed()
    {
        final NatHarness nat = fullTableWhereOnlyHostAHasExpired(NatHarness.config());
        final long laterNs = UDP_TIMEOUT_NS + SECOND_NS;

        nat.assertUdpOut(HOST_A, 5000, REMOTE_2, 53, 5000, laterNs);
        nat.assertUdpIn(REMOTE_2, 53, 5000, HOST_A, 5000, laterNs + 1);
        assertEquals(List.of(
            new NatHarness.MappingEvent(EXPIRED, laterNs, 17, ip(HOST_A), 5000, ip(PUBLIC), 5000, -1),
            new NatHarness.MappingEvent(CREATED, laterNs, 17, ip(HOST_A), 5000, ip(PUBLIC), 5000, 0)),
            nat.events.mappingEvents.subList(2, 4));
        assertEquals(2, nat.engine.sessionCount());
        assertEquals(2, nat.engine.mappingCount());
    }

    @Test
    @DisplayName("an inbound packet for a mapping whose only session is reclaimed finds no mapping")
    void shouldNotAdmitInboundThroughReclaimedMapping()
    {
        final NatHarness nat = fullTableWhereOnlyHostAHasExpired(
            NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT));

        final byte[] late = udp(REMOTE_2, 53, PUBLIC, 5000, PAYLOAD);
        assertEquals(DropReason.NO_MAPPING, NatEngine.dropReason(nat.inbound(late, UDP_TIMEOUT_NS + SECOND_NS)));
        assertEquals(1, nat.engine.sessionCount());
        nat.assertUdpIn(REMOTE_2, 53, 6000, HOST_B, 6000, UDP_TIMEOUT_NS + SECOND_NS);
    }

    /**
     * A table of two sessions, each with its own mapping: HOST_A:5000 to REMOTE_1 from time 0, HOST_B:6000
     * from a minute later, so that at {@code UDP_TIMEOUT_NS + SECOND_NS} A's has expired (expire() not
     * having run) and B's has not.
     */
    private static NatHarness fullTableWhereOnlyHostAHasExpired(final NatConfig config)
    {
        final NatHarness nat = new NatHarness(config.maxSessions(2));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), MINUTE_NS);
        return nat;
    }

    @Test
    @DisplayName("mapping events carry the inside and public endpoints, protocol, kind and time")
    void shouldEmitMappingEventsWithTheirFields()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 3);
        nat.out(udp(HOST_A, 5000, REMOTE_2, 53, PAYLOAD), 4); // same mapping: no new event
        nat.out(icmpEcho(HOST_A, REMOTE_1, IcmpMessage.ECHO_REQUEST, 0x77, 1), 5);
        nat.expire(UDP_TIMEOUT_NS + 4);

        assertEquals(List.of(
            new NatHarness.MappingEvent(CREATED, 3, 17, ip(HOST_A), 5000, ip(PUBLIC), 5000, MappingKind.DYNAMIC.id()),
            new NatHarness.MappingEvent(CREATED, 5, 1, ip(HOST_A), 0x77, ip(PUBLIC), 0x77, MappingKind.DYNAMIC.id()),
            new NatHarness.MappingEvent(EXPIRED, UDP_TIMEOUT_NS + 4, 17, ip(HOST_A), 5000, ip(PUBLIC), 5000, -1),
            new NatHarness.MappingEvent(EXPIRED, UDP_TIMEOUT_NS + 4, 1, ip(HOST_A), 0x77, ip(PUBLIC), 0x77, -1)),
            nat.events.mappingEvents);
    }
}
