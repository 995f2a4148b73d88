package io.natgate.benchmarks.nat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The burst and new-session benchmarks timed by the benchmark thread's own CPU time rather than
 * the wall clock: on a machine shared with many busy processes (load far above the core count)
 * JMH's wall-clock figures mostly measure how long the thread waited for a core. CPU time leaves
 * that out; what other processes do to the caches stays in. Prints, per benchmark, the median and
 * range of ns of CPU per operation over the measured rounds, after warm-up rounds.
 * <pre>
 *   java @jvm.options -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar \
 *       io.natgate.benchmarks.nat.CpuTimeRunner 1000000 7 [engine-only]
 * </pre>
 */
public final class CpuTimeRunner
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static long sink;

    private CpuTimeRunner()
    {
    }

    public static void main(final String[] args)
    {
        final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        final NatTranslateBenchmark nat = new NatTranslateBenchmark();
        final NatTranslateBenchmark.Established established = new NatTranslateBenchmark.Established();
        established.sessions = sessions;
        established.setUp();
        run("establishedInToOutBurst", sessions, rounds, NatTranslateBenchmark.BURST,
            () -> nat.establishedInToOutBurst(established));
        run("establishedOutToInBurst", sessions, rounds, NatTranslateBenchmark.BURST,
            () -> nat.establishedOutToInBurst(established));
        established.tearDown();

        final NatTranslateBenchmark.Churn churn = new NatTranslateBenchmark.Churn();
        churn.sessions = sessions;
        churn.setUp();
        run("newSession", sessions, rounds, 1, () -> nat.newSession(churn));
        churn.tearDown();

        if (args.length > 2 && args[2].equals("engine-only"))
        {
            System.out.println("sink " + sink);
            return;
        }
        final ForwarderBenchmark forwarder = new ForwarderBenchmark();
        final ForwarderBenchmark.Gateway gateway = new ForwarderBenchmark.Gateway();
        gateway.sessions = sessions;
        gateway.setUp();
        run("forwardInToOutBurst", sessions, rounds, ForwarderBenchmark.BURST,
            () -> (int)forwarder.forwardInToOutBurst(gateway));
        run("forwardOutToInBurst", sessions, rounds, ForwarderBenchmark.BURST,
            () -> (int)forwarder.forwardOutToInBurst(gateway));
        gateway.tearDown();
        System.out.println("sink " + sink);
    }

    private static void run(
        final String name, final int sessions, final int rounds, final int packetsPerCall, final IntSupplier call)
    {
        final int calls = Math.max(1, (packetsPerCall == 1 ? 200_000 : 1_000_000) / packetsPerCall);
        for (int round = 0; round < 3; round++) // warm-up: JIT tiers settle
        {
            for (int i = 0; i < calls; i++)
            {
                sink += call.getAsInt();
            }
        }
        final double[] nsPerOp = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            final long before = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++)
            {
                sink += call.getAsInt();
            }
            nsPerOp[round] = (double)(THREADS.getCurrentThreadCpuTime() - before) / ((long)calls * packetsPerCall);
        }
        Arrays.sort(nsPerOp);
        System.out.printf("CPU %-26s sessions=%-8d median %8.1f ns/op  min %8.1f  max %8.1f  (%d rounds of %,d ops)%n",
            name, sessions, nsPerOp[rounds / 2], nsPerOp[0], nsPerOp[rounds - 1], rounds,
            (long)calls * packetsPerCall);
    }
}
