package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.natgate.control.firewall.FirewallHarness.CLIENT;
import static io.natgate.control.firewall.FirewallHarness.DMZ_CLIENT;
import static io.natgate.control.firewall.FirewallHarness.OTHER_CLIENT;
import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.ROUTED_CLIENT;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.allowIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session half of DESIGN.md's firewall section: createPrivateSession (a new session on every call,
 * several per client address) and getClientSession (the one client session of a SecureNAT client, never
 * a private one), the inside port each is on, session flags, terminated sessions.
 */
class FirewallSessionsTest
{
    private final FirewallHarness harness = new FirewallHarness(List.of(allowIn("ssh-in", "tcp", 22)));
    private final Firewall firewall = harness.firewall;

    @Test
    void shouldPickInsideInterfaceFacingClientWhenInternalAddressIsNull()
    {
        final FirewallSession onLan = firewall.createPrivateSession(address(CLIENT, 5000), null, null);
        assertEquals("lan", onLan.interfaceName());
        assertEquals(address("10.0.0.1"), onLan.internalAddress());

        final FirewallSession onDmz = firewall.createPrivateSession(address(DMZ_CLIENT), null, null);
        assertEquals("dmz", onDmz.interfaceName());
        assertEquals(address("172.16.0.1"), onDmz.internalAddress());

        final FirewallSession beyondRouter = firewall.createPrivateSession(address(ROUTED_CLIENT), null, null);
        assertEquals("dmz", beyondRouter.interfaceName(), "the inside port whose routes hold the routed client");
        assertEquals(address("172.16.0.1"), beyondRouter.internalAddress());
    }

    @Test
    void shouldRefuseOutsideAndWanSubnetAddressesWithTheReasonWhenInternalAddressIsNull()
    {
        final FirewallException outside = assertThrows(FirewallException.class,
            () -> firewall.createPrivateSession(address(REMOTE), null, new AuthenticatedUser("alice")));
        assertEquals(DenialReason.NETWORK_RULES_DENIED, outside.reason());
        assertEquals("no inside interface reaches client 198.51.100.7: no inside network or route holds it (inside: " +
            "lan 10.0.0.1/24, dmz 172.16.0.1/24 routes 192.168.5.0/24) (NETWORK_RULES_DENIED)", outside.getMessage());

        final FirewallException wanSubnet = assertThrows(FirewallException.class,
            () -> firewall.createPrivateSession(address("203.0.113.50"), null, null));
        assertEquals(DenialReason.NETWORK_RULES_DENIED, wanSubnet.reason());
        assertEquals("no inside interface reaches client 203.0.113.50: it is on the outside network of wan " +
            "203.0.113.1/24 (inside: lan 10.0.0.1/24, dmz 172.16.0.1/24 routes 192.168.5.0/24) (NETWORK_RULES_DENIED)",
            wanSubnet.getMessage());
        assertEquals(List.of(), firewall.sessions(), "no session made for either");
    }

    @Test
    void shouldUseInsideInterfaceTheProxyInternalAddressNames()
    {
        final FirewallSession session =
            firewall.createPrivateSession(address(ROUTED_CLIENT, 40000), address("172.16.0.1", 8080), null);
        assertEquals("dmz", session.interfaceName());
        assertEquals(address("172.16.0.1", 8080), session.internalAddress());
        assertEquals(address(ROUTED_CLIENT, 40000), session.clientAddress(), "a private session keeps the client port");
    }

    @Test
    void shouldRefuseProxyInternalAddressThatIsNotAnInsideInterfaceOfThisGateway()
    {
        final FirewallException outside = assertThrows(FirewallException.class,
            () -> firewall.createPrivateSession(address(CLIENT), address("203.0.113.1"), null));
        assertEquals(DenialReason.NETWORK_RULES_DENIED, outside.reason());
        assertEquals("203.0.113.1 is not an internal address of this gateway (inside: lan 10.0.0.1/24, dmz " +
            "172.16.0.1/24 routes 192.168.5.0/24) (NETWORK_RULES_DENIED)", outside.getMessage());

        final FirewallException unreachable = assertThrows(FirewallException.class,
            () -> firewall.createPrivateSession(address(ROUTED_CLIENT), address("10.0.0.1"), null));
        assertEquals(DenialReason.NETWORK_RULES_DENIED, unreachable.reason());
        assertEquals("client 192.168.5.5 is not reachable through inside interface lan 10.0.0.1/24 (not on its " +
            "network nor in its routes) (NETWORK_RULES_DENIED)", unreachable.getMessage());
        assertEquals(List.of(), firewall.sessions());
    }

    @Test
    void shouldMatchRulesOnClientAddressOnlyWhenUserIsNull()
    {
        final FirewallHarness ruled = new FirewallHarness(List.of(
            FirewallHarness.rule("alice-ssh", FirewallRuleConfig.Action.ALLOW, FirewallRuleConfig.Direction.INBOUND,
                "tcp", null, 22, "alice", null),
            FirewallHarness.rule("lan-web", FirewallRuleConfig.Action.ALLOW, FirewallRuleConfig.Direction.INBOUND,
                "tcp", null, 80, null, null)));
        final FirewallSession anonymous = ruled.firewall.createPrivateSession(address(CLIENT), null, null);

        assertNull(anonymous.authenticatedUser());
        assertEquals(EnumSet.of(SessionFlag.PRIVATE), anonymous.flags());
        assertTrue(anonymous.checkInbound(Ipv4Protocols.TCP, address(REMOTE, 4000), 80).allowed(),
            "rules on the address alone match");
        assertEquals(new AccessDecision(false, DenialReason.NOT_AUTHENTICATED, "alice-ssh"),
            anonymous.checkInbound(Ipv4Protocols.TCP, address(REMOTE, 4000), 22));
    }

    @Test
    void shouldGetClientSessionIgnoringPortOnePerClientAddress()
    {
        final FirewallSession first = firewall.getClientSession(address(CLIENT, 1234));
        final FirewallSession second = firewall.getClientSession(address(CLIENT, 5555));

        assertSame(first, second);
        assertEquals(address(CLIENT, 0), first.clientAddress());
        assertEquals(EnumSet.of(SessionFlag.NAT), first.flags());
        assertEquals("lan", first.interfaceName());
        assertEquals(1, firewall.sessions().size());
        assertEquals(1, harness.events.sessions.size(), "created once");
    }

    @Test
    void shouldGiveAClientSessionToEveryAddressAnInsidePortRoutesDirectlyOrBehindAnInsideRouter()
    {
        assertEquals("lan", firewall.getClientSession(address(CLIENT)).interfaceName());
        assertEquals("dmz", firewall.getClientSession(address(DMZ_CLIENT)).interfaceName());
        final FirewallSession routed = firewall.getClientSession(address(ROUTED_CLIENT));
        assertEquals("dmz", routed.interfaceName(), "behind the dmz's router, in its routes");
        assertEquals(EnumSet.of(SessionFlag.NAT), routed.flags());
    }

    @Test
    void shouldRefuseClientSessionForAddressNoInsidePortRoutesWithTheReason()
    {
        final Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put(REMOTE, "198.51.100.7 is not a SecureNAT client of this gateway: no inside network or route " +
            "holds it (inside: lan 10.0.0.1/24, dmz 172.16.0.1/24 routes 192.168.5.0/24)");
        refusals.put("203.0.113.50", "203.0.113.50 is not a SecureNAT client of this gateway: it is on the outside " +
            "network of wan 203.0.113.1/24 (inside: lan 10.0.0.1/24, dmz 172.16.0.1/24 routes 192.168.5.0/24)");
        refusals.put("10.0.0.1", "10.0.0.1 is the gateway's own address, not a client");
        refusals.put("10.0.0.255", "10.0.0.255 is the network or broadcast address of lan 10.0.0.1/24, not a client");
        refusals.put("10.0.0.0", "10.0.0.0 is the network or broadcast address of lan 10.0.0.1/24, not a client");
        refusals.forEach((notAClient, message) ->
        {
            final FirewallException refused =
                assertThrows(FirewallException.class, () -> firewall.getClientSession(address(notAClient)));
            assertEquals(DenialReason.NETWORK_RULES_DENIED, refused.reason(), notAClient);
            assertEquals(message + " (NETWORK_RULES_DENIED)", refused.getMessage());
        });
        assertEquals(List.of(), firewall.sessions());
    }

    @Test
    void shouldNeverReturnAPrivateSessionFromGetClientSession()
    {
        final FirewallSession alice =
            firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("alice"));
        final FirewallSession client = firewall.getClientSession(address(CLIENT, 80));

        assertNotSame(alice, client);
        assertEquals(EnumSet.of(SessionFlag.NAT), client.flags());
        assertNull(client.authenticatedUser());
        assertSame(client, firewall.getClientSession(address(CLIENT)));
    }

    @Test
    void shouldOpenTwoPrivateSessionsOnOneAddressAtOnceBesideItsClientSession()
    {
        final FirewallSession client = firewall.getClientSession(address(CLIENT)); // as a PCP request makes it
        client.openInboundMapping(Ipv4Protocols.UDP, 5353, 0, null, null);
        final FirewallSession alice =
            firewall.createPrivateSession(address(CLIENT, 9), null, new AuthenticatedUser("alice"));
        final FirewallSession bob = firewall.createPrivateSession(address(CLIENT, 10), null, new AuthenticatedUser("bob"));
        final FirewallSession anonymous = firewall.createPrivateSession(address(CLIENT), null, null);

        assertEquals(List.of(client, alice, bob, anonymous), firewall.sessions());
        assertEquals(List.of("alice", "bob"),
            List.of(alice.authenticatedUser().name(), bob.authenticatedUser().name()));
        assertEquals(4, List.of(client.id(), alice.id(), bob.id(), anonymous.id()).stream().distinct().count());
    }

    @Test
    void shouldRefuseMorePrivateSessionsOnOneAddressThanTheLimit()
    {
        for (int i = 0; i < Firewall.MAX_PRIVATE_SESSIONS_PER_CLIENT; i++)
        {
            firewall.createPrivateSession(address(CLIENT), null, new AuthenticatedUser("user" + i));
        }
        final FirewallException refused = assertThrows(FirewallException.class,
            () -> firewall.createPrivateSession(address(CLIENT), null, null));
        assertEquals(DenialReason.SESSION_LIMIT, refused.reason());
        assertEquals("10.0.0.7 has 64 private sessions open, the most a client may have; close one first " +
            "(SESSION_LIMIT)", refused.getMessage());

        firewall.createPrivateSession(address(OTHER_CLIENT), null, null); // another address is not limited by it
        firewall.getClientSession(address(CLIENT)); // nor is the client session
        firewall.sessions().getFirst().close();
        firewall.createPrivateSession(address(CLIENT), null, null); // one closed: room for one
    }

    @Test
    void shouldFlagSessionsNatPrivateAuthenticatedAndTerminated()
    {
        final FirewallSession client = firewall.getClientSession(address(CLIENT));
        final FirewallSession anonymous = firewall.createPrivateSession(address(OTHER_CLIENT), null, null);
        final FirewallSession alice = firewall.createPrivateSession(address(DMZ_CLIENT), null,
            new AuthenticatedUser("alice", Set.of("admins")));

        assertEquals(EnumSet.of(SessionFlag.NAT), client.flags());
        assertEquals(EnumSet.of(SessionFlag.PRIVATE), anonymous.flags());
        assertEquals(EnumSet.of(SessionFlag.PRIVATE, SessionFlag.AUTHENTICATED), alice.flags());

        alice.close();
        assertEquals(EnumSet.of(SessionFlag.PRIVATE, SessionFlag.AUTHENTICATED, SessionFlag.TERMINATED), alice.flags());
        assertTrue(alice.isTerminated());
        assertFalse(client.isTerminated());
    }

    @Test
    void shouldRefuseUseOfTerminatedSession()
    {
        final FirewallSession session = firewall.createPrivateSession(address(CLIENT), null, null);
        session.openInboundMapping(Ipv4Protocols.TCP, 22, 0, null, null);
        session.close();

        final List<Runnable> uses = List.of(
            () -> session.checkOutbound(Ipv4Protocols.TCP, address(REMOTE, 443)),
            () -> session.checkInbound(Ipv4Protocols.TCP, address(REMOTE, 4000), 22),
            () -> session.openInboundMapping(Ipv4Protocols.TCP, 22, 0, null, null),
            () -> session.closeInboundMapping(Ipv4Protocols.TCP, 22));
        for (final Runnable use : uses)
        {
            final FirewallException refused = assertThrows(FirewallException.class, use::run);
            assertEquals(DenialReason.SESSION_TERMINATED, refused.reason());
            assertEquals("session 1 (private, 10.0.0.7) was terminated; it directs nothing and cannot be used: " +
                "open a new session (SESSION_TERMINATED)", refused.getMessage());
        }
        assertEquals(List.of(), session.inboundMappings());
        session.close(); // terminating again does nothing
        assertEquals(2, harness.events.sessions.size(), "one open, one close");

        final FirewallSession next = firewall.getClientSession(address(CLIENT));
        assertEquals(2, next.id(), "the client gets a new session");
        assertEquals(List.of(next, session), firewall.sessions(), "open sessions, then recently closed ones");
    }

    @Test
    void shouldRefuseIpv6AndUnresolvedAddressesClearly() throws Exception
    {
        final InetSocketAddress ipv6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 80);
        final IllegalArgumentException v6 =
            assertThrows(IllegalArgumentException.class, () -> firewall.createPrivateSession(ipv6, null, null));
        assertEquals("client address 2001:db8:0:0:0:0:0:7 is IPv6: natgate's firewall sessions are IPv4 only (NAT44)",
            v6.getMessage());
        assertThrows(IllegalArgumentException.class, () -> firewall.getClientSession(ipv6));

        final IllegalArgumentException unresolved = assertThrows(IllegalArgumentException.class,
            () -> firewall.getClientSession(InetSocketAddress.createUnresolved("printer.lan", 0)));
        assertEquals("client address printer.lan is not resolved: give an IPv4 address", unresolved.getMessage());
        assertThrows(IllegalArgumentException.class, () -> firewall.getClientSession(null));
    }
}
