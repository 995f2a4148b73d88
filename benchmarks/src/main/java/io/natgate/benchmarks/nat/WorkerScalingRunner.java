package io.natgate.benchmarks.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.FlowSteering;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;

/**
 * {@link WorkerScalingBenchmark}'s comparison in alternating rounds, timed both by the wall clock and by each
 * worker thread's own CPU time (on a machine shared with busy processes the wall clock mostly measures
 * waiting for a core). Each round runs the 1-worker gateway on one thread, then the 2-worker gateway on two
 * threads started together, every worker translating {@code packets} packets of its own flows. Prints per
 * round and as medians: aggregate packets per second of wall time, ns of CPU per packet per worker, the
 * wall-clock ratio and the CPU scaling factor {@code 2 * cpuNs(1 worker) / mean cpuNs(2 workers)} (what two
 * cores give where each worker has its core).
 * <pre>
 *   flock /work/bench.lock java @jvm.options -Xms3g -Xmx3g -cp benchmarks/target/benchmarks.jar \
 *       io.natgate.benchmarks.nat.WorkerScalingRunner 1000000 9 4000000
 * </pre>
 */
public final class WorkerScalingRunner
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WorkerScalingRunner()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        final int packets = args.length > 2 ? Integer.parseInt(args[2]) : 4_000_000;
        final long heap0 = UdpFlows.usedHeapAfterGc();
        final WorkerShares one = new WorkerShares(sessions, 1);
        final long heap1 = UdpFlows.usedHeapAfterGc();
        final WorkerShares two = new WorkerShares(sessions, 2);
        final long heap2 = UdpFlows.usedHeapAfterGc();
        System.out.printf("sessions %,d: 1 worker tables %,d B (heap %,d B); 2 workers tables %,d B (heap %,d B); " +
            "flows per worker %,d / %,d%n", sessions, one.tableBytes, heap1 - heap0, two.tableBytes, heap2 - heap1,
            two.words[0].length / 6, two.words[1].length / 6);

        final WorkerShares.WorkerLoop single = new WorkerShares.WorkerLoop(one, 0);
        final WorkerShares.WorkerLoop[] pair = {
            new WorkerShares.WorkerLoop(two, 0), new WorkerShares.WorkerLoop(two, 1)};
        for (int warm = 0; warm < 2; warm++)
        {
            run(new WorkerShares.WorkerLoop[] {single}, packets);
            run(pair, packets);
        }
        final double[] wallOne = new double[rounds];
        final double[] wallTwo = new double[rounds];
        final double[] cpuOne = new double[rounds];
        final double[] cpuTwo = new double[rounds];
        final double[] wallRatio = new double[rounds];
        final double[] cpuScaling = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            final double[] a = run(new WorkerShares.WorkerLoop[] {single}, packets);
            final double[] b = run(pair, packets);
            wallOne[round] = a[0];
            cpuOne[round] = a[1];
            wallTwo[round] = b[0];
            cpuTwo[round] = (b[1] + b[2]) / 2;
            wallRatio[round] = b[0] / a[0];
            cpuScaling[round] = 2 * a[1] / cpuTwo[round];
            System.out.printf("round %d: 1 worker %,.0f pps wall, %.1f ns CPU/packet | 2 workers %,.0f pps wall, " +
                "%.1f and %.1f ns CPU/packet | wall ratio %.2f, CPU scaling %.2f%n", round, a[0], a[1], b[0], b[1], b[2],
                wallRatio[round], cpuScaling[round]);
        }
        System.out.printf("median of %d alternating rounds, %,d sessions, %,d packets per worker per round:%n" +
            "  1 worker : %,.0f pps wall, %.1f ns CPU/packet%n" +
            "  2 workers: %,.0f pps wall, %.1f ns CPU/packet per worker%n" +
            "  wall ratio 2/1: %.2f; CPU scaling factor 2/1: %.2f (min %.2f, max %.2f)%n",
            rounds, sessions, packets, median(wallOne), median(cpuOne), median(wallTwo), median(cpuTwo),
            median(wallRatio), median(cpuScaling), min(cpuScaling), max(cpuScaling));
        steeringCost(two, packets);
        if (single.failures + pair[0].failures + pair[1].failures != 0)
        {
            throw new IllegalStateException("packets not forwarded");
        }
    }

    /**
     * Runs every loop on its own thread, started together, {@code packets} packets each.
     *
     * @return aggregate packets per second of wall time, then each thread's ns of CPU per packet.
     */
    private static double[] run(final WorkerShares.WorkerLoop[] loops, final int packets) throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(loops.length + 1);
        final long[] cpuNs = new long[loops.length];
        final Thread[] threads = new Thread[loops.length];
        for (int i = 0; i < loops.length; i++)
        {
            final int worker = i;
            threads[i] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                final long before = THREADS.getCurrentThreadCpuTime();
                final WorkerShares.WorkerLoop loop = loops[worker];
                for (int done = 0; done < packets; done += NatTranslateBenchmark.BURST)
                {
                    loop.burst();
                }
                cpuNs[worker] = THREADS.getCurrentThreadCpuTime() - before;
            }, "natgate-worker-" + i);
            threads[i].start();
        }
        start.await();
        final long wallStart = System.nanoTime();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final long wallNs = System.nanoTime() - wallStart;
        final double[] result = new double[1 + loops.length];
        result[0] = (double)packets * loops.length * 1e9 / wallNs;
        for (int i = 0; i < loops.length; i++)
        {
            result[1 + i] = (double)cpuNs[i] / packets;
        }
        return result;
    }

    /**
     * What the rx side pays per frame to pick its worker ({@link FlowSteering}), over the 2-worker gateway's
     * packets both ways, checked against the worker that holds each flow.
     */
    private static void steeringCost(final WorkerShares two, final int packets)
    {
        final FlowSteering steering = new FlowSteering(two.steering, two.config, new DatapathCounters(1));
        final UnsafeBuffer packet = UdpFlows.packetBuffer();
        UdpFlows.write(packet, 1, 1, 2, 2);
        final double[] nsPerPacket = new double[5];
        long misrouted = 0;
        for (int round = 0; round < 2 + nsPerPacket.length; round++)
        {
            final long before = THREADS.getCurrentThreadCpuTime();
            int done = 0;
            for (int worker = 0; worker < two.workers && done < packets; worker++)
            {
                final long[] words = two.words[worker];
                for (int i = 0; i < words.length && done < packets; i += 3, done++)
                {
                    UdpFlows.load(packet, words[i], words[i + 1]);
                    final int chosen = words[i + 2] != 0 ?
                        steering.outbound(packet, 0, UdpFlows.PACKET_LENGTH) :
                        steering.inbound(packet, 0, UdpFlows.PACKET_LENGTH, 0, 0);
                    misrouted += chosen != worker ? 1 : 0;
                }
            }
            if (round >= 2)
            {
                nsPerPacket[round - 2] = (double)(THREADS.getCurrentThreadCpuTime() - before) / done;
            }
        }
        System.out.printf("steering (rx side, 2 workers): median %.1f ns CPU/packet (min %.1f, max %.1f), " +
            "load of the packet's words included; %d packets misrouted%n",
            median(nsPerPacket), min(nsPerPacket), max(nsPerPacket), misrouted);
        if (misrouted != 0)
        {
            throw new IllegalStateException(misrouted + " packets steered to a worker not holding their flow");
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(0);
    }
}
