package io.natgate.benchmarks.nat;

import io.natgate.datapath.nat.NatEngine;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.BIG_ENDIAN;

import static io.natgate.benchmarks.nat.UdpFlows.PACKET_LENGTH;

/**
 * NAT44 translation of 64-byte UDP packets against a table of {@code sessions} (a million by
 * default) live sessions, one session per mapping (the worst case for memory and for the slow
 * path: every new flow also allocates a public port).
 * <ul>
 *   <li>{@code establishedInToOut} / {@code establishedOutToIn}: the fast path, a session lookup
 *   and rewrite with precomputed checksum deltas plus the refresh, for a random one of the
 *   live flows each operation.</li>
 *   <li>{@code newSession}: the slow path at steady state: the first packet of a never-seen flow
 *   (checksum verified, client, port, mapping and session created) plus {@code expire}, which
 *   retires the oldest session and its mapping, so the live count stays put and the table never
 *   fills.</li>
 * </ul>
 * Translation rewrites the packet in place, so each operation first restores the flow's
 * untranslated fields into one working buffer (four stores from a sequentially read array of
 * two longs per operation; see {@link UdpFlows#load}); that cost is inside every figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class NatTranslateBenchmark
{
    /** Packets a worker translates together in the burst benchmarks. */
    static final int BURST = 32;

    /**
     * Established UDP sessions, and for each direction the flows' packets in an independent
     * random order.
     */
    @State(Scope.Benchmark)
    public static class Established
    {
        /** Simulated clock advance per packet: 20 Mpps. */
        static final long STEP_NS = 50;

        /** Live sessions; 10000 shows the cost with the tables in cache. */
        @Param({ "1000000" })
        int sessions;

        NatEngine engine;
        final UnsafeBuffer packet = UdpFlows.packetBuffer();
        final UnsafeBuffer[] burst = new UnsafeBuffer[BURST];
        /** Each burst packet's flow hash from the prefetch, handed to its translation (hashed once). */
        final long[] hashes = new long[BURST];
        long[] outbound;
        long[] inbound;
        int cursor;
        long nowNs = TimeUnit.SECONDS.toNanos(1);
        long failures;

        @Setup(Level.Trial)
        public void setUp()
        {
            final long heapBefore = UdpFlows.usedHeapAfterGc();
            engine = UdpFlows.engine(UdpFlows.config(sessions));
            final long heapAfter = UdpFlows.usedHeapAfterGc();
            System.out.printf("%nNatEngine at maxSessions=maxMappings=%,d: bytesPerSession()=%.1f B, " +
                "tableCapacityBytes()=%,d B (%.1f B/session); heap measured before/after construction: %,d B " +
                "(%.1f B/session)%n",
                sessions, engine.bytesPerSession(), engine.tableCapacityBytes(),
                (double)engine.tableCapacityBytes() / sessions, heapAfter - heapBefore,
                (double)(heapAfter - heapBefore) / sessions);

            final long[] outByFlow = new long[2 * sessions];
            final long[] inByFlow = new long[2 * sessions];
            final UnsafeBuffer scratch = UdpFlows.packetBuffer();
            for (int flow = 0; flow < sessions; flow++)
            {
                final int insideAddress = UdpFlows.insideAddress(flow);
                final int insidePort = UdpFlows.insidePort(flow);
                final int remoteAddress = UdpFlows.remoteAddress(flow);
                final int remotePort = UdpFlows.remotePort(flow);
                UdpFlows.write(scratch, insideAddress, insidePort, remoteAddress, remotePort);
                outByFlow[2 * flow] = UdpFlows.addressWord(scratch);
                outByFlow[2 * flow + 1] = UdpFlows.portWord(scratch);
                expectForward(engine.outbound(scratch, 0, PACKET_LENGTH, 0, tick()), scratch, flow);

                final int publicAddress = scratch.getInt(12, BIG_ENDIAN);
                final int publicPort = scratch.getShort(20, BIG_ENDIAN) & 0xFFFF;
                UdpFlows.write(scratch, remoteAddress, remotePort, publicAddress, publicPort);
                inByFlow[2 * flow] = UdpFlows.addressWord(scratch);
                inByFlow[2 * flow + 1] = UdpFlows.portWord(scratch);
                expectForward(engine.inbound(scratch, 0, PACKET_LENGTH, 0, tick()), scratch, flow);
                if (scratch.getInt(16, BIG_ENDIAN) != insideAddress ||
                    (scratch.getShort(22, BIG_ENDIAN) & 0xFFFF) != insidePort)
                {
                    throw new IllegalStateException("flow " + flow + " did not translate back to its inside endpoint");
                }
            }
            if (engine.sessionCount() != sessions || engine.mappingCount() != sessions)
            {
                throw new IllegalStateException(
                    "expected " + sessions + " sessions and mappings, got " + engine.sessionCount() + " and " +
                    engine.mappingCount());
            }
            packet.putBytes(0, scratch, 0, PACKET_LENGTH); // the fields load() leaves alone
            for (int k = 0; k < BURST; k++)
            {
                burst[k] = UdpFlows.packetBuffer();
                burst[k].putBytes(0, packet, 0, PACKET_LENGTH);
            }
            outbound = UdpFlows.inOrder(outByFlow, UdpFlows.shuffled(sessions, 0x5EED_0001L));
            inbound = UdpFlows.inOrder(inByFlow, UdpFlows.shuffled(sessions, 0x5EED_0002L));
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            if (failures != 0 || engine.sessionCount() != sessions)
            {
                throw new IllegalStateException(
                    failures + " packets not forwarded; " + engine.sessionCount() + " sessions");
            }
        }

        long tick()
        {
            return nowNs += STEP_NS;
        }

        /**
         * @return the index of the next operation's address word.
         */
        int next()
        {
            final int i = cursor;
            cursor = i + 2 == outbound.length ? 0 : i + 2;
            return i;
        }
    }

    /**
     * Live sessions and a stream of never-seen flows: the clock advances by the UDP timeout
     * divided by the live count per operation, so each {@code expire} retires exactly the one
     * session created that many operations earlier.
     */
    @State(Scope.Benchmark)
    public static class Churn
    {
        /** Live sessions; 10000 shows the cost with the tables in cache. */
        @Param({ "1000000" })
        int sessions;

        NatEngine engine;
        final UnsafeBuffer packet = UdpFlows.packetBuffer();
        long[] flows;
        long stepNs;
        int cursor;
        long nowNs = TimeUnit.SECONDS.toNanos(1);
        long failures;
        long expired;

        @Setup(Level.Trial)
        public void setUp()
        {
            final long timeoutNs = UdpFlows.config(1).udpTimeoutNs();
            stepNs = timeoutNs / sessions;
            if (stepNs * sessions != timeoutNs)
            {
                throw new IllegalStateException("UDP timeout not a multiple of the live count " + sessions);
            }
            // flows cycle through at least twice the live count, so a flow is long gone before it comes back
            final int flowCount = Integer.highestOneBit(sessions) << 2;
            flows = new long[2 * flowCount];
            engine = UdpFlows.engine(UdpFlows.config(sessions + 1024));
            final UnsafeBuffer scratch = UdpFlows.packetBuffer();
            for (int flow = 0; flow < flowCount; flow++)
            {
                UdpFlows.write(scratch, UdpFlows.insideAddress(flow), UdpFlows.insidePort(flow),
                    UdpFlows.remoteAddress(flow), UdpFlows.remotePort(flow));
                flows[2 * flow] = UdpFlows.addressWord(scratch);
                flows[2 * flow + 1] = UdpFlows.portWord(scratch);
            }
            packet.putBytes(0, scratch, 0, PACKET_LENGTH); // the fields load() leaves alone
            for (int i = 0; i < sessions; i++)
            {
                createAndExpire();
            }
            if (failures != 0 || expired != 0 || engine.sessionCount() != sessions)
            {
                throw new IllegalStateException("prefill: " + failures + " failures, " + expired + " expired, " +
                    engine.sessionCount() + " sessions");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            // as many expired as created since the prefill: exactly a million live
            if (failures != 0 || engine.sessionCount() != sessions || engine.mappingCount() != sessions)
            {
                throw new IllegalStateException("steady state broken: " + failures + " failures, " +
                    engine.sessionCount() + " sessions, " + engine.mappingCount() + " mappings");
            }
        }

        int createAndExpire()
        {
            final int i = cursor;
            cursor = i + 2 == flows.length ? 0 : i + 2;
            final long nowNs = this.nowNs += stepNs;
            expired += engine.expire(nowNs, 2);
            UdpFlows.load(packet, flows[i], flows[i + 1]);
            final int result = engine.outbound(packet, 0, PACKET_LENGTH, 0, nowNs);
            if (result != NatEngine.FORWARD)
            {
                failures++;
            }
            return result;
        }
    }

    @Benchmark
    public int establishedInToOut(final Established state)
    {
        final int i = state.next();
        final UnsafeBuffer packet = state.packet;
        UdpFlows.load(packet, state.outbound[i], state.outbound[i + 1]);
        final int result = state.engine.outbound(packet, 0, PACKET_LENGTH, 0, state.tick());
        if (result != NatEngine.FORWARD)
        {
            state.failures++;
        }
        return result;
    }

    @Benchmark
    public int establishedOutToIn(final Established state)
    {
        final int i = state.next();
        final UnsafeBuffer packet = state.packet;
        UdpFlows.load(packet, state.inbound[i], state.inbound[i + 1]);
        final int result = state.engine.inbound(packet, 0, PACKET_LENGTH, 0, state.tick());
        if (result != NatEngine.FORWARD)
        {
            state.failures++;
        }
        return result;
    }

    /**
     * As {@link #establishedInToOut}, but as a worker holding a burst drives the engine: every
     * packet's session prefetched first (index slots, then records), then all translated.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int establishedInToOutBurst(final Established state)
    {
        final NatEngine engine = state.engine;
        final UnsafeBuffer[] burst = state.burst;
        final long[] hashes = state.hashes;
        for (int k = 0; k < BURST; k++)
        {
            final int i = state.next();
            UdpFlows.load(burst[k], state.outbound[i], state.outbound[i + 1]);
            hashes[k] = engine.prefetchOutbound(burst[k], 0, PACKET_LENGTH);
        }
        engine.prefetchSessions();
        int forwarded = 0;
        for (int k = 0; k < BURST; k++)
        {
            if (engine.outbound(burst[k], 0, PACKET_LENGTH, 0, state.tick(), hashes[k]) == NatEngine.FORWARD)
            {
                forwarded++;
            }
        }
        state.failures += BURST - forwarded;
        return forwarded;
    }

    /**
     * As {@link #establishedInToOutBurst}, from the outside.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int establishedOutToInBurst(final Established state)
    {
        final NatEngine engine = state.engine;
        final UnsafeBuffer[] burst = state.burst;
        final long[] hashes = state.hashes;
        for (int k = 0; k < BURST; k++)
        {
            final int i = state.next();
            UdpFlows.load(burst[k], state.inbound[i], state.inbound[i + 1]);
            hashes[k] = engine.prefetchInbound(burst[k], 0, PACKET_LENGTH);
        }
        engine.prefetchSessions();
        int forwarded = 0;
        for (int k = 0; k < BURST; k++)
        {
            if (engine.inbound(burst[k], 0, PACKET_LENGTH, 0, state.tick(), hashes[k]) == NatEngine.FORWARD)
            {
                forwarded++;
            }
        }
        state.failures += BURST - forwarded;
        return forwarded;
    }

    @Benchmark
    public int newSession(final Churn state)
    {
        return state.createAndExpire();
    }

    private static void expectForward(final int result, final UnsafeBuffer packet, final int flow)
    {
        if (result != NatEngine.FORWARD)
        {
            throw new IllegalStateException(
                "flow " + flow + ": " + NatEngine.dropReason(result) + " during setup");
        }
        if (!UdpFlows.checksumsValid(packet))
        {
            throw new IllegalStateException("flow " + flow + ": translated checksums do not verify");
        }
    }
}
