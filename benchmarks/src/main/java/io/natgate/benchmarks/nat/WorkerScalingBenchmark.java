package io.natgate.benchmarks.nat;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The NAT on 1 and 2 workers, each worker's engine on its own thread with its own share of {@code sessions}
 * live UDP sessions (a million by default), translating bursts of its flows' packets both ways: aggregate
 * packets per second (JMH sums the threads' throughput). Nothing is shared between the threads but the
 * read-only steering; the scaling factor is {@code twoWorkers / oneWorker}. On a machine shared with other
 * busy processes the wall clock mostly measures waiting for a core: {@link WorkerScalingRunner} gives the
 * CPU-time figures beside these.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms3g", "-Xmx3g" })
public class WorkerScalingBenchmark
{
    /**
     * The engines and their packets, for the benchmark's worker count.
     */
    public abstract static class Gateway
    {
        WorkerShares shares;
        final AtomicInteger nextWorker = new AtomicInteger();

        void setUp(final int workers, final int sessions)
        {
            shares = new WorkerShares(sessions, workers);
            System.out.printf("%n%d worker(s), %,d sessions: tables %,d B in all%n", workers, sessions,
                shares.tableBytes);
        }
    }

    @State(Scope.Benchmark)
    public static class OneWorker extends Gateway
    {
        /** Live sessions across the workers. */
        @Param({ "1000000" })
        int sessions;

        @Setup(Level.Trial)
        public void setUp()
        {
            setUp(1, sessions);
        }
    }

    @State(Scope.Benchmark)
    public static class TwoWorkers extends Gateway
    {
        /** Live sessions across the workers. */
        @Param({ "1000000" })
        int sessions;

        @Setup(Level.Trial)
        public void setUp()
        {
            setUp(2, sessions);
        }
    }

    /**
     * A benchmark thread: one worker of the gateway, taken in turn.
     */
    public abstract static class Worker
    {
        WorkerShares.WorkerLoop loop;

        void bind(final Gateway gateway)
        {
            loop = new WorkerShares.WorkerLoop(gateway.shares, gateway.nextWorker.getAndIncrement());
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            if (loop.failures != 0)
            {
                throw new IllegalStateException(loop.failures + " packets not forwarded");
            }
        }
    }

    @State(Scope.Thread)
    public static class OneWorkerThread extends Worker
    {
        @Setup(Level.Trial)
        public void setUp(final OneWorker gateway)
        {
            bind(gateway);
        }
    }

    @State(Scope.Thread)
    public static class TwoWorkersThread extends Worker
    {
        @Setup(Level.Trial)
        public void setUp(final TwoWorkers gateway)
        {
            bind(gateway);
        }
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(NatTranslateBenchmark.BURST)
    public int oneWorker(final OneWorkerThread worker)
    {
        return worker.loop.burst();
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(NatTranslateBenchmark.BURST)
    public int twoWorkers(final TwoWorkersThread worker)
    {
        return worker.loop.burst();
    }
}
