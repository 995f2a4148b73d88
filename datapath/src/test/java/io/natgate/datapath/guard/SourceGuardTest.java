package io.natgate.datapath.guard;

import io.natgate.datapath.forward.InsideRoute;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.port.LinkLayer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceGuardTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;

    private final SourceGuard guard = new SourceGuard(new PortSettings[] {
        new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500, ip("10.0.0.1"), 24,
            0),
        new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_0002L, 1500,
            ip("203.0.113.1"), 24, ip("203.0.113.254"))}, List.of(), new int[] {ip("203.0.113.1"), ip("203.0.113.9")});

    @Test
    void shouldRefuseSourcesValidNowhereOnEveryPort()
    {
        for (final String source : new String[] {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9", "169.254.1.1",
            "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"})
        {
            assertFalse(guard.isValidSource(INSIDE, ip(source)), source);
            assertFalse(guard.isValidSource(OUTSIDE, ip(source)), source);
        }
    }

    @Test
    void shouldRefuseTheGatewaysOwnAddressesOnEveryPort()
    {
        for (final String source : new String[] {"10.0.0.1", "203.0.113.1", "203.0.113.9"})
        {
            assertFalse(guard.isValidSource(INSIDE, ip(source)), source);
            assertFalse(guard.isValidSource(OUTSIDE, ip(source)), source);
        }
    }

    @Test
    void shouldAcceptOnlyHostsOfTheInsideNetworkOnTheInsidePort()
    {
        assertTrue(guard.isValidSource(INSIDE, ip("10.0.0.2")));
        assertTrue(guard.isValidSource(INSIDE, ip("10.0.0.254")));
        assertFalse(guard.isValidSource(INSIDE, ip("10.0.0.0")), "the network's address");
        assertFalse(guard.isValidSource(INSIDE, ip("10.0.0.255")), "the network's broadcast");
        assertFalse(guard.isValidSource(INSIDE, ip("10.0.1.2")), "another network");
        assertFalse(guard.isValidSource(INSIDE, ip("198.51.100.7")), "an outside address");
    }

    @Test
    void shouldRefuseInsideAddressesArrivingOnTheOutsidePort()
    {
        assertFalse(guard.isValidSource(OUTSIDE, ip("10.0.0.3")));
        assertTrue(guard.isValidSource(OUTSIDE, ip("198.51.100.50")));
        assertTrue(guard.isValidSource(OUTSIDE, ip("203.0.113.2")));
        assertTrue(guard.isValidSource(OUTSIDE, ip("10.0.1.3")), "private but not ours: an upstream may use it");
    }

    @Test
    void shouldTellInsideHostsForTheControlPlanesEntryPoints()
    {
        assertTrue(guard.isInsideHost(ip("10.0.0.7")));
        assertFalse(guard.isInsideHost(ip("10.0.0.1")));
        assertFalse(guard.isInsideHost(ip("10.0.0.255")));
        assertFalse(guard.isInsideHost(ip("127.0.0.1")));
        assertFalse(guard.isInsideHost(ip("198.51.100.7")));
    }

    @Test
    void shouldTakeSourcesBeyondAnInsideRouterOnlyFromTheNetworksConfiguredThere()
    {
        final int routedLan = 2;
        final SourceGuard routed = new SourceGuard(new PortSettings[] {
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500, ip("10.0.0.1"),
                24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_0002L, 1500,
                ip("203.0.113.1"), 24, ip("203.0.113.254")),
            new PortSettings(routedLan, "office", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0003L, 1500,
                ip("10.1.0.1"), 24, ip("10.1.0.254"))},
            List.of(new InsideRoute(routedLan, ip("192.168.5.0"), 24), new InsideRoute(routedLan, ip("192.168.6.0"), 23)),
            new int[] {ip("203.0.113.1")});

        assertTrue(routed.isValidSource(routedLan, ip("192.168.5.9")), "beyond the router, in its routes");
        assertTrue(routed.isValidSource(routedLan, ip("192.168.7.9")));
        assertTrue(routed.isValidSource(routedLan, ip("10.1.0.7")), "on the port's own network");
        assertFalse(routed.isValidSource(routedLan, ip("192.168.8.1")), "beyond the router, in no route of it");
        assertFalse(routed.isValidSource(routedLan, ip("198.51.100.7")), "an outside address");
        assertFalse(routed.isValidSource(INSIDE, ip("192.168.5.9")), "a routed network on another inside port");
        assertFalse(routed.isValidSource(OUTSIDE, ip("192.168.5.9")), "a routed inside network from outside");
        assertTrue(routed.isValidSource(OUTSIDE, ip("192.168.8.1")));
        assertTrue(routed.isInsideHost(ip("192.168.5.9")), "a routed client may use PCP and the firewall");
        assertFalse(routed.isInsideHost(ip("192.168.8.1")));
    }
}
