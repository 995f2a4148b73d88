package io.natgate.datapath.forward;

import io.natgate.datapath.nat.Ipv4;

import java.util.List;

/**
 * Where IPv4 goes: the ports' own prefixes and next hops by role, the networks configured beyond inside
 * routers ({@link InsideRoute}, longest prefix winning), and the routes the control plane adds for outbound
 * traffic (a traversal provider's remote subnet to its interface), which come first, longest prefix winning.
 * Routes are written on the worker thread only; few entries.
 */
final class Routes
{
    private final PortSettings[] ports;
    private final int localPort;
    // The ports as primitive arrays, scanned per packet: address, on-link prefix, role, and per role the
    // first port with a next hop (its default route).
    private final int[] addresses;
    private final int[] networks;
    private final int[] masks;
    private final PortRole[] roles;
    private final int[] defaultPorts = new int[PortRole.values().length];
    private final int[] routeNetworks;
    private final int[] routePrefixLengths;
    private final int[] routePorts;
    private int routeCount;
    private final int[] insideNetworks;
    private final int[] insidePrefixLengths;
    private final int[] insidePorts;

    Routes(final PortSettings[] ports, final int localPort, final int maxRoutes, final List<InsideRoute> insideRoutes)
    {
        insideNetworks = new int[insideRoutes.size()];
        insidePrefixLengths = new int[insideRoutes.size()];
        insidePorts = new int[insideRoutes.size()];
        for (int i = 0; i < insideRoutes.size(); i++)
        {
            insideNetworks[i] = insideRoutes.get(i).network();
            insidePrefixLengths[i] = insideRoutes.get(i).prefixLength();
            insidePorts[i] = insideRoutes.get(i).portIndex();
        }
        this.ports = ports;
        this.localPort = localPort;
        addresses = new int[ports.length];
        networks = new int[ports.length];
        masks = new int[ports.length];
        roles = new PortRole[ports.length];
        java.util.Arrays.fill(defaultPorts, -1);
        for (int i = 0; i < ports.length; i++)
        {
            final PortSettings port = ports[i];
            addresses[i] = port.address();
            masks[i] = Ipv4.mask(port.prefixLength());
            networks[i] = port.address() & masks[i];
            roles[i] = port.role();
            if (defaultPorts[port.role().ordinal()] < 0 && port.nextHop() != 0)
            {
                defaultPorts[port.role().ordinal()] = port.index();
            }
        }
        routeNetworks = new int[maxRoutes];
        routePrefixLengths = new int[maxRoutes];
        routePorts = new int[maxRoutes];
    }

    /**
     * See {@link Forwarder#addRoute}.
     */
    boolean add(final int network, final int prefixLength, final int portIndex)
    {
        if (portIndex < 0 || portIndex >= ports.length || ports[portIndex].role() != PortRole.OUTSIDE)
        {
            throw new IllegalArgumentException("port " + portIndex + " is not an outside port");
        }
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        final int maskedNetwork = network & Ipv4.mask(prefixLength);
        for (int i = 0; i < routeCount; i++)
        {
            if (routeNetworks[i] == maskedNetwork && routePrefixLengths[i] == prefixLength)
            {
                routePorts[i] = portIndex;
                return true;
            }
        }
        if (routeCount == routeNetworks.length)
        {
            return false;
        }
        routeNetworks[routeCount] = maskedNetwork;
        routePrefixLengths[routeCount] = prefixLength;
        routePorts[routeCount] = portIndex;
        routeCount++;
        return true;
    }

    /**
     * See {@link Forwarder#removeRoutes}.
     */
    int removeTo(final int portIndex)
    {
        int kept = 0;
        for (int i = 0; i < routeCount; i++)
        {
            if (routePorts[i] != portIndex)
            {
                routeNetworks[kept] = routeNetworks[i];
                routePrefixLengths[kept] = routePrefixLengths[i];
                routePorts[kept] = routePorts[i];
                kept++;
            }
        }
        final int removed = routeCount - kept;
        routeCount = kept;
        return removed;
    }

    int count()
    {
        return routeCount;
    }

    /**
     * @return the port of the longest added route holding the destination, else as {@link #byRole} outside.
     */
    int outbound(final int destination)
    {
        if (routeCount == 0)
        {
            return byRole(PortRole.OUTSIDE, destination);
        }
        int port = -1;
        int longest = -1;
        for (int i = 0; i < routeCount; i++)
        {
            if (routePrefixLengths[i] > longest && Ipv4.inPrefix(destination, routeNetworks[i], routePrefixLengths[i]))
            {
                longest = routePrefixLengths[i];
                port = routePorts[i];
            }
        }
        return port >= 0 ? port : byRole(PortRole.OUTSIDE, destination);
    }

    /**
     * @return the port of a role whose prefix holds the destination, else (inside) the port whose configured
     * routes hold it, the longest prefix winning, else the first of that role with a next hop (its default
     * route), else -1.
     */
    int byRole(final PortRole role, final int destination)
    {
        final PortRole[] roles = this.roles;
        for (int i = 0; i < roles.length; i++)
        {
            if (roles[i] == role && (destination & masks[i]) == networks[i])
            {
                return ports[i].index();
            }
        }
        if (role == PortRole.INSIDE && insidePorts.length > 0)
        {
            int port = -1;
            int longest = -1;
            for (int i = 0; i < insidePorts.length; i++)
            {
                if (insidePrefixLengths[i] > longest && Ipv4.inPrefix(destination, insideNetworks[i], insidePrefixLengths[i]))
                {
                    longest = insidePrefixLengths[i];
                    port = insidePorts[i];
                }
            }
            if (port >= 0)
            {
                return port;
            }
        }
        return defaultPorts[role.ordinal()];
    }

    /**
     * @return whether an inside port has this address as its own (not the gateway seen from outside).
     */
    boolean isInsideAddress(final int address)
    {
        for (final PortSettings port : ports)
        {
            if (port.role() == PortRole.INSIDE && port.address() == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether a port has this address as its own.
     */
    boolean isGatewayAddress(final int address)
    {
        for (final int own : addresses)
        {
            if (own == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the index of the port (the local port aside) whose own address this is, else -1.
     */
    int portWithAddress(final int address)
    {
        for (final PortSettings port : ports)
        {
            if (port.address() == address && port.index() != localPort)
            {
                return port.index();
            }
        }
        return -1;
    }
}
