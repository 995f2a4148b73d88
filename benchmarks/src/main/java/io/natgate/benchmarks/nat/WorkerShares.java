package io.natgate.benchmarks.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.WorkerSteering;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.BIG_ENDIAN;

import static io.natgate.benchmarks.nat.UdpFlows.PACKET_LENGTH;

/**
 * {@code sessions} live UDP flows ({@link UdpFlows}) on {@code workers} engines, as a gateway with that many
 * workers holds them: each engine built from its {@link NatConfig#forWorker share} of one configuration and
 * its own counters, each flow created on the worker its inside host steers to, its reply checked to steer
 * back to that worker ({@link WorkerSteering#publicWorker}). Per worker, the flows' packets both ways, as
 * (address word, port word) pairs in a random order, outbound and inbound interleaved.
 */
final class WorkerShares
{
    /** Simulated clock advance per packet. */
    static final long STEP_NS = 50;
    /** Room above the live count in each worker's share: inside hosts hash unevenly across workers. */
    static final double TABLE_HEADROOM = 1.1;

    final int workers;
    final NatEngine[] engines;
    /** Per worker: address word, port word, direction (1 outbound, 0 inbound), ... */
    final long[][] words;
    final long tableBytes;
    final NatConfig config;
    final WorkerSteering steering;

    WorkerShares(final int sessions, final int workers)
    {
        this.workers = workers;
        config = UdpFlows.config((int)(sessions * TABLE_HEADROOM));
        steering = new WorkerSteering(workers);
        engines = new NatEngine[workers];
        long bytes = 0;
        for (int worker = 0; worker < workers; worker++)
        {
            engines[worker] = new NatEngine(config.forWorker(worker, workers), NatEventListener.NONE,
                new DatapathCounters(1), steering);
            bytes += engines[worker].tableCapacityBytes();
        }
        tableBytes = bytes;

        final int[] flowsOf = new int[workers];
        final int[] workerOf = new int[sessions];
        for (int flow = 0; flow < sessions; flow++)
        {
            workerOf[flow] = steering.insideWorker(UdpFlows.insideAddress(flow));
            flowsOf[workerOf[flow]]++;
        }
        final long[][] byFlow = new long[workers][];
        for (int worker = 0; worker < workers; worker++)
        {
            byFlow[worker] = new long[6 * flowsOf[worker]];
        }
        final int[] filled = new int[workers];
        final UnsafeBuffer scratch = UdpFlows.packetBuffer();
        long nowNs = TimeUnit.SECONDS.toNanos(1);
        for (int flow = 0; flow < sessions; flow++)
        {
            final int worker = workerOf[flow];
            final NatEngine engine = engines[worker];
            final int insideAddress = UdpFlows.insideAddress(flow);
            final int insidePort = UdpFlows.insidePort(flow);
            final int remoteAddress = UdpFlows.remoteAddress(flow);
            final int remotePort = UdpFlows.remotePort(flow);
            final long[] mine = byFlow[worker];
            final int at = 6 * filled[worker]++;
            UdpFlows.write(scratch, insideAddress, insidePort, remoteAddress, remotePort);
            mine[at] = UdpFlows.addressWord(scratch);
            mine[at + 1] = UdpFlows.portWord(scratch);
            mine[at + 2] = 1;
            expect(engine.outbound(scratch, 0, PACKET_LENGTH, 0, nowNs += STEP_NS), flow, "outbound");
            final int publicAddress = scratch.getInt(12, BIG_ENDIAN);
            final int publicPort = scratch.getShort(20, BIG_ENDIAN) & 0xFFFF;
            if (steering.publicWorker(17, publicAddress, publicPort) != worker)
            {
                throw new IllegalStateException("flow " + flow + ": public port " + publicPort + " not worker " + worker +
                    "'s");
            }
            UdpFlows.write(scratch, remoteAddress, remotePort, publicAddress, publicPort);
            mine[at + 3] = UdpFlows.addressWord(scratch);
            mine[at + 4] = UdpFlows.portWord(scratch);
            mine[at + 5] = 0;
            expect(engine.inbound(scratch, 0, PACKET_LENGTH, 0, nowNs += STEP_NS), flow, "inbound");
        }
        words = new long[workers][];
        int total = 0;
        for (int worker = 0; worker < workers; worker++)
        {
            total += engines[worker].sessionCount();
            // triples of (address, port, direction) in a random order: the flows' packets both ways
            final int packets = 2 * flowsOf[worker];
            final int[] order = UdpFlows.shuffled(packets, 0x5EED_0015L + worker);
            words[worker] = new long[3 * packets];
            for (int i = 0; i < packets; i++)
            {
                System.arraycopy(byFlow[worker], 3 * order[i], words[worker], 3 * i, 3);
            }
        }
        if (total != sessions)
        {
            throw new IllegalStateException("expected " + sessions + " sessions, got " + total);
        }
    }

    private static void expect(final int result, final int flow, final String direction)
    {
        if (result != NatEngine.FORWARD)
        {
            throw new IllegalStateException("flow " + flow + " " + direction + ": result " + result);
        }
    }

    /**
     * One worker's thread: its engine, its packets, its clock; translates bursts of its packets, each
     * burst's sessions prefetched first, as a worker holding a burst does.
     */
    static final class WorkerLoop
    {
        final NatEngine engine;
        final long[] words;
        final UnsafeBuffer[] burst = new UnsafeBuffer[NatTranslateBenchmark.BURST];
        final boolean[] outbound = new boolean[NatTranslateBenchmark.BURST];
        int cursor;
        long nowNs = TimeUnit.SECONDS.toNanos(100);
        long failures;

        WorkerLoop(final WorkerShares shares, final int worker)
        {
            engine = shares.engines[worker];
            words = shares.words[worker];
            for (int k = 0; k < burst.length; k++)
            {
                burst[k] = UdpFlows.packetBuffer();
                UdpFlows.write(burst[k], 1, 1, 2, 2);
            }
        }

        /**
         * @return packets forwarded, of {@link NatTranslateBenchmark#BURST}.
         */
        int burst()
        {
            final NatEngine engine = this.engine;
            final long[] words = this.words;
            int i = cursor;
            for (int k = 0; k < burst.length; k++)
            {
                UdpFlows.load(burst[k], words[i], words[i + 1]);
                outbound[k] = words[i + 2] != 0;
                if (outbound[k])
                {
                    engine.prefetchOutbound(burst[k], 0, PACKET_LENGTH);
                }
                else
                {
                    engine.prefetchInbound(burst[k], 0, PACKET_LENGTH);
                }
                i = i + 3 == words.length ? 0 : i + 3;
            }
            cursor = i;
            engine.prefetchSessions();
            int forwarded = 0;
            for (int k = 0; k < burst.length; k++)
            {
                final long nowNs = this.nowNs += STEP_NS;
                final int result = outbound[k] ?
                    engine.outbound(burst[k], 0, PACKET_LENGTH, 0, nowNs) :
                    engine.inbound(burst[k], 0, PACKET_LENGTH, 0, nowNs);
                forwarded += result == NatEngine.FORWARD ? 1 : 0;
            }
            failures += burst.length - forwarded;
            return forwarded;
        }
    }
}
