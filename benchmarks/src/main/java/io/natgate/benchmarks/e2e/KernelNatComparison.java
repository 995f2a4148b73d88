package io.natgate.benchmarks.e2e;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.Iperf3;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabException;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;
import io.natgate.control.profile.HardwareProfiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;

/**
 * natgate against the kernel's own NAT as a user would run it, on the lab of docs/lab.md: every
 * veth end (clients, server, the gateway's two ends) keeps the kernel's default offloads, checksum
 * offload and TSO/GSO, and the gateway's ends have GRO on, for both sides alike (natgate turns GRO on
 * for its ports itself, {@code afpacket.gro}; on the kernel side it is turned on here). One side is
 * natgate forwarding (no kernel addresses on the gateway's ends, ip_forward=0) in each threading mode
 * and with each number of NAT workers asked for (several workers running to completion each read their own
 * sockets, which the kernel's AF_PACKET fanout steers frames to); the other the
 * kernel (addresses, ip_forward=1, an nftables masquerade rule).
 * <p>
 * Each side runs the same cases: iperf3 TCP with each stream count ({@code -P}) from the first client,
 * and UDP with each payload length sent by several iperf3 clients at once, each as fast as it can
 * ({@code -b 0}), so that more is offered than either side forwards. The UDP clients run in turn in the
 * first client, which sends from {@value LabTopology#CLIENT_SECOND_ADDRESS} (worker 0 of 2), and the
 * second, {@value LabTopology#CLIENT2_ADDRESS} (worker 1 of 2), so that with 2 workers each gets the flows
 * of one client; TCP stays on the first client's worker. For every case it prints what was offered (sent)
 * and what the server received. Sides alternate within a round and the order rotates from round to
 * round, so load from other work does not land on one side only; the closing table gives each
 * figure's median over the rounds and the ratio of each natgate mode to the kernel.
 * Needs root and the lab's packages.
 * <pre>
 * java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.e2e.KernelNatComparison \
 *     [--seconds 10] [--rounds 3] [--backend afpacket|afxdp|pcap] [--threading shared-network,run-to-completion]
 *     [--workers 1,2] [--tcp-streams 1,8] [--udp-lengths 64,1400] [--udp-clients 2] [--udp-rate 0]
 * </pre>
 */
public final class KernelNatComparison
{
    private static final String KERNEL = "kernel";
    private static final String NATGATE = "natgate ";
    private static final String WORKERS = " workers";
    /** Where the UDP clients run, in turn: with 2 workers, on worker 0 and on worker 1. */
    private static final Role[] UDP_CLIENT_ROLES = {Role.CLIENT, Role.CLIENT2};
    /** Beyond the lab's minute: on a loaded machine the journal's start-up code generation alone can take that. */
    private static final Duration GATEWAY_START_TIMEOUT = Duration.ofMinutes(4);
    private static final List<String> OFFLOAD_FEATURES = List.of("rx-checksumming", "tx-checksumming",
        "tcp-segmentation-offload", "generic-segmentation-offload", "generic-receive-offload");

    private final Options options;
    private final PrintStream out;

    /**
     * The run's settings, from the command line.
     */
    record Options(int seconds, int rounds, Backend backend, List<String> threading, int[] workers,
        int[] tcpStreams, int[] udpLengths, int udpClients, String udpRate)
    {
        static Options defaults()
        {
            return new Options(10, 3, Backend.AFPACKET, List.of("shared-network", "run-to-completion"), new int[] {1},
                new int[] {1, 8}, new int[] {64, 1400}, 2, "0");
        }

        /**
         * @return the natgate sides: each threading mode with each number of workers.
         */
        List<String> natgateSides()
        {
            final List<String> sides = new ArrayList<>();
            for (final int count : workers)
            {
                for (final String mode : threading)
                {
                    sides.add(NATGATE + mode + (count == 1 ? "" : " " + count + WORKERS));
                }
            }
            return sides;
        }
    }

    /**
     * What one case measured on one side: offered (sent by the clients) and received (counted by the
     * server), per second of the run.
     *
     * @param name    e.g. {@code TCP 8 streams}, {@code UDP 64 B}.
     * @param udp               true for a UDP case, whose packet rates are known; a TCP case has bit rates only.
     * @param serverSocketDrops UDP datagrams that reached the server but found its socket's buffer full
     *                          ({@code RcvbufErrors} of the server namespace's {@code /proc/net/snmp}): lost
     *                          behind the gateway, whoever forwards.
     */
    record Result(String name, boolean udp, double offeredPps, double offeredBitsPerSecond, double receivedPps,
        double receivedBitsPerSecond, double lostPercent, long retransmits, long serverSocketDrops)
    {
    }

    KernelNatComparison(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    public static void main(final String[] args)
    {
        final Options options = parse(args);
        if (!Lab.runningAsRoot())
        {
            System.err.println("KernelNatComparison needs root: it makes network namespaces");
            System.exit(2);
        }
        new KernelNatComparison(options, System.out).run();
    }

    /**
     * Measures every side in every round, printing each case as it ends, then the table of medians and ratios.
     *
     * @return the table.
     */
    String run()
    {
        final List<String> sides = new ArrayList<>(options.natgateSides());
        sides.add(KERNEL);
        out.printf(Locale.ROOT, "natgate vs kernel NAT (nftables masquerade), lab of docs/lab.md, default " +
            "offloads on every veth end, GRO on the gateway's ends: %d s per case, %d round(s), TCP from %s, UDP " +
            "from %s and %s in turn -> server %s, natgate backend %s, threading %s, workers %s; TCP streams %s; " +
            "UDP %d iperf3 clients at -b %s each, payloads %s B; %d CPUs, load average %s, JVM %s, kernel %s%n",
            options.seconds(), options.rounds(), LabTopology.CLIENT_SECOND_ADDRESS, LabTopology.CLIENT_SECOND_ADDRESS,
            LabTopology.CLIENT2_ADDRESS, LabTopology.SERVER_ADDRESS, options.backend().configName(),
            String.join(", ", options.threading()), Arrays.toString(options.workers()),
            Arrays.toString(options.tcpStreams()), options.udpClients(), options.udpRate(),
            Arrays.toString(options.udpLengths()), Runtime.getRuntime().availableProcessors(), loadAverage(),
            System.getProperty("java.vm.version"), System.getProperty("os.version"));
        final Map<String, List<List<Result>>> rounds = new LinkedHashMap<>();
        sides.forEach(side -> rounds.put(side, new ArrayList<>()));
        for (int round = 0; round < options.rounds(); round++)
        {
            // Rotate the order, so no side always runs first or on a machine warmed (or loaded) by the same other.
            for (int i = 0; i < sides.size(); i++)
            {
                final String side = sides.get((i + round) % sides.size());
                rounds.get(side).add(measureRetrying(side, round == 0));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "load average after: %s; medians of %d round(s)%n", loadAverage(), options.rounds());
        final String table = table(rounds);
        out.print(table);
        return table;
    }

    static Options parse(final String[] args)
    {
        final Options defaults = Options.defaults();
        int seconds = defaults.seconds();
        int rounds = defaults.rounds();
        Backend backend = defaults.backend();
        List<String> threading = defaults.threading();
        int[] workers = defaults.workers();
        int[] tcpStreams = defaults.tcpStreams();
        int[] udpLengths = defaults.udpLengths();
        int udpClients = defaults.udpClients();
        String udpRate = defaults.udpRate();
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(required(args[i], value));
                case "--rounds" -> rounds = Integer.parseInt(required(args[i], value));
                case "--backend" -> backend = backendNamed(required(args[i], value));
                case "--threading" -> threading = List.of(required(args[i], value).split(","));
                case "--workers" -> workers = numbers(required(args[i], value));
                case "--tcp-streams" -> tcpStreams = numbers(required(args[i], value));
                case "--udp-lengths" -> udpLengths = numbers(required(args[i], value));
                case "--udp-clients" -> udpClients = Integer.parseInt(required(args[i], value));
                case "--udp-rate" -> udpRate = required(args[i], value);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (rounds < 1 || seconds < 1 || udpClients < 1 || Arrays.stream(workers).anyMatch(count -> count < 1))
        {
            usage("--rounds, --seconds, --workers and --udp-clients must be at least 1");
        }
        final Options options =
            new Options(seconds, rounds, backend, threading, workers, tcpStreams, udpLengths, udpClients, udpRate);
        return options;
    }

    private static void usage(final String problem)
    {
        System.err.println(problem);
        System.err.println("usage: KernelNatComparison [--seconds N] [--rounds N] [--backend afpacket|afxdp|pcap] " +
            "[--threading shared-network,run-to-completion] [--workers 1,2] [--tcp-streams 1,8] [--udp-lengths 64,1400] " +
            "[--udp-clients N] [--udp-rate 0|RATE]");
        System.exit(2);
    }

    private static int[] numbers(final String list)
    {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static Backend backendNamed(final String name)
    {
        for (final Backend backend : List.of(Backend.AFPACKET, Backend.AFXDP, Backend.PCAP))
        {
            if (backend.configName().equals(name))
            {
                return backend;
            }
        }
        usage("--backend: " + name + " is not one of afpacket, afxdp, pcap");
        return null;
    }

    /**
     * {@link #measure}, once more if the gateway's JVM was not ready in time (a loaded machine): said, not hidden.
     */
    List<Result> measureRetrying(final String side, final boolean showOffload)
    {
        try
        {
            return measure(side, showOffload);
        }
        catch (final LabException ex)
        {
            out.printf(Locale.ROOT, "%-32s failed (%s); measuring it again%n", side,
                ex.getMessage().lines().findFirst().orElse(""));
            return measure(side, showOffload);
        }
    }

    /**
     * Makes the lab for one side, measures every case, and removes it.
     *
     * @param side        {@code kernel}, {@code natgate MODE} or {@code natgate MODE N workers}.
     * @param showOffload print the gateway's and client's offload settings, as the side runs with them.
     */
    List<Result> measure(final String side, final boolean showOffload)
    {
        final boolean natgate = !KERNEL.equals(side);
        final Path directory = LabFiles.temporaryDirectory("natgate-e2e-bench");
        try (Lab lab = Lab.up(LabTopology.unique("bench"), natgate ? Lab.Forwarding.NATGATE : Lab.Forwarding.KERNEL_NAT))
        {
            lab.sendFrom(Role.CLIENT, LabTopology.CLIENT_SECOND_ADDRESS);
            LabGateway gateway = null;
            if (natgate)
            {
                final String[] modeAndWorkers = side.substring(NATGATE.length()).split(" ");
                final int workers = modeAndWorkers.length == 1 ? 1 : Integer.parseInt(modeAndWorkers[1]);
                final Path config = LabGatewayConfig.write(directory, options.backend(),
                    LabGatewayConfig.writeProfile(directory, "small-2core", modeAndWorkers[0], workers));
                gateway = LabGateway.start(lab, NatgateJvm.current(), config, null, List.of(), GATEWAY_START_TIMEOUT);
            }
            else
            {
                // natgate turns GRO on for its ports (afpacket.gro); the kernel's forwarding gets the same ends.
                for (final String end : List.of(LabTopology.GATEWAY_INSIDE_INTERFACE, LabTopology.GATEWAY_OUTSIDE_INTERFACE))
                {
                    Exec.check(lab.in(Role.GATEWAY, List.of("ethtool", "-K", end, "gro", "on")));
                }
            }
            if (showOffload)
            {
                printOffloads(lab, side);
            }
            for (int client = 0; client < options.udpClients(); client++)
            {
                Iperf3.server(lab, Role.SERVER, Iperf3.PORT + client);
            }
            // The gateway learns the clients' and server's MACs before the first measured packet.
            for (final Role client : UDP_CLIENT_ROLES)
            {
                lab.exec(client, Duration.ofSeconds(10), "ping", "-c", "2", "-i", "0.2", "-W", "2",
                    LabTopology.SERVER_ADDRESS).check();
            }
            final List<Result> results = new ArrayList<>();
            for (final int streams : options.tcpStreams())
            {
                results.add(print(side, tcp(lab, streams)));
            }
            for (final int length : options.udpLengths())
            {
                results.add(print(side, udp(lab, length)));
            }
            if (gateway != null)
            {
                printDrops(gateway, side);
                gateway.stop();
            }
            return results;
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    private Result tcp(final Lab lab, final int streams)
    {
        final Iperf3.TcpResult tcp = Iperf3.tcp(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, Iperf3.PORT,
            options.seconds(), streams);
        return new Result("TCP " + streams + (streams == 1 ? " stream" : " streams"), false, 0,
            tcp.sentBitsPerSecond(), 0, tcp.receivedBitsPerSecond(), 0, tcp.retransmits(), 0);
    }

    /**
     * {@code udpClients} iperf3 clients at once, each to its own server port, in the two clients' namespaces in
     * turn; their sums.
     */
    private Result udp(final Lab lab, final int length)
    {
        final ExecutorService clients = Executors.newFixedThreadPool(options.udpClients());
        final long serverDropsBefore = udpReceiveBufferErrors(lab);
        try
        {
            final List<Future<Iperf3.UdpResult>> runs = new ArrayList<>();
            for (int client = 0; client < options.udpClients(); client++)
            {
                final int port = Iperf3.PORT + client;
                final Role role = UDP_CLIENT_ROLES[client % UDP_CLIENT_ROLES.length];
                runs.add(clients.submit(() -> Iperf3.udp(lab, role, LabTopology.SERVER_ADDRESS, port,
                    options.seconds(), options.udpRate(), length)));
            }
            long sent = 0;
            long lost = 0;
            double seconds = 0;
            for (final Future<Iperf3.UdpResult> run : runs)
            {
                final Iperf3.UdpResult result = run.get();
                sent += result.sentPackets();
                lost += result.lostPackets();
                seconds = Math.max(seconds, result.seconds());
            }
            final double sentPps = sent / seconds;
            final double receivedPps = (sent - lost) / seconds;
            return new Result("UDP " + length + " B", true, sentPps, sentPps * length * 8, receivedPps,
                receivedPps * length * 8, sent == 0 ? 0 : 100.0 * lost / sent, 0,
                udpReceiveBufferErrors(lab) - serverDropsBefore);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted waiting for iperf3");
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new LabException(ex.toString());
        }
        finally
        {
            clients.shutdownNow();
        }
    }

    private Result print(final String side, final Result result)
    {
        if (result.udp())
        {
            out.printf(Locale.ROOT, "%-32s %-16s offered %,10.0f pps (%8.1f Mbit/s), received %,10.0f pps " +
                "(%8.1f Mbit/s), lost %.2f %%, %d dropped at the server's full sockets%n", side, result.name(),
                result.offeredPps(), result.offeredBitsPerSecond() / 1e6, result.receivedPps(),
                result.receivedBitsPerSecond() / 1e6, result.lostPercent(), result.serverSocketDrops());
        }
        else
        {
            out.printf(Locale.ROOT, "%-32s %-16s sent %.3f Gbit/s, received %.3f Gbit/s, %d retransmits%n",
                side, result.name(), result.offeredBitsPerSecond() / 1e9, result.receivedBitsPerSecond() / 1e9,
                result.retransmits());
        }
        return result;
    }

    /**
     * @return the server namespace's count of UDP datagrams dropped for a full socket receive buffer.
     */
    private static long udpReceiveBufferErrors(final Lab lab)
    {
        final List<String> udp = lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "cat", "/proc/net/snmp").check().stdout()
            .lines().filter(line -> line.startsWith("Udp: ")).toList();
        final List<String> names = List.of(udp.get(0).split(" "));
        return Long.parseLong(udp.get(1).split(" ")[names.indexOf("RcvbufErrors")]);
    }

    /**
     * The offload features of the client's end and the gateway's two ends, as {@code ethtool -k} shows them.
     */
    private void printOffloads(final Lab lab, final String side)
    {
        final Map<String, Role> ends = new LinkedHashMap<>();
        ends.put(LabTopology.HOST_INTERFACE, Role.CLIENT);
        ends.put(LabTopology.GATEWAY_INSIDE_INTERFACE, Role.GATEWAY);
        ends.put(LabTopology.GATEWAY_OUTSIDE_INTERFACE, Role.GATEWAY);
        for (final Map.Entry<String, Role> end : ends.entrySet())
        {
            final String features = lab.exec(end.getValue(), Exec.SETUP_TIMEOUT, "ethtool", "-k", end.getKey()).check()
                .stdout().lines().map(String::strip)
                .filter(line -> OFFLOAD_FEATURES.stream().anyMatch(feature -> line.startsWith(feature + ":")))
                .map(line -> line.replace(" [fixed]", "")).reduce((a, b) -> a + ", " + b).orElse("");
            out.printf(Locale.ROOT, "%-32s offloads of %s %s: %s%n", side,
                end.getValue().name().toLowerCase(Locale.ROOT), end.getKey(), features);
        }
    }

    /**
     * natgate's drop counters that moved, by reason and port, from its {@code /metrics}.
     */
    private void printDrops(final LabGateway gateway, final String side)
    {
        final String drops = gateway.admin("/metrics").lines()
            .filter(line -> line.startsWith("natgate_drops_total{") || line.startsWith("natgate_port_kernel_rx_dropped") ||
                line.startsWith("natgate_port_tx_failed"))
            .filter(line -> !line.endsWith(" 0"))
            .reduce((a, b) -> a + "; " + b).orElse("none");
        out.printf(Locale.ROOT, "%-32s drops: %s%n", side, drops);
    }

    /**
     * @return for every case, each side's median over the rounds and each natgate side's ratio to the kernel.
     */
    static String table(final Map<String, List<List<Result>>> rounds)
    {
        final List<String> sides = new ArrayList<>(rounds.keySet());
        final List<Result> cases = rounds.get(sides.getFirst()).getFirst();
        // Every side's column, then a ratio column per natgate side; each as wide as its heading.
        final List<String> headings = new ArrayList<>(sides);
        sides.stream().filter(side -> !KERNEL.equals(side))
            .forEach(side -> headings.add(side.replace(NATGATE, "") + "/kernel"));
        final int[] widths = new int[headings.size()];
        for (int column = 0; column < widths.length; column++)
        {
            widths[column] = Math.max(column < sides.size() ? 28 : 14, headings.get(column).length());
        }
        final StringBuilder out = new StringBuilder();
        line(out, "case", headings, widths);
        for (int i = 0; i < cases.size(); i++)
        {
            final int index = i;
            final Result first = cases.get(i);
            if (first.udp())
            {
                row(out, rounds, widths, first.name() + " received pps", r -> r.get(index).receivedPps(), "%,.0f",
                    true);
                row(out, rounds, widths, "  offered pps", r -> r.get(index).offeredPps(), "%,.0f", false);
                row(out, rounds, widths, "  received Mbit/s", r -> r.get(index).receivedBitsPerSecond() / 1e6, "%.1f",
                    false);
                row(out, rounds, widths, "  loss %", r -> r.get(index).lostPercent(), "%.2f", false);
                row(out, rounds, widths, "  server socket drops", r -> r.get(index).serverSocketDrops(), "%.0f", false);
            }
            else
            {
                row(out, rounds, widths, first.name() + " Gbit/s", r -> r.get(index).receivedBitsPerSecond() / 1e9,
                    "%.3f", true);
                row(out, rounds, widths, "  retransmits", r -> r.get(index).retransmits(), "%.0f", false);
            }
        }
        return out.toString();
    }

    private static void row(final StringBuilder out, final Map<String, List<List<Result>>> rounds, final int[] widths,
        final String label, final ToDoubleFunction<List<Result>> figure, final String format, final boolean ratios)
    {
        final Map<String, Double> medians = new LinkedHashMap<>();
        rounds.forEach((side, results) -> medians.put(side, median(results, figure)));
        final List<String> cells = new ArrayList<>();
        medians.values().forEach(value -> cells.add(String.format(Locale.ROOT, format, value)));
        final double kernel = medians.getOrDefault(KERNEL, 0.0);
        medians.forEach((side, value) ->
        {
            if (!KERNEL.equals(side))
            {
                cells.add(ratios && kernel > 0 ? String.format(Locale.ROOT, "%.2f", value / kernel) : "");
            }
        });
        line(out, label, cells, widths);
    }

    /**
     * Appends a line of the table: its label, then each cell right-aligned in its column.
     */
    private static void line(final StringBuilder out, final String label, final List<String> cells, final int[] widths)
    {
        out.append(String.format(Locale.ROOT, "%-26s", label));
        for (int column = 0; column < cells.size(); column++)
        {
            out.append(' ').append(" ".repeat(Math.max(0, widths[column] - cells.get(column).length())))
                .append(cells.get(column));
        }
        out.append('\n');
    }

    static double median(final List<List<Result>> rounds, final ToDoubleFunction<List<Result>> figure)
    {
        final double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static String required(final String option, final String value)
    {
        if (value == null)
        {
            usage(option + " needs a value");
        }
        return value;
    }

    private static String loadAverage()
    {
        try
        {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
