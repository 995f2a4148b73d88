package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.function.ObjIntConsumer;

import static io.natgate.datapath.testing.Packets.ip;

/**
 * The real engine and forwarder of a two-port gateway for tests: lan 10.0.0.1/24 with a client
 * 10.0.0.2, wan 203.0.113.1/24 (the one public address) with a router 203.0.113.254.
 */
final class TestGateway
{
    static final int INSIDE = 0;
    static final int OUTSIDE = 1;
    static final long GW_IN = 0x0200_0000_0001L;
    static final long GW_OUT = 0x0200_0000_0002L;
    static final long CLIENT = 0x0200_0000_000AL;
    static final long ROUTER = 0x0200_0000_000BL;

    final DatapathCounters counters = new DatapathCounters(2);
    final NatEngine engine = new NatEngine(
        new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE, counters);
    final Forwarder forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
        new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
        new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
            ip("203.0.113.254")))), engine, counters);

    /**
     * Processes a copy of a frame, with headroom before it, at t = 1 s.
     */
    void receive(final int port, final byte[] frame, final FrameSink sink)
    {
        receive(port, frame, 1_000_000_000L, sink);
    }

    /**
     * Processes a copy of a frame, with headroom before it, at {@code nowNs}.
     */
    void receive(final int port, final byte[] frame, final long nowNs, final FrameSink sink)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + frame.length]);
        buffer.putBytes(FrameProcessor.HEADROOM, frame);
        forwarder.process(buffer, FrameProcessor.HEADROOM, frame.length, port, nowNs, sink);
    }

    /**
     * A neighbour with {@code mac} at {@code address} asks for the gateway's {@code gateway} and answers the
     * gateway's request: learned.
     */
    void resolve(final int port, final long mac, final String address, final String gateway, final FrameSink sink)
    {
        for (final byte[] frame : Frames.arpIntroduction(mac, address, port == INSIDE ? GW_IN : GW_OUT, gateway))
        {
            receive(port, frame, sink); // it asks, the gateway answers and asks back, it answers
        }
    }

    /**
     * The frames of {@code flows} flows of the client's to 198.51.100.7, UDP and TCP in turn: for each, one
     * from the client (ingress {@link #INSIDE}) and the answer (ingress {@link #OUTSIDE}), to the one
     * public address at the client's port (port preservation).
     */
    static void establishedFlowFrames(final int flows, final ObjIntConsumer<byte[]> frameAndIngressPort)
    {
        for (int flow = 0; flow < flows; flow++)
        {
            final byte[] out = flow % 2 == 0 ?
                Packets.udp("10.0.0.2", 5000 + flow, "198.51.100.7", 53, new byte[18]) :
                Packets.tcp("10.0.0.2", 5000 + flow, "198.51.100.7", 443, TcpSegment.ACK, new byte[6]);
            final byte[] in = flow % 2 == 0 ?
                Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000 + flow, new byte[18]) :
                Packets.tcp("198.51.100.7", 443, "203.0.113.1", 5000 + flow, TcpSegment.ACK, new byte[6]);
            frameAndIngressPort.accept(Frames.ipv4(GW_IN, CLIENT, out), INSIDE);
            frameAndIngressPort.accept(Frames.ipv4(GW_OUT, ROUTER, in), OUTSIDE);
        }
    }

    /**
     * Both neighbours learned: the client inside, the router outside.
     */
    void resolveBoth(final FrameSink sink)
    {
        resolve(INSIDE, CLIENT, "10.0.0.2", "10.0.0.1", sink);
        resolve(OUTSIDE, ROUTER, "203.0.113.254", "203.0.113.1", sink);
    }
}
