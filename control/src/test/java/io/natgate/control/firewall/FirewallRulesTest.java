package io.natgate.control.firewall;

import io.natgate.bindings.testing.Allocations;
import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.nat.FlowPolicy;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.natgate.control.config.FirewallRuleConfig.Action.ALLOW;
import static io.natgate.control.config.FirewallRuleConfig.Action.DENY;
import static io.natgate.control.config.FirewallRuleConfig.Direction.INBOUND;
import static io.natgate.control.config.FirewallRuleConfig.Direction.OUTBOUND;
import static io.natgate.control.firewall.FirewallHarness.CLIENT;
import static io.natgate.control.firewall.FirewallHarness.OTHER_CLIENT;
import static io.natgate.control.firewall.FirewallHarness.OTHER_REMOTE;
import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.ip;
import static io.natgate.control.firewall.FirewallHarness.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules half of DESIGN.md's firewall section, as the compiled policy decides: ordered rules,
 * rules that need a user, the defaults, and the reason every denial carries.
 */
class FirewallRulesTest
{
    private static final int TCP = Ipv4Protocols.TCP;
    private static final int UDP = Ipv4Protocols.UDP;
    private static final AccessDecision ALLOWED = AccessDecision.ALLOWED;

    @Test
    void shouldEvaluateRulesInOrderTheFirstMatchDeciding()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("no-smtp-from-printer", DENY, OUTBOUND, "tcp", "10.0.0.8/32", 25, null, null),
            rule("smtp", ALLOW, OUTBOUND, "tcp", null, 25, null, null),
            rule("no-smtp", DENY, OUTBOUND, "tcp", null, 25, null, null)));
        final FirewallSession client = harness.firewall.getClientSession(address(CLIENT));
        final FirewallSession printer = harness.firewall.getClientSession(address(OTHER_CLIENT));

        assertEquals(ALLOWED, client.checkOutbound(TCP, address(REMOTE, 25)), "allow before deny");
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, "no-smtp-from-printer"),
            printer.checkOutbound(TCP, address(REMOTE, 25)));
    }

    @Test
    void shouldMatchSourceDestinationProtocolAndPortRange()
    {
        final FirewallRuleConfig noDns = new FirewallRuleConfig("no-foreign-dns", DENY, OUTBOUND, "udp",
            Ipv4Prefix.parseNetwork("10.0.0.0/24"), Ipv4Prefix.parseNetwork("198.51.100.0/24"), 53, 54, null, null);
        final FirewallHarness harness = new FirewallHarness(List.of(noDns));
        final FirewallSession session = harness.firewall.getClientSession(address(CLIENT));
        final AccessDecision denied = new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, "no-foreign-dns");

        assertEquals(denied, session.checkOutbound(UDP, address(REMOTE, 53)));
        assertEquals(denied, session.checkOutbound(UDP, address(REMOTE, 54)));
        assertEquals(ALLOWED, session.checkOutbound(UDP, address(REMOTE, 55)), "port beyond the range");
        assertEquals(ALLOWED, session.checkOutbound(TCP, address(REMOTE, 53)), "other protocol");
        assertEquals(ALLOWED, session.checkOutbound(UDP, address(OTHER_REMOTE, 53)), "other destination");
        assertEquals(ALLOWED, session.checkOutbound(Ipv4Protocols.ICMP, address(REMOTE, 0)), "a port rule is tcp/udp");
        final FirewallSession dmz = harness.firewall.getClientSession(address(FirewallHarness.DMZ_CLIENT));
        assertEquals(ALLOWED, dmz.checkOutbound(UDP, address(REMOTE, 53)), "other source");
    }

    @Test
    void shouldNeverMatchAuthenticatedRuleForAnonymousSession()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-anything", ALLOW, OUTBOUND, "any", null, 0, "alice", null),
            rule("admins-anything", ALLOW, OUTBOUND, "any", null, 0, null, "admins"),
            rule("nothing-else-out", DENY, OUTBOUND, "any", null, 0, null, null)));
        final FirewallSession anonymous = harness.firewall.createPrivateSession(address(CLIENT), null, null);
        final FirewallSession client = harness.firewall.getClientSession(address(OTHER_CLIENT));

        for (final FirewallSession session : List.of(anonymous, client))
        {
            assertEquals(new AccessDecision(false, DenialReason.NOT_AUTHENTICATED, "alice-anything"),
                session.checkOutbound(TCP, address(REMOTE, 443)), session.toString());
        }
        final FirewallSession alice = harness.firewall.createPrivateSession(
            address(FirewallHarness.DMZ_CLIENT), null, new AuthenticatedUser("alice"));
        assertEquals(ALLOWED, alice.checkOutbound(TCP, address(REMOTE, 443)));
        final FirewallSession bob = harness.firewall.createPrivateSession(
            address(FirewallHarness.ROUTED_CLIENT), null, new AuthenticatedUser("bob"));
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, "nothing-else-out"),
            bob.checkOutbound(TCP, address(REMOTE, 443)), "authenticated as someone the rules do not name");
    }

    @Test
    void shouldMatchUserRuleForItsUserAndGroupRuleForAMember()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null),
            rule("admins-ssh", ALLOW, INBOUND, "tcp", null, 22, null, "admins")));
        final FirewallSession alice = harness.firewall.createPrivateSession(address(CLIENT), null,
            new AuthenticatedUser("alice", Set.of("staff")));
        final FirewallSession bob = harness.firewall.createPrivateSession(address(OTHER_CLIENT), null,
            new AuthenticatedUser("bob", Set.of("admins")));

        assertEquals(ALLOWED, alice.checkInbound(TCP, address(REMOTE, 4000), 3389));
        assertEquals(ALLOWED, bob.checkInbound(TCP, address(REMOTE, 4000), 22));
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, null),
            alice.checkInbound(TCP, address(REMOTE, 4000), 22), "authenticated, but not an admin: no rule matches");
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, null),
            bob.checkInbound(TCP, address(REMOTE, 4000), 3389));
    }

    @Test
    void shouldAllowOutboundWhenNoRuleMatches()
    {
        final FirewallHarness harness = new FirewallHarness(List.of());
        assertEquals(ALLOWED, harness.firewall.getClientSession(address(CLIENT)).checkOutbound(TCP, address(REMOTE, 1)));
        assertTrue(harness.firewall.policy().allowOutbound(0, TCP, ip(OTHER_CLIENT), 5000, ip(REMOTE), 80),
            "a client without a session too");
    }

    @Test
    void shouldDenyInboundPrimaryConnectionByDefault()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("ssh-in", ALLOW, INBOUND, "tcp", null, 22, null, null)));
        final FirewallSession session = harness.firewall.createPrivateSession(address(CLIENT), null, null);

        assertEquals(ALLOWED, session.checkInbound(TCP, address(REMOTE, 4000), 22));
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, null),
            session.checkInbound(TCP, address(REMOTE, 4000), 23));
    }

    @Test
    void shouldAllowInboundThroughTheClientsOwnOrAStaticMappingUnlessADenyRuleMatches()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("no-bad-net", DENY, INBOUND, "any", "198.51.100.0/24", 0, null, null)));
        final FlowPolicy policy = harness.firewall.policy();

        for (final MappingKind kind : List.of(MappingKind.DYNAMIC, MappingKind.STATIC))
        {
            assertTrue(policy.allowInbound(0, UDP, ip(OTHER_REMOTE), 53, ip(CLIENT), 5000, kind), kind.name());
            assertFalse(policy.allowInbound(0, UDP, ip(REMOTE), 53, ip(CLIENT), 5000, kind), kind.name());
        }
    }

    @Test
    void shouldDenyInboundThroughAControlPlaneMappingNoSessionDirects()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("all-in", ALLOW, INBOUND, "any", null, 0, null, null)));
        harness.firewall.getClientSession(address(CLIENT)); // a session, but it opened no mapping

        assertFalse(harness.firewall.policy().allowInbound(
            0, TCP, ip(REMOTE), 4000, ip(CLIENT), 22, MappingKind.INBOUND));
        assertEquals(List.of(new FirewallHarness.Denial(0, DenialReason.NO_SESSION, true, TCP, ip(REMOTE), 4000,
            ip(CLIENT), 22, null, 0)), harness.drainDenials());
    }

    @Test
    void shouldRefuseRulesThatCannotBeCompiled()
    {
        final FirewallRuleConfig both = rule("both", ALLOW, INBOUND, "tcp", null, 22, "alice", "admins");
        assertEquals("firewall rule both: a rule names a user or a group, not both",
            assertThrows(IllegalArgumentException.class, () -> new FirewallHarness(List.of(both))).getMessage());

        final FirewallRuleConfig icmpPorts = new FirewallRuleConfig("pings", ALLOW, INBOUND, "icmp", Ipv4Prefix.ANY,
            Ipv4Prefix.ANY, 1, 2, null, null);
        assertEquals("firewall rule pings: ports need protocol tcp or udp",
            assertThrows(IllegalArgumentException.class, () -> new FirewallHarness(List.of(icmpPorts))).getMessage());
    }

    @Test
    void shouldDecideNewFlowsWithoutAllocating()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null),
            rule("no-telnet", DENY, OUTBOUND, "tcp", null, 23, null, null)));
        harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"))
            .openInboundMapping(TCP, 3389, 0, null, null);
        final FlowPolicy policy = harness.firewall.policy();
        final int client = ip(CLIENT);
        final int remote = ip(REMOTE);
        final int stranger = ip(OTHER_CLIENT);
        final boolean[] decided = new boolean[4];

        final long bytes = Allocations.bytesAllocatedAfterWarmUp(10, 10, () ->
        {
            for (int i = 0; i < 10_000; i++)
            {
                decided[0] = policy.allowOutbound(i, TCP, client, 5000, remote, 443);
                decided[1] = policy.allowOutbound(i, TCP, client, 5000, remote, 23);
                decided[2] = policy.allowInbound(i, TCP, remote, 4000, client, 3389, MappingKind.INBOUND);
                decided[3] = policy.allowInbound(i, TCP, remote, 4000, stranger, 3389, MappingKind.INBOUND);
            }
        });
        assertEquals(0, bytes, "bytes allocated deciding 40,000 flows, denials recorded included");
        assertTrue(decided[0] && !decided[1] && decided[2] && !decided[3]);
    }
}
