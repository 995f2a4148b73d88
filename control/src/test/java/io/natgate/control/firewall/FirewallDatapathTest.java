package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatEngine;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import static io.natgate.control.config.FirewallRuleConfig.Action.ALLOW;
import static io.natgate.control.config.FirewallRuleConfig.Action.DENY;
import static io.natgate.control.config.FirewallRuleConfig.Direction.INBOUND;
import static io.natgate.control.config.FirewallRuleConfig.Direction.OUTBOUND;
import static io.natgate.control.firewall.FirewallHarness.CLIENT;
import static io.natgate.control.firewall.FirewallHarness.OTHER_REMOTE;
import static io.natgate.control.firewall.FirewallHarness.PUBLIC;
import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.SECOND_NS;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.allowIn;
import static io.natgate.control.firewall.FirewallHarness.dropReason;
import static io.natgate.control.firewall.FirewallHarness.ip;
import static io.natgate.control.firewall.FirewallHarness.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Sessions and rules as the datapath sees them: packets through an in-memory NAT engine whose slow
 * path consults the firewall's compiled policy. An inbound primary connection reaches an inside
 * client only through a session that allows it.
 */
class FirewallDatapathTest
{
    private static final int TCP = Ipv4Protocols.TCP;

    @Test
    void shouldDeliverInboundSynToClientOnlyWhileTheSessionThatAllowsItIsOpen()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("ssh-in", "tcp", 22)));
        assertEquals(DropReason.NO_MAPPING, dropReason(harness.synIn(REMOTE, 40000, 22)), "before any session");

        final FirewallSession session = harness.firewall.createPrivateSession(address(CLIENT), null, null);
        final InboundMapping mapping = session.openInboundMapping(TCP, 22, 2222, null, null);
        assertEquals(new InboundMapping(TCP, ip(CLIENT), 22, ip(PUBLIC), 2222, 0, Firewall.UNTIL_CLOSED_NS, SECOND_NS),
            mapping);
        assertEquals(List.of(mapping), session.inboundMappings());

        final byte[][] delivered = new byte[1][];
        assertEquals(NatEngine.FORWARD, harness.tcpIn(REMOTE, 40000, 2222, TcpSegment.SYN, delivered));
        assertEquals(ip(CLIENT), new UnsafeBuffer(delivered[0]).getInt(16, ByteOrder.BIG_ENDIAN), "to the client");
        assertEquals(NatEngine.FORWARD, harness.tcpOut(CLIENT, 22, REMOTE, 40000, TcpSegment.SYN | TcpSegment.ACK));
        assertEquals(1, harness.engine.sessionCount());

        harness.nowNs += SECOND_NS;
        session.close();
        assertEquals(0, harness.engine.mappingCount(), "closing the session removed its mapping");
        assertEquals(0, harness.engine.sessionCount(), "and the connection that came in through it");
        assertEquals(DropReason.NO_MAPPING, dropReason(harness.synIn(REMOTE, 40001, 2222)));
        assertEquals(List.of(), harness.drainDenials());
    }

    @Test
    void shouldDenyInboundThroughSessionWhenADenyRuleMatchesWithItsReason()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("no-bad-net", DENY, INBOUND, "any", "198.51.100.0/24", 0, null, null),
            allowIn("ssh-in", "tcp", 22)));
        harness.firewall.createPrivateSession(address(CLIENT), null, null).openInboundMapping(TCP, 22, 0, null, null);

        harness.nowNs = 5 * SECOND_NS;
        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 22)));
        assertEquals(0, harness.engine.sessionCount());
        assertEquals(List.of(new FirewallHarness.Denial(5 * SECOND_NS, DenialReason.POLICY_RULES_DENIED, true, TCP,
            ip(REMOTE), 40000, ip(CLIENT), 22, "no-bad-net", 0)), harness.drainDenials());

        assertEquals(NatEngine.FORWARD, harness.synIn(OTHER_REMOTE, 40000, 22));
    }

    @Test
    void shouldDenyInboundByDefaultWhenNoRuleAllowsItEvenThroughASession()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("ssh-in", "tcp", 22)));
        final FirewallSession session = harness.firewall.getClientSession(address(CLIENT));
        session.openInboundMapping(TCP, 23, 0, null, null);

        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 23)));
        assertEquals(DenialReason.POLICY_RULES_DENIED, harness.drainDenials().getFirst().reason());
        assertNull(harness.events.denials.getFirst().rule(), "no rule matched: the default denied");
    }

    @Test
    void shouldNotDirectInboundThroughMappingTheSessionDidNotOpen()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("ssh-in", "tcp", 22)));
        harness.firewall.getClientSession(address(CLIENT));
        harness.submit((commands, id) -> commands.openInboundMapping(id, TCP, ip(CLIENT), 22, 22, 0, 60 * SECOND_NS));

        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 22)));
        assertEquals(DenialReason.NO_SESSION, harness.drainDenials().getFirst().reason());
    }

    @Test
    void shouldReachClientAsAuthenticatedUserOnlyThroughThatUsersSession()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null)));
        final FirewallSession anonymous = harness.firewall.createPrivateSession(address(CLIENT), null, null);
        anonymous.openInboundMapping(TCP, 3389, 3389, null, null);
        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 3389)));
        assertEquals(DenialReason.NOT_AUTHENTICATED, harness.drainDenials().getFirst().reason());

        anonymous.close();
        harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"))
            .openInboundMapping(TCP, 3389, 3389, null, null);
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 3389));
    }

    @Test
    void shouldLetOnlyTheNamedRemoteThroughASessionsMappingAndCloseItAlone()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("any-in", "any", 0)));
        final FirewallSession session = harness.firewall.createPrivateSession(address(CLIENT), null, null);
        session.openInboundMapping(TCP, 22, 0, InetAddress.ofLiteral(REMOTE), Duration.ofMinutes(5));
        session.openInboundMapping(TCP, 80, 0, null, null);

        assertEquals(DropReason.FILTERED, dropReason(harness.synIn(OTHER_REMOTE, 40000, 22)));
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 22));

        session.closeInboundMapping(TCP, 22);
        assertEquals(DropReason.NO_MAPPING, dropReason(harness.synIn(REMOTE, 40001, 22)));
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40001, 80), "the session's other mapping stays");
        assertThrows(NoSuchElementException.class, () -> session.closeInboundMapping(TCP, 22));
    }

    @Test
    void shouldRefuseMappingTheNatCannotGrantAsNatAddressNotAvailable()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("web-in", "tcp", 80)));
        harness.submit((commands, id) -> commands.addStaticMapping(id, TCP, ip(CLIENT), 80, ip(PUBLIC), 8080));
        final FirewallSession session = harness.firewall.getClientSession(address(CLIENT));

        final FirewallException refused =
            assertThrows(FirewallException.class, () -> session.openInboundMapping(TCP, 80, 0, null, null));
        assertEquals(DenialReason.NAT_ADDRESS_NOT_AVAILABLE, refused.reason());
        assertEquals("inbound tcp mapping to 10.0.0.7:80 refused by the NAT: inside endpoint has a static mapping" +
            " (NAT_ADDRESS_NOT_AVAILABLE)", refused.getMessage());
        assertEquals(List.of(), session.inboundMappings());
        assertEquals(new AccessDecision(true, null, null), session.checkInbound(TCP, address(REMOTE, 1), 80));
    }

    @Test
    void shouldDropOutboundFlowADenyRuleRefusesWithItsReason()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("no-smtp", DENY, OUTBOUND, "tcp", null, 25, null, null)));

        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.tcpOut(CLIENT, 5000, REMOTE, 25, TcpSegment.SYN)));
        assertEquals(NatEngine.FORWARD, harness.tcpOut(CLIENT, 5000, REMOTE, 587, TcpSegment.SYN));
        assertEquals(List.of(new FirewallHarness.Denial(SECOND_NS, DenialReason.POLICY_RULES_DENIED, false, TCP,
            ip(CLIENT), 5000, ip(REMOTE), 25, "no-smtp", 0)), harness.drainDenials());
    }

    @Test
    void shouldNotChangeHowAPlainFlowFromTheAddressIsJudgedWhenAlicesPrivateSessionIsOpen()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-out", ALLOW, OUTBOUND, "tcp", null, 443, "alice", null),
            rule("no-https", DENY, OUTBOUND, "tcp", null, 443, null, null),
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null)));
        final FirewallSession client = harness.firewall.getClientSession(address(CLIENT));
        client.openInboundMapping(TCP, 3389, 3389, null, null); // the client's own mapping (as PCP opens it)
        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.tcpOut(CLIENT, 5000, REMOTE, 443, TcpSegment.SYN)),
            "before alice's session");
        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 3389)));
        harness.drainDenials();

        final FirewallSession alice =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));
        assertEquals(AccessDecision.ALLOWED, alice.checkOutbound(TCP, address(REMOTE, 443)),
            "the proxy's own connection for alice is alice's");

        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.tcpOut(CLIENT, 5001, REMOTE, 443, TcpSegment.SYN)),
            "a plain outbound flow from the same address is still judged without a user");
        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40001, 3389)),
            "an inbound connection through the client session's mapping too");
        assertEquals(List.of(
            new FirewallHarness.Denial(SECOND_NS, DenialReason.NOT_AUTHENTICATED, false, TCP, ip(CLIENT), 5001, ip(REMOTE),
                443, "alice-out", 0),
            new FirewallHarness.Denial(SECOND_NS, DenialReason.NOT_AUTHENTICATED, true, TCP, ip(REMOTE), 40001,
                ip(CLIENT), 3389, "alice-rdp", 0)), harness.drainDenials());
        assertEquals(new AccessDecision(false, DenialReason.NOT_AUTHENTICATED, "alice-out"),
            client.checkOutbound(TCP, address(REMOTE, 443)));
    }

    @Test
    void shouldJudgeTwoPrivateSessionsOnOneAddressEachByItsOwnUserBesideAPcpSession()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null),
            rule("bob-ssh", ALLOW, INBOUND, "tcp", null, 22, "bob", null),
            rule("web", ALLOW, INBOUND, "tcp", null, 8080, null, null)));
        final FirewallSession pcp = harness.firewall.getClientSession(address(CLIENT));
        pcp.openInboundMapping(TCP, 8080, 8080, null, Duration.ofMinutes(10));
        final FirewallSession alice =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));
        final FirewallSession bob =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("bob"));
        alice.openInboundMapping(TCP, 3389, 3389, null, null);
        bob.openInboundMapping(TCP, 22, 2222, null, null);
        final FirewallSession bobsOther =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("bob"));
        bobsOther.openInboundMapping(TCP, 3390, 3390, null, null);

        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 3389), "alice's mapping, alice's rule");
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 2222), "bob's mapping, bob's rule");
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 8080), "the PCP mapping, a rule for anyone");
        assertEquals(List.of(), harness.drainDenials());
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, null),
            alice.checkInbound(TCP, address(REMOTE, 1), 22), "bob's rule is not alice's");
        assertEquals(new AccessDecision(false, DenialReason.POLICY_RULES_DENIED, null),
            bob.checkInbound(TCP, address(REMOTE, 1), 3389), "nor alice's bob's");
        assertEquals(new AccessDecision(false, DenialReason.NOT_AUTHENTICATED, "alice-rdp"),
            pcp.checkInbound(TCP, address(REMOTE, 1), 3389), "nor either the client session's");

        alice.close();
        assertEquals(DropReason.NO_MAPPING, dropReason(harness.synIn(REMOTE, 40001, 3389)), "alice's mapping closed");
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40001, 2222), "closing alice's session left bob's");
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40001, 8080), "and the PCP mapping");
        assertEquals(List.of(3, 2), List.of(harness.engine.mappingCount(), bob.inboundMappings().size() +
            pcp.inboundMappings().size()));
    }

    @Test
    void shouldJudgeAnInboundConnectionBySessionThatOpenedItsMappingNotByAnotherOfTheAddress()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null)));
        final FirewallSession anonymous = harness.firewall.createPrivateSession(address(CLIENT), null, null);
        anonymous.openInboundMapping(TCP, 3389, 3389, null, null);
        harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));

        assertEquals(DropReason.FILTERED_BY_POLICY, dropReason(harness.synIn(REMOTE, 40000, 3389)),
            "alice's session on the address does not admit what the anonymous one opened");
        assertEquals(DenialReason.NOT_AUTHENTICATED, harness.drainDenials().getFirst().reason());
    }

    @Test
    void shouldRefuseAMappingAnotherSessionOfTheClientHolds()
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("ssh-in", "tcp", 22)));
        final FirewallSession alice =
            harness.firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));
        alice.openInboundMapping(TCP, 22, 0, null, null);
        final FirewallSession client = harness.firewall.getClientSession(address(CLIENT));

        final FirewallException held =
            assertThrows(FirewallException.class, () -> client.openInboundMapping(TCP, 22, 0, null, null));
        assertEquals(DenialReason.MAPPING_HELD, held.reason());
        assertEquals("inbound tcp mapping to 10.0.0.7:22 belongs to session 1 (private, 10.0.0.7, user alice); it " +
            "directs that port until it closes the mapping (MAPPING_HELD)", held.getMessage());
        assertEquals(List.of(), client.inboundMappings());
        assertEquals(1, alice.inboundMappings().size());

        alice.close();
        client.openInboundMapping(TCP, 22, 0, null, null);
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 22), "free again once alice's session closed");
    }
}
