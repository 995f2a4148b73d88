package io.natgate.benchmarks.e2e;

import io.natgate.control.lab.Lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * natgate's backends against each other and the kernel's NAT in one run: {@link KernelNatComparison}'s
 * lab, cases (TCP by stream count, UDP by payload from several iperf3 clients at once, offered and
 * received) and table, with a natgate side for each backend, threading mode and number of workers (by
 * default AF_XDP and AF_PACKET, both run to completion with one) beside the kernel's. The sides rotate from round to round; the
 * table gives each figure's median and each side's ratio to the kernel, and a last block the first
 * backend's medians over the second's. Takes KernelNatComparison's options, {@code --backends}
 * instead of {@code --backend}. Needs root and the lab's packages.
 * <pre>
 * java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.e2e.BackendComparison \
 *     [--backends afxdp,afpacket] [--threading run-to-completion] [--workers 1] [--rounds 3] [--seconds 10] \
 *     [--tcp-streams 1,8] [--udp-lengths 64,1400] [--udp-clients 2] [--udp-rate 0]
 * </pre>
 */
public final class BackendComparison
{
    private static final String KERNEL = "kernel";

    private BackendComparison()
    {
    }

    public static void main(final String[] args)
    {
        List<String> backends = List.of("afxdp", "afpacket");
        final List<String> rest = new ArrayList<>(List.of("--threading", "run-to-completion"));
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--backends") && i + 1 < args.length)
            {
                backends = List.of(args[++i].split(","));
            }
            else
            {
                rest.add(args[i]); // a later --threading replaces the default
            }
        }
        final KernelNatComparison.Options base = KernelNatComparison.parse(rest.toArray(String[]::new));
        if (!Lab.runningAsRoot())
        {
            System.err.println("BackendComparison needs root: it makes network namespaces");
            System.exit(2);
        }

        // side label -> what measures it, and the side name KernelNatComparison.measure takes
        final Map<String, KernelNatComparison> comparisons = new LinkedHashMap<>();
        final Map<String, String> measuredAs = new LinkedHashMap<>();
        for (final String backend : backends)
        {
            final KernelNatComparison.Options options = new KernelNatComparison.Options(base.seconds(), base.rounds(),
                KernelNatComparison.parse(new String[] {"--backend", backend}).backend(), base.threading(),
                base.workers(), base.tcpStreams(), base.udpLengths(), base.udpClients(), base.udpRate());
            for (final String side : options.natgateSides())
            {
                final String label = side.replaceFirst("^natgate ", "natgate " + backend + " ");
                comparisons.put(label, new KernelNatComparison(options, System.out));
                measuredAs.put(label, side);
            }
        }
        comparisons.put(KERNEL, new KernelNatComparison(base, System.out));
        measuredAs.put(KERNEL, KERNEL);
        final List<String> sides = new ArrayList<>(comparisons.keySet());

        System.out.printf(Locale.ROOT, "natgate backends %s vs kernel NAT (nftables masquerade), lab of docs/lab.md, " +
            "default offloads on every veth end, GRO on the gateway's ends: %d s per case, %d round(s), threading %s, " +
            "workers %s; TCP streams %s; UDP %d iperf3 clients at -b %s each, payloads %s B; %d CPUs, load average %s, JVM %s, " +
            "kernel %s%n", String.join(", ", backends), base.seconds(), base.rounds(),
            String.join(", ", base.threading()), java.util.Arrays.toString(base.workers()),
            java.util.Arrays.toString(base.tcpStreams()), base.udpClients(),
            base.udpRate(), java.util.Arrays.toString(base.udpLengths()), Runtime.getRuntime().availableProcessors(),
            loadAverage(), System.getProperty("java.vm.version"), System.getProperty("os.version"));
        final Map<String, List<List<KernelNatComparison.Result>>> rounds = new LinkedHashMap<>();
        sides.forEach(side -> rounds.put(side, new ArrayList<>()));
        for (int round = 0; round < base.rounds(); round++)
        {
            for (int i = 0; i < sides.size(); i++)
            {
                final String side = sides.get((i + round) % sides.size());
                System.out.printf(Locale.ROOT, "-- round %d: %s%n", round + 1, side);
                rounds.get(side).add(comparisons.get(side).measureRetrying(measuredAs.get(side), round == 0));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "load average after: %s; medians of %d round(s)%n", loadAverage(), base.rounds());
        System.out.print(KernelNatComparison.table(rounds));
        if (sides.size() > 2)
        {
            System.out.print(between(rounds, sides.get(0), sides.get(1)));
        }
    }

    /**
     * @return for every case, side {@code one}'s median received rate over side {@code other}'s.
     */
    static String between(final Map<String, List<List<KernelNatComparison.Result>>> rounds, final String one,
        final String other)
    {
        final StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n%s / %s (medians, received)%n",
            one, other));
        final List<KernelNatComparison.Result> cases = rounds.get(one).getFirst();
        for (int i = 0; i < cases.size(); i++)
        {
            final int index = i;
            final KernelNatComparison.Result first = cases.get(i);
            final double ours = KernelNatComparison.median(rounds.get(one), r -> first.udp() ?
                r.get(index).receivedPps() : r.get(index).receivedBitsPerSecond());
            final double theirs = KernelNatComparison.median(rounds.get(other), r -> first.udp() ?
                r.get(index).receivedPps() : r.get(index).receivedBitsPerSecond());
            out.append(String.format(Locale.ROOT, "%-26s %8s%n", first.name() + (first.udp() ? " pps" : " Gbit/s"),
                theirs > 0 ? String.format(Locale.ROOT, "%.2f", ours / theirs) : "-"));
        }
        return out.toString();
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
