package io.natgate.control.config;

import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.forward.StaticNeighbour;

import java.util.List;

/**
 * One port of the config file: the OS interface and backend the bindings open, the datapath's
 * view of it ({@link PortSettings}: index, role, link layer, MAC, MTU, address, next hop), and for an
 * inside port the networks beyond its router where routed clients live.
 *
 * @param routes     networks reached through the inside port's next hop (an inside router); the firewall
 *                   counts hosts there as SecureNAT clients of that port. Empty for most ports.
 * @param neighbours hosts bound to their MACs by configuration (static ARP bindings). Empty for most ports.
 * @param queues     the device queues an {@code afxdp} port opens a socket on, one each; {@code [0]} for
 *                   every other backend.
 */
public record PortConfig(
    String interfaceName, Backend backend, PortSettings settings, List<Ipv4Prefix> routes,
    List<StaticNeighbour> neighbours, List<Integer> queues)
{
    /** The queues of a port that names none: the first, which every device has. */
    public static final List<Integer> DEFAULT_QUEUES = List.of(0);

    public PortConfig
    {
        routes = List.copyOf(routes);
        neighbours = List.copyOf(neighbours);
        queues = List.copyOf(queues);
    }

    /**
     * A port on the device's first queue only.
     */
    public PortConfig(final String interfaceName, final Backend backend, final PortSettings settings,
        final List<Ipv4Prefix> routes, final List<StaticNeighbour> neighbours)
    {
        this(interfaceName, backend, settings, routes, neighbours, DEFAULT_QUEUES);
    }

    /**
     * A port without static neighbours, on the device's first queue only.
     */
    public PortConfig(final String interfaceName, final Backend backend, final PortSettings settings,
        final List<Ipv4Prefix> routes)
    {
        this(interfaceName, backend, settings, routes, List.of(), DEFAULT_QUEUES);
    }

    public String name()
    {
        return settings.name();
    }

    public int index()
    {
        return settings.index();
    }

    public PortRole role()
    {
        return settings.role();
    }

    /**
     * @return the gateway's address and prefix on this port.
     */
    public Ipv4Prefix prefix()
    {
        return new Ipv4Prefix(settings.address(), settings.prefixLength());
    }
}
