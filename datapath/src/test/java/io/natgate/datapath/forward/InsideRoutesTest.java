package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.port.LinkLayer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The networks configured beyond inside routers ({@code ports[].routes}) decide which inside port's router
 * traffic for them leaves through, the longest prefix winning.
 */
class InsideRoutesTest
{
    private static final int OFFICE = 0;
    private static final int WAN = 1;
    private static final int LAB = 2;
    private static final List<PortSettings> PORTS = List.of(
        new PortSettings(OFFICE, "office", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500, ip("10.0.0.1"),
            24, ip("10.0.0.254")),
        new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_0002L, 1500, ip("203.0.113.1"),
            24, ip("203.0.113.254")),
        new PortSettings(LAB, "lab", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0003L, 1500, ip("10.1.0.1"), 24,
            ip("10.1.0.254")));

    @Test
    void shouldSendTrafficForARoutedNetworkToThePortWhoseRouterReachesIt()
    {
        final Routes routes = new Routes(PORTS.toArray(new PortSettings[0]), -1, 4, List.of(
            new InsideRoute(OFFICE, ip("192.168.0.0"), 16), new InsideRoute(LAB, ip("192.168.6.0"), 24)));

        assertEquals(OFFICE, routes.byRole(PortRole.INSIDE, ip("192.168.5.9")));
        assertEquals(LAB, routes.byRole(PortRole.INSIDE, ip("192.168.6.9")), "the longer prefix wins");
        assertEquals(LAB, routes.byRole(PortRole.INSIDE, ip("10.1.0.7")), "on a port's own network");
        assertEquals(OFFICE, routes.byRole(PortRole.INSIDE, ip("172.16.0.1")), "in no route: the default inside port");
        assertEquals(WAN, routes.byRole(PortRole.OUTSIDE, ip("192.168.6.9")), "outside routing is not affected");
    }

    @Test
    void shouldRefuseRoutesOfPortsWithoutARouterAndRoutesOverlappingAPort()
    {
        final List<PortSettings> noRouter = List.of(PORTS.get(0), PORTS.get(1),
            new PortSettings(LAB, "lab", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0003L, 1500, ip("10.1.0.1"),
                24, 0));
        assertThrows(ConfigurationException.class, () -> new ForwarderConfig().ports(noRouter)
            .insideRoutes(List.of(new InsideRoute(LAB, ip("192.168.6.0"), 24))).validate());
        assertThrows(ConfigurationException.class, () -> new ForwarderConfig().ports(PORTS)
            .insideRoutes(List.of(new InsideRoute(WAN, ip("192.168.6.0"), 24))).validate(), "an outside port");
        assertThrows(ConfigurationException.class, () -> new ForwarderConfig().ports(PORTS)
            .insideRoutes(List.of(new InsideRoute(OFFICE, ip("10.1.0.0"), 16))).validate(), "overlaps lab's network");
        assertThrows(ConfigurationException.class, () -> new InsideRoute(OFFICE, ip("192.168.6.1"), 24),
            "host bits set");
    }
}
