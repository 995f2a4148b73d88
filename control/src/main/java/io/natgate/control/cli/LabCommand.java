package io.natgate.control.cli;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.Backend;
import io.natgate.control.lab.HttpTestServer;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabDemo;
import io.natgate.control.lab.LabException;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code natgate lab up|down|demo}: the lab of network namespaces (docs/lab.md) with natgate
 * between a client and a server, for the demo and for experiments.
 */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    description =
        "The lab: network namespaces with natgate between two inside clients (10.0.0.2, 10.0.0.3) and a " +
        "server (203.0.113.2), joined by veth pairs; the gateway's ports have no kernel addresses and " +
        "ip_forward=0, so only natgate forwards. Needs root (and Linux). See docs/lab.md.",
    subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Demo.class, LabCommand.HttpServer.class})
final class LabCommand implements Runnable
{
    /** The exit status when the lab cannot run here: not root, not Linux, or a lab step failed. */
    static final int CANNOT_RUN = 2;
    private static final String PROFILE = "small-2core";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Options every lab command shares.
     */
    static final class Names
    {
        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = LabTopology.DEFAULT_PREFIX,
            description = "Prefix of the namespaces' names (default: ${DEFAULT-VALUE}, making ng-client, ng-gw, ...).")
        String prefix;

        LabTopology topology()
        {
            return new LabTopology(prefix);
        }
    }

    /**
     * The {@code --backend} option of the commands that write the gateway's config.
     */
    static final class BackendChoice
    {
        @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "afpacket",
            description = "The gateway's port backend: afpacket, afxdp or pcap (default: ${DEFAULT-VALUE}).")
        String name;

        /**
         * Checks that the lab can run here, that no lab of these names exists (it may be someone's
         * experiment) and that the option names a backend the lab runs on.
         *
         * @return the backend, or null after printing why not.
         */
        Backend prepare(final LabTopology topology, final PrintWriter err)
        {
            final String why = cannotRun();
            if (why != null)
            {
                err.println(why);
                return null;
            }
            if (Lab.exists(topology))
            {
                err.println("natgate lab: a lab with prefix " + topology.prefix() + " exists already; remove it " +
                    "with `natgate lab down" + (topology.prefix().equals(LabTopology.DEFAULT_PREFIX) ? "" :
                    " --prefix " + topology.prefix()) + "` or choose another --prefix");
                return null;
            }
            for (final Backend candidate : List.of(Backend.AFPACKET, Backend.AFXDP, Backend.PCAP))
            {
                if (candidate.configName().equals(name))
                {
                    return candidate;
                }
            }
            err.println("--backend: " + name + " is not one of afpacket, afxdp, pcap");
            return null;
        }
    }

    /**
     * @return null when the lab can run here, else the one line saying why not.
     */
    static String cannotRun()
    {
        if (OperatingSystem.current() != OperatingSystem.LINUX)
        {
            return "natgate lab needs Linux (network namespaces and veth pairs)";
        }
        if (!Lab.runningAsRoot())
        {
            return "natgate lab needs root: it makes network namespaces (run it with sudo)";
        }
        return null;
    }

    /**
     * @return where {@code lab up} writes the gateway's config for a prefix.
     */
    static Path configDirectory(final LabTopology topology)
    {
        return Path.of(System.getProperty("java.io.tmpdir"), "natgate-lab", topology.prefix());
    }

    @Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description =
            "Makes the lab and leaves it running for experiments: the namespaces, addresses and routes, and the " +
            "gateway's config file; prints how to start the gateway in it and send traffic through it. " +
            "`natgate lab down` removes it.")
    static final class Up implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        private Names names = new Names();

        @CommandLine.Mixin
        private BackendChoice backend = new BackendChoice();

        @Option(names = "--kernel-nat",
            description = "Let the kernel forward instead (addresses on the gateway's ends, ip_forward=1, an " +
                "nftables masquerade rule), to compare with natgate.")
        private boolean kernelNat;

        public Integer call()
        {
            final PrintWriter err = spec.commandLine().getErr();
            final Backend chosen = backend.prepare(names.topology(), err);
            if (chosen == null)
            {
                return CANNOT_RUN;
            }
            final LabTopology topology = names.topology();
            final Lab lab;
            try
            {
                lab = Lab.up(topology, kernelNat ? Lab.Forwarding.KERNEL_NAT : Lab.Forwarding.NATGATE);
            }
            catch (final LabException ex)
            {
                err.println("natgate lab up: " + ex.getMessage());
                return CANNOT_RUN;
            }
            lab.detach();
            final Path config = LabGatewayConfig.write(configDirectory(topology), chosen, PROFILE);
            final PrintWriter out = spec.commandLine().getOut();
            out.println("natgate lab: up, namespaces " + String.join(" ", topology.namespaces()));
            out.printf("  %-8s %-16s %s%n", "client", LabTopology.CLIENT_ADDRESS + "/24",
                "default via " + LabTopology.GATEWAY_INSIDE_ADDRESS + " (the gateway)");
            out.printf("  %-8s %-16s %s%n", "client2", LabTopology.CLIENT2_ADDRESS + "/24",
                "same switch (bridge br0 in " + lab.namespace(Role.LAN) + ")");
            out.printf("  %-8s %-16s %s%n", "server", LabTopology.SERVER_ADDRESS + "/24",
                "default via " + LabTopology.PUBLIC_ADDRESS + " (the gateway's public address)");
            if (kernelNat)
            {
                out.printf("  %-8s %-16s %s%n", "gw", "kernel NAT", LabTopology.GATEWAY_INSIDE_INTERFACE + " " +
                    LabTopology.GATEWAY_INSIDE_ADDRESS + ", " + LabTopology.GATEWAY_OUTSIDE_INTERFACE + " " +
                    LabTopology.PUBLIC_ADDRESS + ", ip_forward=1, nft masquerade (natgate not needed)");
            }
            else
            {
                out.printf("  %-8s %-16s %s%n", "gw", "no addresses", LabTopology.GATEWAY_INSIDE_INTERFACE + " (lan), " +
                    LabTopology.GATEWAY_OUTSIDE_INTERFACE + " (wan), ip_forward=0: only natgate forwards");
                out.println("gateway config: " + config);
                out.println("start the gateway (Ctrl-C stops it):");
                final Path counters = config.resolveSibling(LabGateway.COUNTERS_FILE);
                out.println("  ip netns exec " + lab.namespace(Role.GATEWAY) + " ./natgate run --config " + config +
                    " --counters " + counters);
                out.println("its counters: ./natgate stat --counters " + counters);
            }
            out.println("then, for example:");
            out.println("  ip netns exec " + lab.namespace(Role.CLIENT) + " ping -c 3 " + LabTopology.SERVER_ADDRESS);
            out.println("  ip netns exec " + lab.namespace(Role.SERVER) + " ./natgate lab http-server --port 8080 &");
            out.println("  ip netns exec " + lab.namespace(Role.CLIENT) + " curl http://" + LabTopology.SERVER_ADDRESS +
                ":8080/");
            if (!kernelNat)
            {
                out.println("  ip netns exec " + lab.namespace(Role.GATEWAY) + " ./natgate sessions --admin " +
                    LabTopology.ADMIN_ADDRESS);
            }
            out.println("remove it: ./natgate lab down" +
                (topology.prefix().equals(LabTopology.DEFAULT_PREFIX) ? "" : " --prefix " + topology.prefix()));
            return 0;
        }
    }

    @Command(
        name = "down",
        mixinStandardHelpOptions = true,
        description =
            "Removes the lab: stops what still runs in its namespaces, deletes them (and with them the veth " +
            "pairs and the bridge) and the config `up` wrote. Does nothing when there is no lab.")
    static final class Down implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        private Names names = new Names();

        public Integer call()
        {
            final String why = cannotRun();
            if (why != null)
            {
                spec.commandLine().getErr().println(why);
                return CANNOT_RUN;
            }
            final LabTopology topology = names.topology();
            final List<String> deleted = Lab.down(topology);
            io.natgate.control.lab.LabFiles.deleteRecursively(configDirectory(topology));
            spec.commandLine().getOut().println(deleted.isEmpty() ? "natgate lab: no lab with prefix " +
                topology.prefix() + ", nothing to remove" : "natgate lab: removed " + String.join(" ", deleted));
            return 0;
        }
    }

    @Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
            "Makes the lab, starts natgate in its gateway namespace and sends real traffic through it: ping, " +
            "an HTTP request and UDP both ways from the client to the server, and an unsolicited connection " +
            "from the server (refused). Prints a mark per check and the gateway's sessions, then removes " +
            "everything (also on Ctrl-C or failure). Exit status 0 only when every check passed.")
    static final class Demo implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        private Names names = new Names();

        @CommandLine.Mixin
        private BackendChoice backend = new BackendChoice();

        public Integer call()
        {
            final PrintWriter err = spec.commandLine().getErr();
            final Backend chosen = backend.prepare(names.topology(), err);
            if (chosen == null)
            {
                return CANNOT_RUN;
            }
            final List<LabDemo.Check> checks;
            try
            {
                checks = new LabDemo(System.out).run(names.topology(), chosen, NatgateJvm.current());
            }
            catch (final LabException ex)
            {
                System.out.flush();
                err.println("natgate lab demo: " + ex.getMessage());
                return CANNOT_RUN;
            }
            final long passed = checks.stream().filter(LabDemo.Check::passed).count();
            System.out.println();
            System.out.println("natgate lab demo: " + passed + " of " + checks.size() + " checks passed; lab removed");
            return LabDemo.passed(checks) ? 0 : 1;
        }
    }

    @Command(
        name = "http-server",
        hidden = true,
        mixinStandardHelpOptions = true,
        description =
            "A small HTTP server for the lab: GET / answers with its name and the address the request came " +
            "from, GET /bytes/N with N bytes. Runs until stopped.")
    static final class HttpServer implements Callable<Integer>
    {
        @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port on every address (default: ${DEFAULT-VALUE}).")
        private int port;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "natgate-lab",
            description = "The name it answers with (default: ${DEFAULT-VALUE}).")
        private String name;

        public Integer call() throws IOException, InterruptedException
        {
            final HttpTestServer server = HttpTestServer.start(port, name);
            System.out.println(HttpTestServer.READY + "0.0.0.0:" + server.port());
            System.out.flush();
            new CountDownLatch(1).await();
            return 0;
        }
    }
}
