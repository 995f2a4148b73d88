package io.natgate.control.firewall;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.natgate.control.config.FirewallRuleConfig.Action.DENY;
import static io.natgate.control.config.FirewallRuleConfig.Direction.OUTBOUND;
import static io.natgate.control.firewall.FirewallHarness.CLIENT;
import static io.natgate.control.firewall.FirewallHarness.DMZ_CLIENT;
import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.SECOND_NS;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.dropReason;
import static io.natgate.control.firewall.FirewallHarness.ip;
import static io.natgate.control.firewall.FirewallHarness.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Firewall events for the journal: every session open and close with its time, kind and user, and
 * denials, rate-limited, with the count of those left out.
 */
class FirewallEventsTest
{
    @Test
    void shouldEmitEverySessionOpenAndCloseWithItsTimeKindAndUser()
    {
        final FirewallHarness harness = new FirewallHarness(List.of());
        harness.nowNs = 10 * SECOND_NS;
        final FirewallSession client = harness.firewall.getClientSession(address(CLIENT));
        harness.nowNs = 11 * SECOND_NS;
        final FirewallSession alice = harness.firewall.createPrivateSession(address(DMZ_CLIENT, 7000), null,
            new AuthenticatedUser("alice", Set.of("admins")));
        harness.nowNs = 12 * SECOND_NS;
        alice.close();
        harness.nowNs = 13 * SECOND_NS;
        harness.firewall.shutdown();

        final int nat = SessionFlag.NAT.bit();
        final int privateAuthenticated = SessionFlag.PRIVATE.bit() | SessionFlag.AUTHENTICATED.bit();
        final int terminated = SessionFlag.TERMINATED.bit();
        assertEquals(List.of(
            new FirewallHarness.SessionEvent(true, 10 * SECOND_NS, client.id(), nat, ip(CLIENT), null),
            new FirewallHarness.SessionEvent(true, 11 * SECOND_NS, alice.id(), privateAuthenticated, ip(DMZ_CLIENT),
                "alice"),
            new FirewallHarness.SessionEvent(false, 12 * SECOND_NS, alice.id(), privateAuthenticated | terminated,
                ip(DMZ_CLIENT), "alice"),
            new FirewallHarness.SessionEvent(false, 13 * SECOND_NS, client.id(), nat | terminated, ip(CLIENT), null)),
            harness.events.sessions);
        assertEquals(13 * SECOND_NS, client.closedNs());
    }

    @Test
    void shouldRecordWhichSessionOpenedEachInboundMapping()
    {
        final FirewallHarness harness = new FirewallHarness(List.of());
        final FirewallSession client = harness.firewall.getClientSession(address(CLIENT));
        final FirewallSession alice =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));
        harness.nowNs = 20 * SECOND_NS;
        client.openInboundMapping(Ipv4Protocols.UDP, 5060, 5060, null, Duration.ofMinutes(10));
        alice.openInboundMapping(Ipv4Protocols.TCP, 3389, 3390, InetAddress.ofLiteral(REMOTE), null);
        client.openInboundMapping(Ipv4Protocols.UDP, 5060, 5060, null, Duration.ofMinutes(10)); // renewed, same endpoint

        assertEquals(List.of(
            new FirewallHarness.MappingEvent(20 * SECOND_NS, client.id(), Ipv4Protocols.UDP, ip(CLIENT), 5060,
                ip(FirewallHarness.PUBLIC), 5060, 0),
            new FirewallHarness.MappingEvent(20 * SECOND_NS, alice.id(), Ipv4Protocols.TCP, ip(CLIENT), 3389,
                ip(FirewallHarness.PUBLIC), 3390, ip(REMOTE))), harness.events.mappings);
    }

    @Test
    void shouldRateLimitDenialEventsCountingThoseLeftOut()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("no-telnet", DENY, OUTBOUND, "tcp", null, 23, null, null)), new NatConfig(), 3);
        for (int i = 0; i < 10; i++)
        {
            harness.nowNs = SECOND_NS + i * 50_000_000L;
            assertEquals(DropReason.FILTERED_BY_POLICY,
                dropReason(harness.tcpOut(CLIENT, 5000 + i, REMOTE, 23, TcpSegment.SYN)));
        }
        final List<FirewallHarness.Denial> first = harness.drainDenials();
        assertEquals(List.of(5000, 5001, 5002), first.stream().map(FirewallHarness.Denial::sourcePort).toList(),
            "three a second");
        assertEquals(List.of(0L, 0L, 0L), first.stream().map(FirewallHarness.Denial::suppressedBefore).toList());

        harness.nowNs = 2 * SECOND_NS;
        harness.tcpOut(CLIENT, 6000, REMOTE, 23, TcpSegment.SYN);
        assertEquals(List.of(new FirewallHarness.Denial(2 * SECOND_NS, DenialReason.POLICY_RULES_DENIED, false,
            Ipv4Protocols.TCP, ip(CLIENT), 6000, ip(REMOTE), 23, "no-telnet", 7)),
            harness.drainDenials(), "the next second's first report counts the seven left out");
    }
}
