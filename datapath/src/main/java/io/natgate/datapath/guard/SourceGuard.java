package io.natgate.datapath.guard;

import io.natgate.datapath.forward.InsideRoute;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.Ipv4;

import java.util.List;

/**
 * Unicast reverse-path and martian checks of an IPv4 source address (RFC 1812 5.3.7, RFC 3704 strict
 * uRPF on inside ports): a source valid nowhere (0/8, loopback, link-local, multicast, class E, limited
 * broadcast) or one of the gateway's own addresses is refused on every port; a packet from an inside
 * port must come from that port's network (neither its network nor its broadcast address), or from beyond
 * its router when it has one: from the networks configured beyond it ({@link InsideRoute}), or from anywhere
 * not another port's when none are; one from an outside port must not come from an inside network, nor from
 * one beyond an inside router. That the address also belongs to the frame's MAC is
 * checked against the neighbour table by the caller. Allocation-free; immutable after construction.
 */
public final class SourceGuard
{
    private final int[] ownAddresses;
    private final int[] insideNetworks;
    private final int[] insidePrefixLengths;
    private final boolean[] inside;
    private final int[] portNetworks;
    private final int[] portPrefixLengths;
    private final boolean[] routed;
    private final InsideRoute[] insideRoutes;
    /** Per port, whether routes are configured beyond its router: then its routed sources must be in them. */
    private final boolean[] hasRoutes;

    /**
     * @param ports           the datapath's ports, by index.
     * @param insideRoutes    the networks beyond the inside ports' routers.
     * @param publicAddresses the NAT's public pool: the gateway's addresses too.
     */
    public SourceGuard(final PortSettings[] ports, final List<InsideRoute> insideRoutes, final int[] publicAddresses)
    {
        this.insideRoutes = insideRoutes.toArray(new InsideRoute[0]);
        hasRoutes = new boolean[ports.length];
        for (final InsideRoute route : insideRoutes)
        {
            hasRoutes[route.portIndex()] = true;
        }
        ownAddresses = new int[ports.length + publicAddresses.length];
        inside = new boolean[ports.length];
        portNetworks = new int[ports.length];
        portPrefixLengths = new int[ports.length];
        routed = new boolean[ports.length];
        int insideCount = 0;
        for (final PortSettings port : ports)
        {
            insideCount += port.role() == PortRole.INSIDE ? 1 : 0;
        }
        insideNetworks = new int[insideCount];
        insidePrefixLengths = new int[insideCount];
        int own = 0;
        int insideIndex = 0;
        for (int i = 0; i < ports.length; i++)
        {
            final PortSettings port = ports[i];
            ownAddresses[own++] = port.address();
            portNetworks[i] = port.address() & Ipv4.mask(port.prefixLength());
            portPrefixLengths[i] = port.prefixLength();
            routed[i] = port.nextHop() != 0;
            if (port.role() == PortRole.INSIDE)
            {
                inside[i] = true;
                insideNetworks[insideIndex] = portNetworks[i];
                insidePrefixLengths[insideIndex++] = port.prefixLength();
            }
        }
        for (final int address : publicAddresses)
        {
            ownAddresses[own++] = address;
        }
    }

    /**
     * @return true for sources no packet may carry: 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4 and
     * 240.0.0.0/4 with 255.255.255.255 (RFC 1122 3.2.1.3, RFC 3927, RFC 5735).
     */
    public static boolean isSpecialPurpose(final int source)
    {
        final int firstOctet = source >>> 24;
        return firstOctet == 0 || firstOctet == 127 || firstOctet >= 224 || (source >>> 16) == 0xA9FE;
    }

    /**
     * @return true when a packet received on the port may carry this source address.
     */
    public boolean isValidSource(final int portIndex, final int source)
    {
        if (isSpecialPurpose(source) || isOwnAddress(source))
        {
            return false;
        }
        if (inside[portIndex])
        {
            // beyond the port's network only through its router (routed inside networks), never another port's
            return isHostOf(source, portNetworks[portIndex], portPrefixLengths[portIndex]) ||
                (routed[portIndex] && !Ipv4.inPrefix(source, portNetworks[portIndex], portPrefixLengths[portIndex]) &&
                !isOnAnotherPort(portIndex, source) &&
                (!hasRoutes[portIndex] || routeHolding(source) == portIndex));
        }
        for (int i = 0; i < insideNetworks.length; i++)
        {
            if (Ipv4.inPrefix(source, insideNetworks[i], insidePrefixLengths[i]))
            {
                return false;
            }
        }
        return routeHolding(source) < 0;
    }

    /**
     * @return the inside port whose configured routes hold the address (the longest prefix), or -1.
     */
    private int routeHolding(final int address)
    {
        int port = -1;
        int longest = -1;
        for (final InsideRoute route : insideRoutes)
        {
            if (route.prefixLength() > longest && route.holds(address))
            {
                longest = route.prefixLength();
                port = route.portIndex();
            }
        }
        return port;
    }

    /**
     * @return true when the address may be an inside client's: on an inside network, a host address
     * there, or in a network configured beyond an inside router; not the gateway's. The control plane's entry points (PCP, firewall sessions) check the
     * client addresses they are given with it.
     */
    public boolean isInsideHost(final int address)
    {
        if (isSpecialPurpose(address) || isOwnAddress(address))
        {
            return false;
        }
        for (int i = 0; i < insideNetworks.length; i++)
        {
            if (isHostOf(address, insideNetworks[i], insidePrefixLengths[i]))
            {
                return true;
            }
        }
        return routeHolding(address) >= 0;
    }

    /**
     * @return true when the port checks sources against the MAC they were resolved to (an inside port).
     */
    public boolean isInside(final int portIndex)
    {
        return inside[portIndex];
    }

    private boolean isOnAnotherPort(final int portIndex, final int address)
    {
        for (int i = 0; i < portNetworks.length; i++)
        {
            if (i != portIndex && Ipv4.inPrefix(address, portNetworks[i], portPrefixLengths[i]))
            {
                return true;
            }
        }
        return false;
    }

    private boolean isOwnAddress(final int address)
    {
        for (final int own : ownAddresses)
        {
            if (own == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when the address is in the prefix and, for prefixes shorter than /31, neither its network
     * nor its broadcast address (RFC 3021 leaves both to hosts on a /31).
     */
    private static boolean isHostOf(final int address, final int network, final int prefixLength)
    {
        if (!Ipv4.inPrefix(address, network, prefixLength))
        {
            return false;
        }
        if (prefixLength >= 31)
        {
            return true;
        }
        final int hostBits = address & ~Ipv4.mask(prefixLength);
        return hostBits != 0 && hostBits != ~Ipv4.mask(prefixLength);
    }
}
