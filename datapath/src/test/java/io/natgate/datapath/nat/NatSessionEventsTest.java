package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.nat.NatHarness.SessionEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.frame.TcpSegment.ACK;
import static io.natgate.datapath.frame.TcpSegment.PSH;
import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session events (made, refreshed at most about once a minute, expired, removed, each with the remote
 * endpoint) and warm restart: mappings and sessions put back silently, forwarding both ways at once,
 * expiring as they would have.
 */
class NatSessionEventsTest
{
    private static final int TCP = Ipv4Protocols.TCP;
    private static final int UDP = Ipv4Protocols.UDP;
    private static final int ESTABLISHED = NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN | NatEngine.TCP_ACKED;

    private final NatHarness nat = new NatHarness();

    @Test
    void shouldReportSessionCreatedWithRemoteEndpointAndExpiredAfterTimeout()
    {
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, SECOND_NS);
        nat.engine.expire(SECOND_NS + 5 * MINUTE_NS, 100);

        assertEquals(List.of(
            new SessionEvent("Created", 0, UDP, HOST_A + ":5000", PUBLIC + ":5000", REMOTE_1 + ":53", 0),
            new SessionEvent("Expired", SECOND_NS + 5 * MINUTE_NS, UDP, HOST_A + ":5000", PUBLIC + ":5000",
                REMOTE_1 + ":53", 0)),
            nat.events.sessionEvents);
    }

    @Test
    void shouldReportRefreshAtMostOncePerDeadlinePeriodWhileTrafficFlows()
    {
        for (long t = 0; t <= 10 * MINUTE_NS; t += SECOND_NS)
        {
            nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, t);
        }

        final List<SessionEvent> refreshes =
            nat.events.sessionEvents.stream().filter(event -> event.type().equals("Refreshed")).toList();
        // 600 s of traffic, one report per 2^36 ns (68.7 s) of deadline movement
        assertEquals(9, refreshes.size(), refreshes.toString());
        for (int i = 1; i < refreshes.size(); i++)
        {
            final long gapNs = refreshes.get(i).timeNs() - refreshes.get(i - 1).timeNs();
            assertTrue(gapNs >= NatEngine.REFRESH_EVENT_SLACK_NS - SECOND_NS, "gap " + gapNs);
        }
    }

    @Test
    void shouldReportRefreshAtOnceWhenTcpBecomesEstablished()
    {
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, SYN, 0);
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, SYN | ACK, SECOND_NS);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, ACK, 2 * SECOND_NS);

        assertEquals(List.of(
            new SessionEvent("Created", 0, TCP, HOST_A + ":5000", PUBLIC + ":5000", REMOTE_1 + ":80", 0),
            new SessionEvent("Refreshed", 2 * SECOND_NS, TCP, HOST_A + ":5000", PUBLIC + ":5000", REMOTE_1 + ":80",
                ESTABLISHED)),
            nat.events.sessionEvents);
    }

    @Test
    void shouldReportSessionsEndedWithTheirStaticMappingAsRemoved()
    {
        nat.engine.addStaticMapping(1, TCP, ip(HOST_A), 80, ip(PUBLIC), 8080);
        nat.assertTcpIn(REMOTE_1, 4000, 8080, HOST_A, 80, SYN, 0);
        nat.engine.commandTimeNs(SECOND_NS);
        nat.engine.removeStaticMapping(2, TCP, ip(PUBLIC), 8080);

        final SessionEvent created = nat.events.sessionEvents.getFirst();
        assertEquals(NatEngine.SESSION_ADMITTED_INBOUND, created.state());
        assertEquals(new SessionEvent("Removed", SECOND_NS, TCP, HOST_A + ":80", PUBLIC + ":8080", REMOTE_1 + ":4000",
            NatEngine.SESSION_ADMITTED_INBOUND | NatEngine.TCP_SYN_IN), nat.events.sessionEvents.getLast());
    }

    @Test
    void shouldRemoveASessionOnCommandReportingItRemovedAndEndingItsEmptyDynamicMapping()
    {
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);
        nat.engine.commandTimeNs(SECOND_NS);

        nat.engine.removeSession(7, UDP, ip(HOST_A), 5000, ip(REMOTE_1), 53);

        assertEquals(new NatHarness.Completion(SECOND_NS, 7, CommandStatus.OK, ip(PUBLIC), 5000),
            nat.events.completions.getLast());
        assertEquals(new SessionEvent("Removed", SECOND_NS, UDP, HOST_A + ":5000", PUBLIC + ":5000", REMOTE_1 + ":53",
            0), nat.events.sessionEvents.getLast());
        assertEquals(NatHarness.EventType.REMOVED, nat.events.mappingEvents.getLast().type());
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.portsInUse());
        nat.assertDropsIn(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), DropReason.NO_MAPPING, 2 * SECOND_NS);
    }

    @Test
    void shouldAnswerNotFoundWhenRemovingASessionThatIsNotThere()
    {
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);

        nat.engine.removeSession(8, UDP, ip(HOST_A), 5000, ip(REMOTE_1), 54);

        assertEquals(CommandStatus.NOT_FOUND, nat.events.completions.getLast().status());
        assertEquals(1, nat.engine.sessionCount());
    }

    @Test
    void shouldWalkEverySessionOnceInBoundedChunks()
    {
        for (int port = 5000; port < 5010; port++)
        {
            nat.assertUdpOut(HOST_A, port, REMOTE_1, 53, port, 0);
        }
        final List<Integer> seen = new java.util.ArrayList<>();
        int chunks = 0;
        for (int next = 0; next >= 0; chunks++)
        {
            next = nat.engine.forEachSession(next, 3, (protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, deadlineNs, tcpFlags, kind) -> seen.add(insidePort));
        }

        assertEquals(java.util.stream.IntStream.range(5000, 5010).boxed().toList(), seen.stream().sorted().toList());
        assertEquals((nat.engine.sessionCapacity() + 2) / 3, chunks);
    }

    @Test
    void shouldWalkClientsWithThePortsAndSessionsTheQuotasCount()
    {
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);
        nat.assertUdpOut(HOST_A, 5000, NatHarness.REMOTE_2, 53, 5000, 0);
        nat.assertUdpOut(HOST_A, 5001, REMOTE_1, 53, 5001, 0);
        final List<String> seen = new java.util.ArrayList<>();

        for (int next = 0; next >= 0; )
        {
            next = nat.engine.forEachClient(next, 5, (address, ports, sessions) ->
                seen.add(Ipv4.toString(address) + " " + ports + " " + sessions));
        }

        assertEquals(List.of(HOST_A + " 2 3"), seen);
        assertEquals(1, nat.engine.clientCount());
        assertEquals(2, nat.engine.portsInUse(0), "ports in use on the pool's first address");
    }

    @Test
    void shouldForwardInboundMidStreamTcpOfARestoredSessionWithoutReportingTheRestore()
    {
        final long holdNs = 10 * MINUTE_NS;
        assertEquals(CommandStatus.OK,
            nat.engine.restoreMapping(TCP, ip(HOST_A), 5000, ip(PUBLIC), 61_000, MappingKind.DYNAMIC, holdNs));
        assertEquals(CommandStatus.OK,
            nat.engine.restoreSession(TCP, ip(HOST_A), 5000, ip(REMOTE_1), 80, ESTABLISHED, 100 * MINUTE_NS));

        nat.assertTcpIn(REMOTE_1, 80, 61_000, HOST_A, 5000, ACK | PSH, SECOND_NS);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 61_000, ACK, 2 * SECOND_NS);
        assertEquals(1, nat.engine.sessionCount());
        assertTrue(nat.events.mappingEvents.isEmpty(), nat.events.mappingEvents.toString());
        assertTrue(nat.events.sessionEvents.stream().noneMatch(event -> event.type().equals("Created")));
    }

    @Test
    void shouldHoldARestoredDynamicMappingWithoutSessionsUntilItsDeadlineThenExpireIt()
    {
        final long holdNs = 3 * MINUTE_NS;
        nat.engine.restoreMapping(UDP, ip(HOST_A), 5000, ip(PUBLIC), 61_000, MappingKind.DYNAMIC, holdNs);

        nat.engine.expire(holdNs - SECOND_NS, 100);
        assertEquals(1, nat.engine.mappingCount());
        nat.assertDropsIn(udp(REMOTE_1, 53, PUBLIC, 61_000, PAYLOAD), DropReason.FILTERED, SECOND_NS);

        nat.engine.expire(holdNs, 100);
        assertEquals(0, nat.engine.mappingCount());
        assertEquals(NatHarness.EventType.EXPIRED, nat.events.mappingEvents.getLast().type());
        assertEquals(0, nat.engine.portsInUse());
    }

    @Test
    void shouldKeepTheHeldMappingsPublicPortForItsInsideHostAndLiveOnThroughItsSessionsAfterTheHold()
    {
        final long holdNs = 3 * MINUTE_NS;
        nat.engine.restoreMapping(UDP, ip(HOST_A), 5000, ip(PUBLIC), 61_000, MappingKind.DYNAMIC, holdNs);

        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 61_000, SECOND_NS);
        nat.engine.expire(holdNs + SECOND_NS, 100);
        assertEquals(1, nat.engine.mappingCount(), "the session keeps it after the hold");
        nat.assertUdpIn(REMOTE_1, 53, 61_000, HOST_A, 5000, holdNs + 2 * SECOND_NS);

        nat.engine.expire(holdNs + 2 * SECOND_NS + 5 * MINUTE_NS, 100);
        assertEquals(0, nat.engine.mappingCount());
        assertEquals(0, nat.engine.sessionCount());
    }

    @Test
    void shouldExpireARestoredSessionAtItsRestoredDeadline()
    {
        nat.engine.restoreMapping(UDP, ip(HOST_A), 5000, ip(PUBLIC), 61_000, MappingKind.DYNAMIC, SECOND_NS);
        nat.engine.restoreSession(UDP, ip(HOST_A), 5000, ip(REMOTE_1), 53, 0, MINUTE_NS);

        nat.engine.expire(MINUTE_NS - 1, 100);
        assertEquals(1, nat.engine.sessionCount());
        nat.engine.expire(MINUTE_NS, 100);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.mappingCount());
    }

    @Test
    void shouldRestoreAStaticMappingsInboundSessionAndEndItWithTheMapping()
    {
        assertEquals(CommandStatus.OK,
            nat.engine.restoreMapping(TCP, ip(HOST_A), 80, ip(PUBLIC), 8080, MappingKind.STATIC, 0));
        assertEquals(CommandStatus.OK, nat.engine.restoreSession(TCP, ip(HOST_A), 80, ip(REMOTE_1), 4000,
            ESTABLISHED | NatEngine.SESSION_ADMITTED_INBOUND, 100 * MINUTE_NS));

        nat.assertTcpIn(REMOTE_1, 4000, 8080, HOST_A, 80, ACK, SECOND_NS);
        nat.engine.removeStaticMapping(1, TCP, ip(PUBLIC), 8080);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.mappingCount());
    }

    @Test
    void shouldRefuseRestoresThatDoNotFit()
    {
        assertEquals(CommandStatus.BAD_ARGUMENT,
            nat.engine.restoreMapping(TCP, ip(HOST_A), 80, ip(PUBLIC), 8080, MappingKind.INBOUND, MINUTE_NS));
        assertEquals(CommandStatus.BAD_ARGUMENT,
            nat.engine.restoreMapping(TCP, ip(HOST_A), 80, ip(PUBLIC), 8080, MappingKind.DYNAMIC, 0));
        assertEquals(CommandStatus.NOT_A_PUBLIC_ADDRESS,
            nat.engine.restoreMapping(TCP, ip(HOST_A), 80, ip(REMOTE_1), 8080, MappingKind.DYNAMIC, MINUTE_NS));
        assertEquals(CommandStatus.NOT_FOUND,
            nat.engine.restoreSession(TCP, ip(HOST_A), 80, ip(REMOTE_1), 4000, 0, MINUTE_NS));

        nat.engine.restoreMapping(TCP, ip(HOST_A), 80, ip(PUBLIC), 8080, MappingKind.DYNAMIC, MINUTE_NS);
        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE,
            nat.engine.restoreMapping(TCP, ip(NatHarness.HOST_B), 80, ip(PUBLIC), 8080, MappingKind.DYNAMIC,
                MINUTE_NS));
        assertEquals(CommandStatus.OK, nat.engine.restoreSession(TCP, ip(HOST_A), 80, ip(REMOTE_1), 4000, 0, MINUTE_NS));
        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE,
            nat.engine.restoreSession(TCP, ip(HOST_A), 80, ip(REMOTE_1), 4000, 0, MINUTE_NS));
        assertEquals(1, nat.engine.mappingCount());
        assertEquals(1, nat.engine.sessionCount());
    }

    @Test
    void shouldKeepAHeldMappingListedOnceWhenTheControlPlaneOpensItInbound()
    {
        nat.engine.restoreMapping(UDP, ip(HOST_A), 5000, ip(PUBLIC), 61_000, MappingKind.DYNAMIC, MINUTE_NS);
        nat.engine.openInboundMapping(1, UDP, ip(HOST_A), 5000, 0, 0, 10 * MINUTE_NS);
        nat.engine.closeInboundMapping(2, UDP, ip(HOST_A), 5000);

        assertEquals(0, nat.engine.mappingCount());
        nat.engine.expire(20 * MINUTE_NS, 100); // a stale list entry would end a freed mapping here
        assertEquals(0, nat.engine.mappingCount());
        assertEquals(List.of(CommandStatus.OK, CommandStatus.OK),
            nat.events.completions.stream().map(NatHarness.Completion::status).toList());
    }
}
