package io.natgate.control.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The lab of an HA pair (docs/ha.md), apart from the single gateway's {@link Lab}: two gateways, each on the
 * inside switch and on an outside switch, and a link of their own for replication.
 * <pre>
 *  client 10.0.0.2/24 ── br0 (lan) ──┬─ veth-lan :lan  gw1  :wan veth-wan ─┬── br1 (wan) ── eth0 203.0.113.2/24 server
 *                                    └─ veth-lan :lan  gw2  :wan veth-wan ─┘
 *                         gw1 ha0 192.0.2.1/30 ─────────── ha0 192.0.2.2/30 gw2   (the replication link)
 * </pre>
 * Both gateways own 10.0.0.1 and 203.0.113.1, each with its own MACs; the gateway ends have no kernel addresses
 * and the kernel forwards nothing. Only documentation and private ranges are used.
 */
public final class HaLab implements AutoCloseable
{
    public static final String GATEWAY_LINK_1 = "192.0.2.1";
    public static final String GATEWAY_LINK_2 = "192.0.2.2";
    public static final String LINK_INTERFACE = "ha0";
    public static final int LINK_PORT = 7400;

    /**
     * The namespaces, in the order they are made.
     */
    public enum Node
    {
        LAN("lan"), WAN("wan"), CLIENT("client"), SERVER("server"), GW1("gw1"), GW2("gw2");

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
     * Makes the lab after removing any leftover of the same names; on a failed step what was made is removed.
     */
    public static HaLab up(final String prefix)
    {
        final HaLab lab = new HaLab(prefix);
        lab.down();
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try
        {
            lab.build();
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
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
        full.addAll(command);
        return full;
    }

    public Exec.Result exec(final Node node, final Duration timeout, final String... command)
    {
        return Exec.run(timeout, in(node, List.of(command)));
    }

    public LabProcess start(
        final Node node, final String name, final Path workingDirectory, final Consumer<String> echo,
        final List<String> command)
    {
        final LabProcess process = LabProcess.start(name, in(node, command), workingDirectory, echo);
        synchronized (processes)
        {
            processes.add(process);
        }
        return process;
    }

    private void build()
    {
        for (final Node node : Node.values())
        {
            Exec.check(List.of("ip", "netns", "add", namespace(node)));
            sysctl(node, "net.ipv6.conf.all.disable_ipv6", "1");
            sysctl(node, "net.ipv6.conf.default.disable_ipv6", "1");
            ip(node, "link", "set", "lo", "up");
        }
        ip(Node.LAN, "link", "add", "name", LabTopology.BRIDGE, "type", "bridge");
        ip(Node.LAN, "link", "set", LabTopology.BRIDGE, "up");
        ip(Node.WAN, "link", "add", "name", LabTopology.BRIDGE, "type", "bridge");
        ip(Node.WAN, "link", "set", LabTopology.BRIDGE, "up");
        attach(Node.LAN, Node.CLIENT, LabTopology.HOST_INTERFACE);
        attach(Node.WAN, Node.SERVER, LabTopology.HOST_INTERFACE);
        for (final Node gateway : List.of(Node.GW1, Node.GW2))
        {
            attach(Node.LAN, gateway, LabTopology.GATEWAY_INSIDE_INTERFACE);
            attach(Node.WAN, gateway, LabTopology.GATEWAY_OUTSIDE_INTERFACE);
            sysctl(gateway, "net.ipv4.ip_forward", "0");
        }
        host(Node.CLIENT, LabTopology.CLIENT_ADDRESS, LabTopology.GATEWAY_INSIDE_ADDRESS);
        host(Node.SERVER, LabTopology.SERVER_ADDRESS, LabTopology.PUBLIC_ADDRESS);
        ip(Node.GW1, "link", "add", "name", LINK_INTERFACE, "type", "veth", "peer", "name", LINK_INTERFACE,
            "netns", namespace(Node.GW2));
        ip(Node.GW1, "addr", "add", GATEWAY_LINK_1 + "/30", "dev", LINK_INTERFACE);
        ip(Node.GW2, "addr", "add", GATEWAY_LINK_2 + "/30", "dev", LINK_INTERFACE);
        ip(Node.GW1, "link", "set", LINK_INTERFACE, "up");
        ip(Node.GW2, "link", "set", LINK_INTERFACE, "up");
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
        final List<String> command = new ArrayList<>(List.of("ip", "-n", namespace(node)));
        command.addAll(List.of(arguments));
        Exec.check(command);
    }

    private void sysctl(final Node node, final String key, final String value)
    {
        Exec.check(in(node, List.of("sysctl", "-qw", key + "=" + value)));
    }

    /**
     * Stops what runs in the lab's namespaces and deletes them.
     */
    private void down()
    {
        final List<String> existing = Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "list")).stdout().lines()
            .map(line -> line.split(" ", 2)[0]).toList();
        for (final Node node : Node.values())
        {
            final String namespace = namespace(node);
            if (existing.contains(namespace))
            {
                Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "pids", namespace)).stdout().lines()
                    .map(String::strip).filter(pid -> !pid.isEmpty()).map(Long::parseLong).map(ProcessHandle::of)
                    .flatMap(java.util.Optional::stream).forEach(ProcessHandle::destroyForcibly);
                Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "del", namespace));
            }
        }
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
