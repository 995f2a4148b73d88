package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.forward.StaticNeighbour;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.port.LinkLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.natgate.control.config.ConfigReads.located;
import static io.natgate.control.config.ConfigReads.parse;

/**
 * Reads the {@code ports} section: each port's interface (looked up on the host, which gives the MAC and
 * MTU the file leaves out), backend (refused where the system has none of it), role, address, next hop,
 * routes and VLAN, checked by {@link PortSettings}, and an afxdp port's queues.
 */
final class PortsSection
{
    private static final Set<String> PORT_KEYS =
        Set.of("name", "interface", "backend", "role", "address", "nextHop", "routes", "mac", "mtu", "vlan",
            "neighbours", "queues");
    private static final Set<String> NEIGHBOUR_KEYS = Set.of("address", "mac");
    /** The highest device queue an afxdp port may name (drivers have up to a few hundred). */
    private static final int MAX_QUEUE_ID = 1023;
    private static final Map<String, PortRole> ROLES = ConfigNode.choices(PortRole.class);
    private static final Map<String, Backend> BACKENDS = ConfigNode.choices(Backend.values(), Backend::configName);

    private final OperatingSystem os;
    private final NetworkInterfaces interfaces;

    PortsSection(final OperatingSystem os, final NetworkInterfaces interfaces)
    {
        this.os = os;
        this.interfaces = interfaces;
    }

    /**
     * @param origins where each datapath key's value came from, filled in.
     */
    List<PortConfig> read(final ConfigNode portsNode, final Map<String, Location> origins)
    {
        origins.put("ports", portsNode.location().derived("ports", null));
        final List<PortConfig> ports = new ArrayList<>();
        for (final ConfigNode portNode : portsNode.items())
        {
            final PortConfig port = readPort(ports.size(), portNode, origins);
            for (final PortConfig earlier : ports)
            {
                if (earlier.interfaceName().equals(port.interfaceName()))
                {
                    throw portNode.get("interface").error("the interface of ports[" + ports.indexOf(earlier) + "] (" +
                        earlier.name() + ") too: each port needs an interface of its own");
                }
            }
            ports.add(port);
        }
        return ports;
    }

    private PortConfig readPort(final int index, final ConfigNode node, final Map<String, Location> origins)
    {
        node.keys(PORT_KEYS);
        final ConfigNode nameNode = node.require("name");
        final String name = nameNode.asText();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,31}"))
        {
            throw nameNode.error("a port name is 1 to 32 letters, digits, '-' or '_'");
        }
        final String key = "ports." + name;
        origins.put(key, nameNode.location());

        final ConfigNode backendNode = node.get("backend");
        final Backend backend = backendNode == null ? Backend.defaultFor(os) : backendNode.asChoice(BACKENDS);
        if (!backend.isAvailableOn(os))
        {
            throw backendNode.error("not available on " + Backend.displayName(os) + " (" + backend.configName() +
                " runs on " + backend.availability() + ")");
        }
        final ConfigNode interfaceNode = node.require("interface");
        final NetworkInterfaces.Interface found = interfaces.find(interfaceNode.asText())
            .orElseThrow(() -> interfaceNode.error("no such network interface on this host"));
        final PortRole role = node.require("role").asChoice(ROLES);

        final ConfigNode addressNode = node.require("address");
        final Ipv4Prefix prefix = parse(addressNode, Ipv4Prefix::parse);
        origins.put(key + ".address", addressNode.location());
        origins.put(key + ".prefix", addressNode.location());

        int nextHop = 0;
        final ConfigNode nextHopNode = node.get("nextHop");
        if (nextHopNode != null)
        {
            nextHop = parse(nextHopNode, Ipv4::parse);
            origins.put(key + ".nextHop", nextHopNode.location());
        }

        final List<Ipv4Prefix> routes = new ArrayList<>();
        final ConfigNode routesNode = node.get("routes");
        if (routesNode != null)
        {
            if (role != PortRole.INSIDE || nextHop == 0)
            {
                throw routesNode.error("routes are the networks beyond an inside port's router: they need role inside" +
                    " and a nextHop");
            }
            for (final ConfigNode routeNode : routesNode.items())
            {
                final Ipv4Prefix route = parse(routeNode, Ipv4Prefix::parseNetwork);
                if (route.overlaps(prefix))
                {
                    throw routeNode.error("overlaps the port's own network " + prefix);
                }
                routes.add(route);
            }
            origins.put(key + ".routes", routesNode.location());
        }

        final List<StaticNeighbour> neighbours = new ArrayList<>();
        final ConfigNode neighboursNode = node.get("neighbours");
        if (neighboursNode != null)
        {
            if (backend.linkLayer() != LinkLayer.ETHERNET)
            {
                throw neighboursNode.error("a " + backend.configName() + " port carries raw IP packets: no neighbours " +
                    "to bind to MACs");
            }
            for (final ConfigNode neighbourNode : neighboursNode.items())
            {
                neighbourNode.keys(NEIGHBOUR_KEYS);
                neighbours.add(new StaticNeighbour(index, parse(neighbourNode.require("address"), Ipv4::parse),
                    parse(neighbourNode.require("mac"), NetworkInterfaces::parseMac)));
            }
            origins.put(key + ".neighbours", neighboursNode.location());
        }

        long mac = 0;
        final ConfigNode macNode = node.get("mac");
        if (backend.linkLayer() == LinkLayer.RAW_IP)
        {
            if (macNode != null)
            {
                throw macNode.error("a " + backend.configName() + " port carries raw IP packets and has no MAC");
            }
        }
        else if (macNode != null)
        {
            mac = parse(macNode, NetworkInterfaces::parseMac);
            origins.put(key + ".mac", macNode.location());
        }
        else
        {
            if (found.macAddress() < 0)
            {
                throw interfaceNode.error("cannot read the interface's MAC; give " + node.path() + ".mac");
            }
            mac = found.macAddress();
            origins.put(key + ".mac", interfaceNode.location().derived(
                node.path() + ".mac", NetworkInterfaces.formatMac(mac) + " (interface " + found.name() + "'s)"));
        }

        final int mtu;
        final ConfigNode mtuNode = node.get("mtu");
        if (mtuNode != null)
        {
            mtu = mtuNode.asInt(0, Integer.MAX_VALUE);
            origins.put(key + ".mtu", mtuNode.location());
        }
        else
        {
            if (found.mtu() <= 0)
            {
                throw interfaceNode.error("cannot read the interface's MTU; give " + node.path() + ".mtu");
            }
            mtu = found.mtu();
            origins.put(key + ".mtu", interfaceNode.location().derived(
                node.path() + ".mtu", mtu + " (interface " + found.name() + "'s)"));
        }

        int vlan = 0;
        final ConfigNode vlanNode = node.get("vlan");
        if (vlanNode != null)
        {
            vlan = vlanNode.asInt(0, Integer.MAX_VALUE);
            origins.put(key + ".vlan", vlanNode.location());
        }

        final ConfigNode queuesNode = node.get("queues");
        final List<Integer> queues = readQueues(queuesNode, backend);
        if (queuesNode != null)
        {
            origins.put(key + ".queues", queuesNode.location());
        }

        final long macAddress = mac;
        final int nextHopAddress = nextHop;
        final int vlanId = vlan;
        final PortSettings settings = located(
            () -> new PortSettings(index, name, role, backend.linkLayer(), macAddress, mtu, prefix.address(),
                prefix.prefixLength(), nextHopAddress, vlanId),
            origins, node.location());
        return new PortConfig(found.name(), backend, settings, routes, neighbours, queues);
    }

    /**
     * @return an afxdp port's queue ids (distinct, each a socket), or {@link PortConfig#DEFAULT_QUEUES}.
     */
    private static List<Integer> readQueues(final ConfigNode queuesNode, final Backend backend)
    {
        if (queuesNode == null)
        {
            return PortConfig.DEFAULT_QUEUES;
        }
        if (backend != Backend.AFXDP)
        {
            throw queuesNode.error("queues are AF_XDP sockets, one per device queue: backend afxdp only");
        }
        final List<Integer> queues = new ArrayList<>();
        for (final ConfigNode queueNode : queuesNode.items())
        {
            final int queue = queueNode.asInt(0, MAX_QUEUE_ID);
            if (queues.contains(queue))
            {
                throw queueNode.error("queue " + queue + " is listed twice");
            }
            queues.add(queue);
        }
        if (queues.isEmpty())
        {
            throw queuesNode.error("at least one queue id");
        }
        return queues;
    }
}
