package io.natgate.benchmarks.e2e;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.Iperf3;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * iperf3 through the lab (docs/lab.md) twice in one run: with natgate forwarding (no kernel
 * addresses on the gateway's ends, ip_forward=0), then with the kernel's own NAT on the same
 * topology (addresses, ip_forward=1, an nftables masquerade rule). For each: TCP throughput from
 * the client to the server, and UDP datagrams per second received by the server for each payload
 * length, the client sending as fast as it can ({@code -b 0}); then a table of natgate/kernel
 * ratios. With {@code --rounds N} the two sides alternate N times and the table shows each
 * figure's median, so a burst of other work on the machine does not land on one side only.
 * Needs root and the lab's packages.
 * <pre>
 * java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.e2e.KernelNatComparison \
 *     [--seconds 10] [--rounds 1] [--backend afpacket|afxdp|pcap] [--udp-lengths 64,1400] [--udp-rate 0]
 * </pre>
 */
public final class KernelNatComparison
{
    private final int seconds;
    private final int rounds;
    private final Backend backend;
    private final int[] udpLengths;
    private final String udpRate;

    /**
     * What one side measured.
     */
    record Figures(Iperf3.TcpResult tcp, List<Iperf3.UdpResult> udp)
    {
    }

    KernelNatComparison(final int seconds, final int rounds, final Backend backend, final int[] udpLengths,
        final String udpRate)
    {
        this.seconds = seconds;
        this.rounds = rounds;
        this.backend = backend;
        this.udpLengths = udpLengths;
        this.udpRate = udpRate;
    }

    public static void main(final String[] args)
    {
        int seconds = 10;
        int rounds = 1;
        Backend backend = Backend.AFPACKET;
        int[] udpLengths = {64, 1400};
        String udpRate = "0";
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(required(args[i], value));
                case "--rounds" -> rounds = Integer.parseInt(required(args[i], value));
                case "--backend" -> backend = backendNamed(required(args[i], value));
                case "--udp-lengths" -> udpLengths = java.util.Arrays.stream(required(args[i], value).split(","))
                    .mapToInt(Integer::parseInt).toArray();
                case "--udp-rate" -> udpRate = required(args[i], value);
                default ->
                {
                    System.err.println("usage: KernelNatComparison [--seconds N] [--rounds N] [--backend afpacket|afxdp|pcap] " +
                        "[--udp-lengths 64,1400] [--udp-rate 0|RATE]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (!io.natgate.control.lab.Lab.runningAsRoot())
        {
            System.err.println("KernelNatComparison needs root: it makes network namespaces");
            System.exit(2);
        }
        final KernelNatComparison comparison =
            new KernelNatComparison(seconds, rounds, backend, udpLengths, udpRate);
        System.out.printf(Locale.ROOT, "natgate vs kernel NAT (nftables masquerade), lab of docs/lab.md: iperf3 %d s " +
            "per run, %d round(s), client 10.0.0.2 -> server 203.0.113.2, natgate backend %s, UDP rate %s, %d CPUs, " +
            "load average %s, JVM %s, kernel %s%n", seconds, rounds, backend.configName(),
            "0".equals(udpRate) ? "unlimited" : udpRate, Runtime.getRuntime().availableProcessors(), loadAverage(),
            System.getProperty("java.vm.version"), System.getProperty("os.version"));
        final List<Figures> natgate = new ArrayList<>();
        final List<Figures> kernel = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, so neither always runs on a machine warmed (or loaded) by the other.
            final boolean natgateFirst = round % 2 == 0;
            final Figures first = comparison.measure(natgateFirst ? Lab.Forwarding.NATGATE : Lab.Forwarding.KERNEL_NAT);
            final Figures second = comparison.measure(natgateFirst ? Lab.Forwarding.KERNEL_NAT : Lab.Forwarding.NATGATE);
            natgate.add(natgateFirst ? first : second);
            kernel.add(natgateFirst ? second : first);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "load average after: %s%s%n", loadAverage(),
            rounds > 1 ? "; medians of " + rounds + " rounds" : "");
        System.out.print(table(natgate, kernel));
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
        System.err.println("--backend: " + name + " is not one of afpacket, afxdp, pcap");
        System.exit(2);
        return null;
    }

    /**
     * Makes the lab for one side, measures, and removes it.
     */
    Figures measure(final Lab.Forwarding forwarding)
    {
        final String side = forwarding == Lab.Forwarding.NATGATE ? "natgate" : "kernel";
        final Path directory = LabFiles.temporaryDirectory("natgate-e2e-bench");
        try (Lab lab = Lab.up(LabTopology.unique("bench"), forwarding))
        {
            LabGateway gateway = null;
            if (forwarding == Lab.Forwarding.NATGATE)
            {
                final Path config = LabGatewayConfig.write(directory, backend, "small-2core");
                gateway = LabGateway.start(lab, NatgateJvm.current(), config, null);
            }
            Iperf3.server(lab, Role.SERVER, Iperf3.PORT);
            final Iperf3.TcpResult tcp = Iperf3.tcp(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, Iperf3.PORT, seconds);
            System.out.printf(Locale.ROOT, "%-8s TCP: %.3f Gbit/s received, %d retransmits%n", side,
                tcp.gigabitsPerSecond(), tcp.retransmits());
            final List<Iperf3.UdpResult> udp = new ArrayList<>();
            for (final int length : udpLengths)
            {
                final Iperf3.UdpResult result = Iperf3.udp(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, Iperf3.PORT,
                    seconds, udpRate, length);
                udp.add(result);
                System.out.printf(Locale.ROOT, "%-8s UDP %d B: sent %.0f pps, received %.0f pps, lost %.2f %%%n", side,
                    length, result.sentPacketsPerSecond(), result.receivedPacketsPerSecond(), result.lostPercent());
            }
            if (gateway != null)
            {
                gateway.stop();
            }
            return new Figures(tcp, udp);
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    /**
     * @return the table of both sides (each figure the median of the rounds) and their ratios.
     */
    static String table(final List<Figures> natgate, final List<Figures> kernel)
    {
        final StringBuilder out = new StringBuilder();
        final String format = "%-30s %16s %16s %15s%n";
        out.append(String.format(Locale.ROOT, format, "iperf3 run", "natgate", "kernel NAT", "natgate/kernel"));
        final double ourGbps = median(natgate, figures -> figures.tcp().gigabitsPerSecond());
        final double theirGbps = median(kernel, figures -> figures.tcp().gigabitsPerSecond());
        out.append(String.format(Locale.ROOT, format, "TCP throughput", String.format(Locale.ROOT, "%.3f Gbit/s", ourGbps),
            String.format(Locale.ROOT, "%.3f Gbit/s", theirGbps), ratio(ourGbps, theirGbps)));
        for (int i = 0; i < natgate.getFirst().udp().size(); i++)
        {
            final int run = i;
            final double ourPps = median(natgate, figures -> figures.udp().get(run).receivedPacketsPerSecond());
            final double theirPps = median(kernel, figures -> figures.udp().get(run).receivedPacketsPerSecond());
            out.append(String.format(Locale.ROOT, format,
                "UDP " + natgate.getFirst().udp().get(i).payloadLength() + " B received pps",
                String.format(Locale.ROOT, "%,.0f", ourPps), String.format(Locale.ROOT, "%,.0f", theirPps),
                ratio(ourPps, theirPps)));
            out.append(String.format(Locale.ROOT, format, "  sent pps (offered)",
                String.format(Locale.ROOT, "%,.0f", median(natgate, f -> f.udp().get(run).sentPacketsPerSecond())),
                String.format(Locale.ROOT, "%,.0f", median(kernel, f -> f.udp().get(run).sentPacketsPerSecond())), ""));
            out.append(String.format(Locale.ROOT, format, "  loss",
                String.format(Locale.ROOT, "%.2f %%", median(natgate, f -> f.udp().get(run).lostPercent())),
                String.format(Locale.ROOT, "%.2f %%", median(kernel, f -> f.udp().get(run).lostPercent())), ""));
        }
        return out.toString();
    }

    private static double median(final List<Figures> rounds, final java.util.function.ToDoubleFunction<Figures> figure)
    {
        final double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static String ratio(final double ours, final double theirs)
    {
        return theirs > 0 ? String.format(Locale.ROOT, "%.2f", ours / theirs) : "-";
    }

    private static String required(final String option, final String value)
    {
        if (value == null)
        {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return value;
    }

    private static String loadAverage()
    {
        try
        {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        }
        catch (final java.io.IOException ex)
        {
            return "unknown";
        }
    }
}
