package io.natgate.control.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The labs of docs/ha.md, apart from the single gateway's {@link Lab} (whose namespace helpers they use): two
 * gateways, as an HA pair ({@link #up}) or as two independent gateways behind an ECMP router ({@link #ecmp}).
 * <pre>
 * pair:
 *  client 10.0.0.2/24 ── br0 (lan) ──┬─ veth-lan :lan  gw1  :wan veth-wan ─┬── br0 (wan) ── eth0 203.0.113.2/24 server
 *                                    └─ veth-lan :lan  gw2  :wan veth-wan ─┘
 *                         gw1 ha0 192.0.2.1/30 ─────────── ha0 192.0.2.2/30 gw2   (the replication link)
 *                         gw1 hb0 192.0.2.5/30 ─────────── hb0 192.0.2.6/30 gw2   (the second heartbeat path)
 * ecmp:
 *  client 10.0.0.2-5/24 ── cl0 10.0.0.1 router eth0 10.1.0.1/24 ── br0 (lan) ──┬─ :lan 10.1.0.11 gw1 :wan 203.0.113.11 ─┬── br0 (wan) ── server
 *        default via 10.0.0.1     default: nexthop via 10.1.0.11, via 10.1.0.12 └─ :lan 10.1.0.12 gw2 :wan 203.0.113.12 ─┘
 * </pre>
 * In the pair both gateways own 10.0.0.1 and 203.0.113.1, each with its own MACs; behind ECMP each has its own
 * addresses and public pool, and the router hashes each flow (addresses and ports) to one of them. The gateway
 * ends have no kernel addresses and the kernel forwards nothing there. Only documentation and private ranges are
 * used.
 */
public final class HaLab implements AutoCloseable
{
    public static final String GATEWAY_LINK_1 = "192.0.2.1";
    public static final String GATEWAY_LINK_2 = "192.0.2.2";
    public static final String LINK_INTERFACE = "ha0";
    public static final int LINK_PORT = 7400;
    /** The second heartbeat path: a link of its own between the two gateways. */
    public static final String HEARTBEAT_PATH_1 = "192.0.2.5";
    public static final String HEARTBEAT_PATH_2 = "192.0.2.6";
    public static final String HEARTBEAT_INTERFACE = "hb0";
    public static final int HEARTBEAT_PORT = 7401;

    /** ECMP: the router's end toward the gateways, and the gateways' inside and outside (public) addresses. */
    public static final String ROUTER_FABRIC_ADDRESS = "10.1.0.1";
    public static final String ECMP_INSIDE_1 = "10.1.0.11";
    public static final String ECMP_INSIDE_2 = "10.1.0.12";
    public static final String ECMP_PUBLIC_1 = "203.0.113.11";
    public static final String ECMP_PUBLIC_2 = "203.0.113.12";
    /** ECMP: the client's addresses, each a client of its own to the gateways. */
    public static final List<String> ECMP_CLIENTS = List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
    public static final String CLIENT_NETWORK = "10.0.0.0/24";
    private static final String ROUTER_CLIENT_INTERFACE = "cl0";

    /**
     * The namespaces, in the order they are made.
     */
    public enum Node
    {
        LAN("lan"), WAN("wan"), CLIENT("client"), SERVER("server"), GW1("gw1"), GW2("gw2"), ROUTER("router");

        private final String suffix;

        Node(final String suffix)
        {
            this.suffix = suffix;
        }
    }

    private final String prefix;
    private final List<LabProcess> processes = new ArrayList<>();
    /** Removes the lab when the JVM exits without {@link #close()} (a test interrupted by its timeout). */
    private final Thread shutdownHook;

    private HaLab(final String prefix)
    {
        this.prefix = prefix;
        this.shutdownHook = new Thread(this::down, "ha-lab-teardown-" + prefix);
    }

    /**
     * Makes the pair's lab after removing any leftover of the same names; on a failed step what was made is removed.
     */
    public static HaLab up(final String prefix)
    {
        return make(prefix, false);
    }

    /**
     * Makes the lab of two independent gateways behind an ECMP router, likewise.
     */
    public static HaLab ecmp(final String prefix)
    {
        return make(prefix, true);
    }

    private static HaLab make(final String prefix, final boolean ecmp)
    {
        final HaLab lab = new HaLab(prefix);
        lab.down();
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try
        {
            if (ecmp)
            {
                lab.buildEcmp();
            }
            else
            {
                lab.buildPair();
            }
            return lab;
        }
        catch (final RuntimeException ex)
        {
            lab.close();
            throw ex;
        }
    }

    public String namespace(final Node node)
    {
        return prefix + node.suffix;
    }

    public List<String> in(final Node node, final List<String> command)
    {
        return Lab.inNamespace(namespace(node), command);
    }

    public Exec.Result exec(final Node node, final Duration timeout, final String... command)
    {
        return Exec.run(timeout, in(node, List.of(command)));
    }

    public LabProcess start(
        final Node node, final String name, final Path workingDirectory, final Consumer<String> echo,
        final List<String> command)
    {
        return Lab.startIn(processes, namespace(node), name, workingDirectory, echo, command);
    }

    /**
     * Cuts the replication link at {@code node}'s end, both ways, with nftables (the interface stays up, so the
     * kernel keeps its route and the media driver sees only silence); {@link #restoreLink} ends it.
     */
    public void cutLink(final Node node)
    {
        Exec.run(Exec.SETUP_TIMEOUT, in(node, List.of("nft", "-f", "-")), """
            table inet ha_cut {
                chain in { type filter hook input priority filter; policy accept; iifname "%1$s" drop; }
                chain out { type filter hook output priority filter; policy accept; oifname "%1$s" drop; }
            }
            """.formatted(LINK_INTERFACE)).check();
    }

    public void restoreLink(final Node node)
    {
        Exec.check(in(node, List.of("nft", "delete", "table", "inet", "ha_cut")));
    }

    private void buildPair()
    {
        for (final Node node : List.of(Node.LAN, Node.WAN, Node.CLIENT, Node.SERVER, Node.GW1, Node.GW2))
        {
            Lab.addNamespace(namespace(node));
        }
        bridges();
        attach(Node.LAN, Node.CLIENT, LabTopology.HOST_INTERFACE);
        attach(Node.WAN, Node.SERVER, LabTopology.HOST_INTERFACE);
        gateways();
        host(Node.CLIENT, LabTopology.CLIENT_ADDRESS, LabTopology.GATEWAY_INSIDE_ADDRESS);
        host(Node.SERVER, LabTopology.SERVER_ADDRESS, LabTopology.PUBLIC_ADDRESS);
        link(LINK_INTERFACE, GATEWAY_LINK_1, GATEWAY_LINK_2);
        link(HEARTBEAT_INTERFACE, HEARTBEAT_PATH_1, HEARTBEAT_PATH_2);
    }

    private void buildEcmp()
    {
        for (final Node node : Node.values())
        {
            Lab.addNamespace(namespace(node));
        }
        bridges();
        attach(Node.LAN, Node.ROUTER, LabTopology.HOST_INTERFACE);
        attach(Node.WAN, Node.SERVER, LabTopology.HOST_INTERFACE);
        gateways();
        host(Node.SERVER, LabTopology.SERVER_ADDRESS, ECMP_PUBLIC_1);
        ip(Node.ROUTER, "link", "add", "name", ROUTER_CLIENT_INTERFACE, "type", "veth", "peer", "name",
            LabTopology.HOST_INTERFACE, "netns", namespace(Node.CLIENT));
        ip(Node.ROUTER, "addr", "add", LabTopology.GATEWAY_INSIDE_ADDRESS + "/" + LabTopology.PREFIX_LENGTH, "dev",
            ROUTER_CLIENT_INTERFACE);
        ip(Node.ROUTER, "link", "set", ROUTER_CLIENT_INTERFACE, "up");
        ip(Node.ROUTER, "addr", "add", ROUTER_FABRIC_ADDRESS + "/24", "dev", LabTopology.HOST_INTERFACE);
        ip(Node.ROUTER, "link", "set", LabTopology.HOST_INTERFACE, "up");
        Lab.sysctlIn(namespace(Node.ROUTER), "net.ipv4.ip_forward", "1");
        // hash on addresses and ports: the flows of one client spread too
        Lab.sysctlIn(namespace(Node.ROUTER), "net.ipv4.fib_multipath_hash_policy", "1");
        ip(Node.ROUTER, "route", "add", "default", "nexthop", "via", ECMP_INSIDE_1, "dev", LabTopology.HOST_INTERFACE,
            "nexthop", "via", ECMP_INSIDE_2, "dev", LabTopology.HOST_INTERFACE);
        for (final String address : ECMP_CLIENTS)
        {
            ip(Node.CLIENT, "addr", "add", address + "/" + LabTopology.PREFIX_LENGTH, "dev",
                LabTopology.HOST_INTERFACE);
        }
        ip(Node.CLIENT, "link", "set", LabTopology.HOST_INTERFACE, "up");
        ip(Node.CLIENT, "route", "add", "default", "via", LabTopology.GATEWAY_INSIDE_ADDRESS);
    }

    private void bridges()
    {
        for (final Node node : List.of(Node.LAN, Node.WAN))
        {
            ip(node, "link", "add", "name", LabTopology.BRIDGE, "type", "bridge");
            ip(node, "link", "set", LabTopology.BRIDGE, "up");
        }
    }

    private void gateways()
    {
        for (final Node gateway : List.of(Node.GW1, Node.GW2))
        {
            attach(Node.LAN, gateway, LabTopology.GATEWAY_INSIDE_INTERFACE);
            attach(Node.WAN, gateway, LabTopology.GATEWAY_OUTSIDE_INTERFACE);
            Lab.sysctlIn(namespace(gateway), "net.ipv4.ip_forward", "0");
        }
    }

    /**
     * A veth pair between the two gateways, {@code name} at both ends, with a /30 address each.
     */
    private void link(final String name, final String address1, final String address2)
    {
        ip(Node.GW1, "link", "add", "name", name, "type", "veth", "peer", "name", name, "netns", namespace(Node.GW2));
        ip(Node.GW1, "addr", "add", address1 + "/30", "dev", name);
        ip(Node.GW2, "addr", "add", address2 + "/30", "dev", name);
        ip(Node.GW1, "link", "set", name, "up");
        ip(Node.GW2, "link", "set", name, "up");
    }

    /**
     * A veth pair from {@code bridgeNode}'s bridge to {@code node}, named {@code end} there, both ends up.
     */
    private void attach(final Node bridgeNode, final Node node, final String end)
    {
        final String port = "to-" + node.suffix;
        ip(bridgeNode, "link", "add", "name", port, "type", "veth", "peer", "name", end, "netns", namespace(node));
        ip(bridgeNode, "link", "set", port, "master", LabTopology.BRIDGE, "up");
        ip(node, "link", "set", end, "up");
    }

    private void host(final Node node, final String address, final String router)
    {
        ip(node, "addr", "add", address + "/" + LabTopology.PREFIX_LENGTH, "dev", LabTopology.HOST_INTERFACE);
        ip(node, "route", "add", "default", "via", router);
    }

    private void ip(final Node node, final String... arguments)
    {
        Lab.ipIn(namespace(node), arguments);
    }

    /**
     * Stops what runs in the lab's namespaces and deletes them.
     */
    private void down()
    {
        Lab.deleteNamespaces(java.util.Arrays.stream(Node.values()).map(this::namespace).toList());
    }

    @Override
    public void close()
    {
        synchronized (processes)
        {
            processes.forEach(LabProcess::stop);
            processes.clear();
        }
        down();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignored)
        {
            // the JVM is shutting down and the hook runs
        }
    }
}
