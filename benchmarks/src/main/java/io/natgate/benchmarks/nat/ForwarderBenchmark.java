package io.natgate.benchmarks.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.pipeline.FrameVector;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
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

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole {@link Forwarder} per frame, as the worker runs it on a burst of 32 Ethernet frames of
 * 64-byte IPv4/UDP packets: Ethernet and IPv4 input (header checksum verified), the NAT fast path,
 * route, TTL, next-hop rewrite and the hand-off to the sink, against {@code sessions} established
 * flows (10,000 by default: tables in cache), each burst 32 random ones of them.
 * <ul>
 *   <li>{@code forwardInToOutBurst}: frames from the inside, out through the default route.</li>
 *   <li>{@code forwardOutToInBurst}: the replies from the outside, to the inside hosts (4,096 of
 *   them, each its own next hop).</li>
 * </ul>
 * The forwarder rewrites each frame in place, so each operation first restores every frame of the
 * burst (Ethernet destination, TTL and the fields {@link UdpFlows#load} restores: eight stores a
 * frame); that cost is inside the figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class ForwarderBenchmark
{
    static final int BURST = 32;
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long GATEWAY_INSIDE_MAC = 0x0200_0000_0001L;
    private static final long GATEWAY_OUTSIDE_MAC = 0x0200_0000_0002L;
    private static final long ROUTER_MAC = 0x0200_0000_00FEL;
    private static final long HOST_MAC_BASE = 0x0200_0100_0000L;
    private static final int SLOT_BYTES = 256;
    private static final int FRAME_LENGTH = EthernetFrame.HEADER_LENGTH + UdpFlows.PACKET_LENGTH;

    @State(Scope.Benchmark)
    public static class Gateway
    {
        /** Established flows; 1000000 shows the cost with the tables beyond the caches. */
        @Param({ "10000" })
        int sessions;

        final DatapathCounters counters = new DatapathCounters(2);
        NatEngine engine;
        Forwarder forwarder;
        final FrameVector vector = new FrameVector(BURST);
        final UnsafeBuffer[] frames = new UnsafeBuffer[BURST];
        final UnsafeBuffer[] packets = new UnsafeBuffer[BURST];
        long[] outbound;
        long[] inbound;
        long[] inboundMacs;
        int cursor;
        long nowNs = TimeUnit.SECONDS.toNanos(1);
        long sent;
        final FrameSink sink = (port, buffer, offset, length) ->
        {
            sent++;
            return true;
        };
        final ErrorHandler errors = Throwable::printStackTrace;

        @Setup(Level.Trial)
        public void setUp()
        {
            engine = new NatEngine(UdpFlows.config(sessions), NatEventListener.NONE, counters);
            forwarder = new Forwarder(new ForwarderConfig()
                .neighbourCapacity(4 * UdpFlows.CLIENT_COUNT)
                .ports(List.of(
                    new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GATEWAY_INSIDE_MAC, 1500,
                        Ipv4.parse("10.0.255.254"), 16, 0),
                    new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GATEWAY_OUTSIDE_MAC,
                        1500, UdpFlows.FIRST_PUBLIC, 24, Ipv4.parse("198.18.0.254")))),
                engine, counters);
            learn(OUTSIDE, ROUTER_MAC, Ipv4.parse("198.18.0.254"), UdpFlows.FIRST_PUBLIC);
            for (int client = 0; client < UdpFlows.CLIENT_COUNT; client++)
            {
                learn(INSIDE, HOST_MAC_BASE + client, UdpFlows.insideAddress(client), Ipv4.parse("10.0.255.254"));
            }

            for (int k = 0; k < BURST; k++)
            {
                frames[k] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(SLOT_BYTES, 64));
                packets[k] = new UnsafeBuffer(frames[k], FrameProcessor.HEADROOM + EthernetFrame.HEADER_LENGTH,
                    UdpFlows.PACKET_LENGTH);
            }
            final long[] outByFlow = new long[2 * sessions];
            final long[] inByFlow = new long[2 * sessions];
            final UnsafeBuffer frame = frames[0];
            final UnsafeBuffer packet = packets[0];
            for (int flow = 0; flow < sessions; flow++)
            {
                ethernet(frame, GATEWAY_INSIDE_MAC, HOST_MAC_BASE + flow % UdpFlows.CLIENT_COUNT);
                UdpFlows.write(packet, UdpFlows.insideAddress(flow), UdpFlows.insidePort(flow),
                    UdpFlows.remoteAddress(flow), UdpFlows.remotePort(flow));
                outByFlow[2 * flow] = UdpFlows.addressWord(packet);
                outByFlow[2 * flow + 1] = UdpFlows.portWord(packet);
                forwarder.process(frame, FrameProcessor.HEADROOM, FRAME_LENGTH, INSIDE, tick(), sink);
                final int publicAddress = packet.getInt(12, ByteOrder.BIG_ENDIAN);
                final int publicPort = packet.getShort(20, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                UdpFlows.write(packet, UdpFlows.remoteAddress(flow), UdpFlows.remotePort(flow),
                    publicAddress, publicPort);
                inByFlow[2 * flow] = UdpFlows.addressWord(packet);
                inByFlow[2 * flow + 1] = UdpFlows.portWord(packet);
            }
            if (engine.sessionCount() != sessions || sent != sessions)
            {
                throw new IllegalStateException(
                    "expected " + sessions + " sessions and frames sent, got " + engine.sessionCount() + ", " + sent);
            }
            outbound = UdpFlows.inOrder(outByFlow, UdpFlows.shuffled(sessions, 0x5EED_0001L));
            inbound = UdpFlows.inOrder(inByFlow, UdpFlows.shuffled(sessions, 0x5EED_0002L));
            for (int k = 0; k < BURST; k++)
            {
                frames[k].putBytes(0, frame, 0, FrameProcessor.HEADROOM + FRAME_LENGTH); // what load() leaves
            }
            sent = 0;
        }

        /**
         * Introduces a neighbour as the gateway requires: it asks, the gateway answers and asks back, it answers.
         */
        private void learn(final int port, final long mac, final int address, final int gatewayAddress)
        {
            final long gatewayMac = port == INSIDE ? GATEWAY_INSIDE_MAC : GATEWAY_OUTSIDE_MAC;
            for (final byte[] arp : PacketBuilder.arpIntroduction(mac, address, gatewayMac, gatewayAddress))
            {
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + arp.length]);
                frame.putBytes(FrameProcessor.HEADROOM, arp);
                forwarder.process(frame, FrameProcessor.HEADROOM, arp.length, port, nowNs, (p, b, o, l) -> true);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            final long translated = counters.get(INSIDE, PortCounter.TRANSLATED_OUT) +
                counters.get(OUTSIDE, PortCounter.TRANSLATED_IN) - sessions;
            if (sent != translated || counters.totalDrops(INSIDE) + counters.totalDrops(OUTSIDE) != 0)
            {
                final StringBuilder drops = new StringBuilder();
                for (final DropReason reason : DropReason.values())
                {
                    final long count = counters.get(INSIDE, reason) + counters.get(OUTSIDE, reason);
                    drops.append(count == 0 ? "" : " " + reason + "=" + count);
                }
                throw new IllegalStateException(sent + " frames sent of " + translated + " translated; drops:" + drops);
            }
        }

        long tick()
        {
            return nowNs += 50;
        }

        int next()
        {
            final int i = cursor;
            cursor = i + 2 == outbound.length ? 0 : i + 2;
            return i;
        }

        /**
         * @param sourceMac the router's, or from the inside the first host's (each host has its own after it).
         */
        void burst(final long[] words, final int ingressPort, final long destinationMac, final long sourceMac)
        {
            final FrameVector vector = this.vector;
            vector.clear();
            for (int k = 0; k < BURST; k++)
            {
                final int i = next();
                // each inside host sends from its own MAC, the one the gateway bound its address to
                ethernet(frames[k], destinationMac, ingressPort == INSIDE ?
                    sourceMac + ((int)(words[i] >>> 32) - UdpFlows.FIRST_CLIENT) : sourceMac);
                packets[k].putByte(8, (byte)64);
                UdpFlows.load(packets[k], words[i], words[i + 1]);
                vector.add(frames[k], FrameProcessor.HEADROOM, FRAME_LENGTH, ingressPort);
            }
            nowNs += 50 * BURST;
            forwarder.processBurst(vector, nowNs, sink, errors);
        }

        private static void ethernet(final UnsafeBuffer frame, final long destinationMac, final long sourceMac)
        {
            frame.putLong(FrameProcessor.HEADROOM, (destinationMac << 16) | (sourceMac >>> 32), ByteOrder.BIG_ENDIAN);
            frame.putLong(FrameProcessor.HEADROOM + 6, (sourceMac << 16) | EthernetFrame.ETHERTYPE_IPV4,
                ByteOrder.BIG_ENDIAN);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long forwardInToOutBurst(final Gateway gateway)
    {
        gateway.burst(gateway.outbound, INSIDE, GATEWAY_INSIDE_MAC, HOST_MAC_BASE);
        return gateway.sent;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long forwardOutToInBurst(final Gateway gateway)
    {
        gateway.burst(gateway.inbound, OUTSIDE, GATEWAY_OUTSIDE_MAC, ROUTER_MAC);
        return gateway.sent;
    }
}
