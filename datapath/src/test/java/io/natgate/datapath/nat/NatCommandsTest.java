package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.nat.NatHarness.EventType.CREATED;
import static io.natgate.datapath.nat.NatHarness.EventType.EXPIRED;
import static io.natgate.datapath.nat.NatHarness.EventType.REMOVED;
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
 * The control plane's commands: static mappings (port forwards) and inbound mappings (private
 * sessions, PCP/NAT-PMP grants), with the status each reports through
 * {@link NatEventListener#onCommandCompleted} and the mapping events they cause.
 */
class NatCommandsTest
{
    private static final int UDP = 17;
    private static final int TCP = 6;
    private static final int MAPPING_LIFETIME_SECONDS = 90;
    private static final long LIFETIME_NS = MAPPING_LIFETIME_SECONDS * SECOND_NS;
    /** Inbound mappings are checked for expiry at this interval, so they may outlive their deadline by it. */
    private static final long SCAN_INTERVAL_NS = 100_000_000L;

    @Test
    @DisplayName("a static mapping is reachable from any remote whatever the filtering, and never expires")
    void shouldReachStaticMappingFromAnyRemote()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ADDRESS_AND_PORT_DEPENDENT));
        nat.command(7, commands -> commands.addStaticMapping(11, UDP, ip(HOST_B), 5353, ip(PUBLIC), 53));
        assertEquals(new NatHarness.Completion(7, 11, CommandStatus.OK, ip(PUBLIC), 53), nat.lastCompletion());
        assertEquals(new NatHarness.MappingEvent(CREATED, 7, UDP, ip(HOST_B), 5353, ip(PUBLIC), 53,
            MappingKind.STATIC.id()), nat.events.mappingEvents.getLast());

        nat.assertUdpIn(REMOTE_1, 4000, 53, HOST_B, 5353, SECOND_NS);
        nat.assertUdpIn(REMOTE_2, 4001, 53, HOST_B, 5353, SECOND_NS);
        nat.assertUdpOut(HOST_B, 5353, REMOTE_1, 4000, 53, 2 * SECOND_NS);
        nat.assertUdpOut(HOST_B, 5353, REMOTE_2, 9999, 53, 2 * SECOND_NS); // outbound uses the same mapping

        nat.expire(24 * 60 * MINUTE_NS);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(MappingKind.STATIC, nat.onlyMapping().kind());
        nat.assertUdpIn(REMOTE_2, 4001, 53, HOST_B, 5353, 24 * 60 * MINUTE_NS);
        assertEquals(1, nat.counters.get(GlobalCounter.COMMANDS_APPLIED));
    }

    @Test
    @DisplayName("static mappings refuse bad arguments, foreign addresses and endpoints in use")
    void shouldRefuseInvalidStaticMappings()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.command(1, commands ->
        {
            commands.addStaticMapping(1, 47, ip(HOST_B), 80, ip(PUBLIC), 80);
            commands.addStaticMapping(2, TCP, ip(HOST_B), 0, ip(PUBLIC), 80);
            commands.addStaticMapping(3, TCP, ip(HOST_B), 80, ip(PUBLIC), 0);
            commands.addStaticMapping(4, TCP, ip(HOST_B), 80, ip("198.51.100.1"), 80);
            commands.addStaticMapping(5, UDP, ip(HOST_B), 53, ip(PUBLIC), 5000);
            commands.addStaticMapping(6, UDP, ip(HOST_A), 5000, ip(PUBLIC), 6000);
        });
        assertEquals(java.util.List.of(
            new NatHarness.Completion(1, 1, CommandStatus.BAD_ARGUMENT, 0, 0),
            new NatHarness.Completion(1, 2, CommandStatus.BAD_ARGUMENT, 0, 0),
            new NatHarness.Completion(1, 3, CommandStatus.BAD_ARGUMENT, 0, 0),
            new NatHarness.Completion(1, 4, CommandStatus.NOT_A_PUBLIC_ADDRESS, 0, 0),
            new NatHarness.Completion(1, 5, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0),
            new NatHarness.Completion(1, 6, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0)), nat.events.completions);
        assertEquals(6, nat.counters.get(GlobalCounter.COMMANDS_REJECTED));
        assertEquals(1, nat.engine.mappingCount());
    }

    @Test
    @DisplayName("removing a static mapping removes its sessions and reports it; a second remove finds nothing")
    void shouldRemoveStaticMappingWithItsSessions()
    {
        final NatHarness nat = new NatHarness();
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 8080, ip(PUBLIC), 80));
        nat.assertTcpIn(REMOTE_1, 40_000, 80, HOST_B, 8080, TcpSegment.SYN, 1);
        nat.out(udp(HOST_A, 80, REMOTE_1, 53, PAYLOAD), 1); // UDP port 80 is another mapping

        nat.command(5, commands -> commands.removeStaticMapping(2, TCP, ip(PUBLIC), 80));
        assertEquals(new NatHarness.Completion(5, 2, CommandStatus.OK, ip(PUBLIC), 80), nat.lastCompletion());
        assertEquals(new NatHarness.MappingEvent(REMOVED, 5, TCP, ip(HOST_B), 8080, ip(PUBLIC), 80, -1),
            nat.events.mappingEvents.getLast());
        assertEquals(1, nat.engine.sessionCount());
        nat.assertDropsIn(tcp(REMOTE_1, 40_000, PUBLIC, 80, TcpSegment.ACK, PAYLOAD), DropReason.NO_MAPPING, 6);

        nat.command(7, commands ->
        {
            commands.removeStaticMapping(3, TCP, ip(PUBLIC), 80);
            commands.removeStaticMapping(4, UDP, ip(PUBLIC), 80); // dynamic: not the command's to remove
        });
        assertEquals(CommandStatus.NOT_FOUND, nat.events.completions.get(2).status());
        assertEquals(CommandStatus.NOT_FOUND, nat.lastCompletion().status());
        assertEquals(1, nat.engine.mappingCount());
    }

    @Test
    @DisplayName("an inbound mapping admits only its remote, and expires at the end of its lifetime")
    void shouldOpenInboundMappingForItsRemoteUntilItsLifetimeEnds()
    {
        final NatHarness nat = new NatHarness();
        nat.command(SECOND_NS, commands ->
            commands.openInboundMapping(21, UDP, ip(HOST_A), 7000, 7000, ip(REMOTE_1), LIFETIME_NS));
        assertEquals(new NatHarness.Completion(SECOND_NS, 21, CommandStatus.OK, ip(PUBLIC), 7000), nat.lastCompletion());
        assertEquals(new NatHarness.Mapping(UDP, ip(HOST_A), 7000, ip(PUBLIC), 7000, MappingKind.INBOUND, 0,
            SECOND_NS + LIFETIME_NS), nat.onlyMapping());

        nat.assertUdpIn(REMOTE_1, 3000, 7000, HOST_A, 7000, 2 * SECOND_NS);
        nat.assertDropsIn(udp(REMOTE_2, 3000, PUBLIC, 7000, PAYLOAD), DropReason.FILTERED, 2 * SECOND_NS);

        nat.expire(SECOND_NS + LIFETIME_NS - 1);
        assertEquals(1, nat.engine.mappingCount());
        nat.expire(SECOND_NS + LIFETIME_NS + SCAN_INTERVAL_NS);
        assertEquals(0, nat.engine.mappingCount());
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.portsInUse());
        assertEquals(new NatHarness.MappingEvent(EXPIRED, SECOND_NS + LIFETIME_NS + SCAN_INTERVAL_NS, UDP, ip(HOST_A),
            7000, ip(PUBLIC), 7000, -1), nat.events.mappingEvents.getLast());
        nat.assertDropsIn(udp(REMOTE_1, 3000, PUBLIC, 7000, PAYLOAD), DropReason.NO_MAPPING, LIFETIME_NS + SECOND_NS);
    }

    @Test
    @DisplayName("an inbound mapping outlives its sessions' timeouts, and any remote may use it when none is named")
    void shouldKeepInboundMappingWhenItsSessionsExpire()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().udpTimeoutNs(2 * MINUTE_NS));
        nat.command(0, commands -> commands.openInboundMapping(1, UDP, ip(HOST_A), 7000, 0, 0, 10 * MINUTE_NS));
        nat.assertUdpIn(REMOTE_2, 3000, 7000, HOST_A, 7000, SECOND_NS);
        nat.expire(5 * MINUTE_NS);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(1, nat.engine.mappingCount());
        nat.assertUdpIn(REMOTE_1, 3000, 7000, HOST_A, 7000, 5 * MINUTE_NS);
    }

    @Test
    @DisplayName("an inbound mapping takes the wanted public port when free, another one when not")
    void shouldChooseAnotherPublicPortWhenTheWantedOneIsTaken()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_B, 7000, REMOTE_1, 53, PAYLOAD), 0);
        nat.command(1, commands -> commands.openInboundMapping(2, UDP, ip(HOST_A), 7001, 7000, 0, LIFETIME_NS));
        final NatHarness.Completion completion = nat.lastCompletion();
        assertEquals(CommandStatus.OK, completion.status());
        assertTrue(completion.publicPort() >= 1024 && completion.publicPort() != 7000, "got " + completion.publicPort());
        nat.assertUdpIn(REMOTE_1, 3000, completion.publicPort(), HOST_A, 7001, 2);
    }

    @Test
    @DisplayName("opening an inbound mapping over a dynamic one keeps its public port; reopening extends it")
    void shouldTurnDynamicMappingIntoInboundAndExtendOnReopen()
    {
        final NatHarness nat = new NatHarness();
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.command(SECOND_NS, commands -> commands.openInboundMapping(1, UDP, ip(HOST_A), 5000, 6000, 0, LIFETIME_NS));
        assertEquals(new NatHarness.Completion(SECOND_NS, 1, CommandStatus.OK, ip(PUBLIC), 5000), nat.lastCompletion());
        assertEquals(MappingKind.INBOUND, nat.onlyMapping().kind());
        nat.assertUdpIn(REMOTE_2, 53, 5000, HOST_A, 5000, 2 * SECOND_NS);

        nat.command(LIFETIME_NS, commands -> commands.openInboundMapping(2, UDP, ip(HOST_A), 5000, 0, 0, LIFETIME_NS));
        assertEquals(2 * LIFETIME_NS, nat.onlyMapping().deadlineNs());
        assertEquals(1, nat.events.mappingEvents.size(), "no new mapping");
    }

    @Test
    @DisplayName("closing an inbound mapping removes it and its sessions; closing again finds nothing")
    void shouldCloseInboundMapping()
    {
        final NatHarness nat = new NatHarness();
        nat.command(0, commands -> commands.openInboundMapping(1, TCP, ip(HOST_A), 22, 2222, 0, LIFETIME_NS));
        nat.assertTcpIn(REMOTE_1, 50_000, 2222, HOST_A, 22, TcpSegment.SYN, 1);

        nat.command(2, commands -> commands.closeInboundMapping(2, TCP, ip(HOST_A), 22));
        assertEquals(new NatHarness.Completion(2, 2, CommandStatus.OK, ip(PUBLIC), 2222), nat.lastCompletion());
        assertEquals(new NatHarness.MappingEvent(REMOVED, 2, TCP, ip(HOST_A), 22, ip(PUBLIC), 2222, -1),
            nat.events.mappingEvents.getLast());
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.mappingCount());
        nat.assertDropsIn(tcp(REMOTE_1, 50_000, PUBLIC, 2222, TcpSegment.ACK, PAYLOAD), DropReason.NO_MAPPING, 3);

        nat.command(4, commands -> commands.closeInboundMapping(3, TCP, ip(HOST_A), 22));
        assertEquals(new NatHarness.Completion(4, 3, CommandStatus.NOT_FOUND, 0, 0), nat.lastCompletion());
    }

    @Test
    @DisplayName("closing an inbound mapping opened over a dynamic one ends what came in through it, not the host's own sessions")
    void shouldKeepOutboundSessionsWhenInboundMappingOverThemIsClosed()
    {
        final NatHarness nat = new NatHarness();
        nat.assertUdpOut(HOST_A, 7000, REMOTE_1, 3000, 7000, 0);
        nat.command(SECOND_NS, commands ->
            commands.openInboundMapping(41, UDP, ip(HOST_A), 7000, 7000, 0, LIFETIME_NS));
        nat.assertUdpIn(REMOTE_2, 3000, 7000, HOST_A, 7000, 2 * SECOND_NS);
        nat.command(3 * SECOND_NS, commands -> commands.closeInboundMapping(42, UDP, ip(HOST_A), 7000));

        assertEquals(MappingKind.DYNAMIC, nat.onlyMapping().kind());
        assertEquals(1, nat.engine.sessionCount());
        nat.assertUdpIn(REMOTE_1, 3000, 7000, HOST_A, 7000, 4 * SECOND_NS);
        nat.assertUdpOut(HOST_A, 7000, REMOTE_1, 3000, 7000, 4 * SECOND_NS);
        nat.assertDropsIn(udp(REMOTE_2, 3000, PUBLIC, 7000, PAYLOAD), DropReason.FILTERED, 4 * SECOND_NS);
    }

    @Test
    @DisplayName("inbound mappings refuse bad arguments, static endpoints and clients over their port quota")
    void shouldRefuseInvalidInboundMappings()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portsPerClient(1));
        nat.command(0, commands ->
        {
            commands.addStaticMapping(1, TCP, ip(HOST_B), 80, ip(PUBLIC), 80);
            commands.openInboundMapping(2, TCP, ip(HOST_B), 80, 0, 0, LIFETIME_NS);
            commands.openInboundMapping(3, 47, ip(HOST_A), 80, 0, 0, LIFETIME_NS);
            commands.openInboundMapping(4, TCP, ip(HOST_A), 0, 0, 0, LIFETIME_NS);
            commands.openInboundMapping(5, TCP, ip(HOST_A), 80, 0, 0, 0);
            commands.openInboundMapping(6, TCP, ip(HOST_B), 81, 0, 0, LIFETIME_NS);
            commands.closeInboundMapping(7, TCP, ip(HOST_B), 80);
        });
        assertEquals(java.util.List.of(CommandStatus.OK, CommandStatus.CONFLICTS_WITH_STATIC, CommandStatus.BAD_ARGUMENT,
            CommandStatus.BAD_ARGUMENT, CommandStatus.BAD_ARGUMENT, CommandStatus.QUOTA_EXCEEDED, CommandStatus.NOT_FOUND),
            nat.events.completions.stream().map(NatHarness.Completion::status).toList());
    }

    @Test
    @DisplayName("commands on a full mapping table reclaim expired dynamic mappings first")
    void shouldReclaimExpiredMappingsForCommands()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxSessions(2));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_A, 5001, REMOTE_1, 53, PAYLOAD), 0);
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 0); // answered: early drop keeps them
        nat.in(udp(REMOTE_1, 53, PUBLIC, 5001, PAYLOAD), 0);
        nat.command(MINUTE_NS, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 80, ip(PUBLIC), 80));
        assertEquals(CommandStatus.TABLE_FULL, nat.lastCompletion().status());

        final long laterNs = NatConfig.UDP_TIMEOUT_DEFAULT_NS + SECOND_NS;
        nat.command(laterNs, commands ->
        {
            commands.addStaticMapping(2, TCP, ip(HOST_B), 80, ip(PUBLIC), 80);
            commands.openInboundMapping(3, UDP, ip(HOST_B), 53, 53, 0, LIFETIME_NS);
        });
        assertEquals(CommandStatus.OK, nat.events.completions.get(1).status());
        assertEquals(CommandStatus.OK, nat.lastCompletion().status());
        assertEquals(2, nat.counters.get(GlobalCounter.SESSIONS_RECLAIMED));
    }
}
