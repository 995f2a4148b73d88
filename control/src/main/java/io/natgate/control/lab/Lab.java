package io.natgate.control.lab;

import io.natgate.control.lab.LabTopology.Role;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The lab of {@link LabTopology}, made with {@code ip}, {@code sysctl}, {@code ethtool} and
 * {@code nft}. {@link #up} makes it (removing leftovers of the same names first) and registers a
 * shutdown hook, so Ctrl-C or a failing run still removes it; {@link #close()} stops the
 * processes it started and deletes every namespace, which deletes the veth pairs and the bridge.
 * {@link #detach()} leaves it running after the JVM exits ({@code natgate lab up}), and
 * {@link #down(LabTopology)} removes it later, idempotently.
 */
public final class Lab implements AutoCloseable
{
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /**
     * Who forwards between the gateway's two ends.
     */
    public enum Forwarding
    {
        /** natgate: the ends have no kernel IP addresses and {@code net.ipv4.ip_forward=0}. */
        NATGATE,
        /**
         * The kernel: the ends have the gateway's addresses, {@code net.ipv4.ip_forward=1} and an nftables
         * masquerade rule on the outside end, for comparison with natgate.
         */
        KERNEL_NAT
    }

    /**
     * What the peers' (clients', server's) veth ends do with checksums and segmentation.
     */
    public enum PeerOffloads
    {
        /**
         * As every container network and VM has them: transmit checksum offload and TSO/GSO on, so
         * TCP and UDP leave with the checksum to be finished and TCP in 64 KiB aggregates.
         */
        DEFAULT,
        /**
         * Transmit checksum offload off ({@code ethtool -K eth0 tx off}, which takes TSO with it): a
         * NIC that puts complete checksums and MTU-sized segments on the wire.
         */
        COMPLETE_CHECKSUMS
    }

    private final LabTopology topology;
    private final Forwarding forwarding;
    private final PeerOffloads peerOffloads;
    private final List<LabProcess> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean hooked;
    private boolean closed;

    private Lab(final LabTopology topology, final Forwarding forwarding, final PeerOffloads peerOffloads)
    {
        this.topology = topology;
        this.forwarding = forwarding;
        this.peerOffloads = peerOffloads;
        this.shutdownHook = new Thread(this::tearDown, "lab-teardown-" + topology.prefix());
    }

    /**
     * Makes the lab, after removing any leftover of the same names.
     *
     * @throws LabException when a step fails; what was made is removed first.
     */
    public static Lab up(final LabTopology topology, final Forwarding forwarding)
    {
        return up(topology, forwarding, PeerOffloads.DEFAULT);
    }

    /**
     * Makes the lab with the peers' offloads set as {@code peerOffloads} says, after removing any
     * leftover of the same names.
     *
     * @throws LabException when a step fails; what was made is removed first.
     */
    public static Lab up(final LabTopology topology, final Forwarding forwarding, final PeerOffloads peerOffloads)
    {
        down(topology);
        final Lab lab = new Lab(topology, forwarding, peerOffloads);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        lab.hooked = true;
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

    /**
     * Stops every process still running in the lab's namespaces and deletes the namespaces.
     * Does nothing for a lab that does not exist.
     *
     * @return the namespaces that existed and were deleted.
     */
    public static List<String> down(final LabTopology topology)
    {
        final List<String> namespaces = new ArrayList<>(topology.namespaces());
        java.util.Collections.reverse(namespaces);
        return deleteNamespaces(namespaces);
    }

    /**
     * Stops what runs in each of {@code namespaces} that exists and deletes it, in the order given (shared with
     * {@link HaLab}).
     *
     * @return the namespaces that existed and were deleted.
     */
    static List<String> deleteNamespaces(final List<String> namespaces)
    {
        final List<String> existing = existingNamespaces();
        final List<String> deleted = new ArrayList<>();
        for (final String namespace : namespaces)
        {
            if (existing.contains(namespace))
            {
                killProcessesIn(namespace);
                Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "del", namespace));
                deleted.add(namespace);
            }
        }
        return deleted;
    }

    /**
     * Makes a namespace with IPv6 off (no router solicitations or DAD probes in the captures) and its loopback up.
     */
    static void addNamespace(final String namespace)
    {
        Exec.check(List.of("ip", "netns", "add", namespace));
        sysctlIn(namespace, "net.ipv6.conf.all.disable_ipv6", "1");
        sysctlIn(namespace, "net.ipv6.conf.default.disable_ipv6", "1");
        ipIn(namespace, "link", "set", "lo", "up");
    }

    /**
     * @return {@code command} as it runs inside {@code namespace}.
     */
    static List<String> inNamespace(final String namespace, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /**
     * Runs {@code ip -n NAMESPACE ARGUMENTS...}, failing with its output when it fails.
     */
    static void ipIn(final String namespace, final String... arguments)
    {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
        command.addAll(List.of(arguments));
        Exec.check(command);
    }

    static void sysctlIn(final String namespace, final String key, final String value)
    {
        Exec.check(inNamespace(namespace, List.of("sysctl", "-qw", key + "=" + value)));
    }

    /**
     * Makes a started process one of {@code processes}, so that its lab's close stops it.
     */
    static LabProcess startIn(
        final List<LabProcess> processes, final String namespace, final String name,
        final java.nio.file.Path workingDirectory, final Consumer<String> echo, final List<String> command)
    {
        final LabProcess process = LabProcess.start(name, inNamespace(namespace, command), workingDirectory, echo);
        synchronized (processes)
        {
            processes.add(process);
        }
        return process;
    }

    /**
     * @return true when any namespace of the lab exists.
     */
    public static boolean exists(final LabTopology topology)
    {
        final List<String> existing = existingNamespaces();
        return topology.namespaces().stream().anyMatch(existing::contains);
    }

    /**
     * @return true when this process runs as root (effective uid 0), which making namespaces needs.
     */
    public static boolean runningAsRoot()
    {
        try
        {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:")).map(line -> line.split("\\s+")[2]).anyMatch("0"::equals);
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }

    public LabTopology topology()
    {
        return topology;
    }

    public Forwarding forwarding()
    {
        return forwarding;
    }

    public PeerOffloads peerOffloads()
    {
        return peerOffloads;
    }

    /**
     * @return the name of one of the lab's namespaces.
     */
    public String namespace(final Role role)
    {
        return topology.namespace(role);
    }

    /**
     * @return {@code command} as it runs inside a namespace of the lab.
     */
    public List<String> in(final Role role, final List<String> command)
    {
        return inNamespace(namespace(role), command);
    }

    /**
     * Runs a command inside a namespace to completion.
     */
    public Exec.Result exec(final Role role, final Duration timeout, final String... command)
    {
        return Exec.run(timeout, in(role, List.of(command)));
    }

    /**
     * Starts a command inside a namespace; {@link #close()} stops it if the caller has not.
     *
     * @param echo sees each line it prints (null: none).
     */
    public LabProcess start(final Role role, final String name, final Consumer<String> echo, final List<String> command)
    {
        return start(role, name, null, echo, command);
    }

    /**
     * Starts a command inside a namespace, in a working directory of its own (where a JVM writes its
     * crash reports, for example); {@link #close()} stops it if the caller has not.
     */
    public LabProcess start(final Role role, final String name, final java.nio.file.Path workingDirectory,
        final Consumer<String> echo, final List<String> command)
    {
        return startIn(processes, namespace(role), name, workingDirectory, echo, command);
    }

    /**
     * Leaves the lab in place when this JVM exits: no shutdown hook, and {@link #close()} no longer
     * deletes it ({@code natgate lab up}).
     */
    public void detach()
    {
        removeHook();
        closed = true;
    }

    /**
     * Stops the processes the lab started and deletes its namespaces.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        tearDown();
        removeHook();
    }

    private void tearDown()
    {
        final List<LabProcess> started;
        synchronized (processes)
        {
            started = new ArrayList<>(processes);
            processes.clear();
        }
        for (final LabProcess process : started)
        {
            process.stop();
        }
        down(topology);
    }

    private void removeHook()
    {
        if (hooked)
        {
            hooked = false;
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignored)
            {
                // the JVM is already shutting down and the hook runs
            }
        }
    }

    private void build()
    {
        for (final Role role : Role.values())
        {
            addNamespace(namespace(role));
        }

        ip(Role.LAN, "link", "add", "name", LabTopology.BRIDGE, "type", "bridge");
        ip(Role.LAN, "link", "set", LabTopology.BRIDGE, "up");
        plainSwitch();
        attachToSwitch(Role.CLIENT, LabTopology.HOST_INTERFACE);
        attachToSwitch(Role.CLIENT2, LabTopology.HOST_INTERFACE);
        attachToSwitch(Role.GATEWAY, LabTopology.GATEWAY_INSIDE_INTERFACE);
        ip(Role.GATEWAY, "link", "add", "name", LabTopology.GATEWAY_OUTSIDE_INTERFACE, "type", "veth",
            "peer", "name", LabTopology.HOST_INTERFACE, "netns", namespace(Role.SERVER));

        host(Role.CLIENT, LabTopology.CLIENT_ADDRESS, LabTopology.GATEWAY_INSIDE_ADDRESS);
        host(Role.CLIENT2, LabTopology.CLIENT2_ADDRESS, LabTopology.GATEWAY_INSIDE_ADDRESS);
        host(Role.SERVER, LabTopology.SERVER_ADDRESS, LabTopology.PUBLIC_ADDRESS);
        remoteSite();

        ip(Role.GATEWAY, "link", "set", LabTopology.GATEWAY_INSIDE_INTERFACE, "up");
        ip(Role.GATEWAY, "link", "set", LabTopology.GATEWAY_OUTSIDE_INTERFACE, "up");
        if (forwarding == Forwarding.NATGATE)
        {
            sysctl(Role.GATEWAY, "net.ipv4.ip_forward", "0");
        }
        else
        {
            ip(Role.GATEWAY, "addr", "add", LabTopology.GATEWAY_INSIDE_ADDRESS + "/" + LabTopology.PREFIX_LENGTH,
                "dev", LabTopology.GATEWAY_INSIDE_INTERFACE);
            ip(Role.GATEWAY, "addr", "add", LabTopology.PUBLIC_ADDRESS + "/" + LabTopology.PREFIX_LENGTH,
                "dev", LabTopology.GATEWAY_OUTSIDE_INTERFACE);
            sysctl(Role.GATEWAY, "net.ipv4.ip_forward", "1");
            Exec.run(Exec.SETUP_TIMEOUT, in(Role.GATEWAY, List.of("nft", "-f", "-")), masqueradeRuleset()).check();
        }
    }

    /**
     * The remote site behind the server: a veth pair from the server ({@code eth1}) to the remote namespace,
     * which routes everything through the server; the server forwards between its two networks.
     */
    private void remoteSite()
    {
        final String serverEnd = LabTopology.SERVER_REMOTE_INTERFACE;
        ip(Role.SERVER, "link", "add", "name", serverEnd, "type", "veth", "peer", "name", LabTopology.HOST_INTERFACE,
            "netns", namespace(Role.REMOTE));
        ip(Role.SERVER, "addr", "add", LabTopology.SERVER_REMOTE_SIDE_ADDRESS + "/" + LabTopology.PREFIX_LENGTH,
            "dev", serverEnd);
        ip(Role.SERVER, "link", "set", serverEnd, "up");
        sysctl(Role.SERVER, "net.ipv4.ip_forward", "1");
        host(Role.REMOTE, LabTopology.REMOTE_ADDRESS, LabTopology.SERVER_REMOTE_SIDE_ADDRESS);
    }

    /**
     * @return the nftables ruleset of {@link Forwarding#KERNEL_NAT}: masquerade what leaves the outside end.
     */
    static String masqueradeRuleset()
    {
        return """
            table ip nat {
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "%s" masquerade
                }
            }
            """.formatted(LabTopology.GATEWAY_OUTSIDE_INTERFACE);
    }

    /**
     * A veth pair from the lan namespace's bridge to {@code role}'s namespace, named {@code end} there.
     */
    private void attachToSwitch(final Role role, final String end)
    {
        final String port = LabTopology.bridgePort(role);
        ip(Role.LAN, "link", "add", "name", port, "type", "veth", "peer", "name", end, "netns", namespace(role));
        ip(Role.LAN, "link", "set", port, "master", LabTopology.BRIDGE, "up");
    }

    /**
     * A client's or the server's address and default route; its offloads left at the kernel's
     * defaults, or transmit checksum offload off for {@link PeerOffloads#COMPLETE_CHECKSUMS}.
     */
    private void host(final Role role, final String address, final String router)
    {
        final String end = LabTopology.HOST_INTERFACE;
        ip(role, "addr", "add", address + "/" + LabTopology.PREFIX_LENGTH, "dev", end);
        ip(role, "link", "set", end, "up");
        ip(role, "route", "add", "default", "via", router);
        if (peerOffloads == PeerOffloads.COMPLETE_CHECKSUMS)
        {
            Exec.check(in(role, List.of("ethtool", "-K", end, "tx", "off")));
        }
    }

    /**
     * Gives an inside client a second address in the inside network and makes it the source of what the client
     * sends through the gateway; the client still answers on its first.
     */
    public void sendFrom(final Role client, final String address)
    {
        if (client != Role.CLIENT && client != Role.CLIENT2)
        {
            throw new IllegalArgumentException("only an inside client sends from a second address, not " + client);
        }
        ip(client, "addr", "add", address + "/" + LabTopology.PREFIX_LENGTH, "dev", LabTopology.HOST_INTERFACE);
        ip(client, "route", "replace", "default", "via", LabTopology.GATEWAY_INSIDE_ADDRESS, "src", address);
    }

    private void ip(final Role role, final String... arguments)
    {
        ipIn(namespace(role), arguments);
    }

    /**
     * Keeps netfilter off the inside switch's frames, as on a real switch: where br_netfilter is loaded, the kernel
     * would check bridged IPv4 headers and drop the malformed ones before the gateway sees them.
     */
    private void plainSwitch()
    {
        if (Exec.run(Exec.SETUP_TIMEOUT, in(Role.LAN, List.of("test", "-d", "/proc/sys/net/bridge"))).succeeded())
        {
            for (final String family : List.of("iptables", "ip6tables", "arptables"))
            {
                sysctl(Role.LAN, "net.bridge.bridge-nf-call-" + family, "0");
            }
        }
    }

    private void sysctl(final Role role, final String key, final String value)
    {
        sysctlIn(namespace(role), key, value);
    }

    private static List<String> existingNamespaces()
    {
        final Exec.Result list = Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "list"));
        if (!list.succeeded())
        {
            return List.of();
        }
        return list.stdout().lines().map(line -> line.split(" ", 2)[0]).filter(name -> !name.isEmpty()).toList();
    }

    /**
     * Stops what still runs in a namespace of the lab (a gateway or server left by {@code lab up}, or by a
     * killed run): SIGTERM, then SIGKILL. Deleting the namespace alone would leave them running in it.
     */
    private static void killProcessesIn(final String namespace)
    {
        final Exec.Result pids = Exec.run(Exec.SETUP_TIMEOUT, List.of("ip", "netns", "pids", namespace));
        final List<ProcessHandle> running = pids.stdout().lines().map(String::strip).filter(line -> !line.isEmpty())
            .map(Long::parseLong).map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
        running.forEach(ProcessHandle::destroy);
        for (final ProcessHandle process : running)
        {
            try
            {
                process.onExit().get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException stillRunning)
            {
                process.destroyForcibly();
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
