package io.natgate.datapath.forward;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.pipeline.FrameVector;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.forward.TestGateway.CLIENT;
import static io.natgate.datapath.forward.TestGateway.GW_IN;
import static io.natgate.datapath.forward.TestGateway.INSIDE;
import static io.natgate.datapath.forward.TestGateway.OUTSIDE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real {@link Forwarder} and {@link NatEngine} on real frames allocate nothing per burst once
 * warm: every byte the measured rounds allocate together counts.
 */
class ForwarderAllocationTest
{
    private static final int FLOWS = 12;
    private static final int SLOT = 256;

    private final TestGateway gateway = new TestGateway();
    private final DatapathCounters counters = gateway.counters;
    private final NatEngine engine = gateway.engine;
    private final Forwarder forwarder = gateway.forwarder;
    private long sent;
    private final FrameSink sink = (port, buffer, offset, length) ->
    {
        sent++;
        return true;
    };

    @Test
    void shouldNotAllocateForwardingBurstsOfEstablishedFlowsPingsAndArp()
    {
        final Frames.RecordingSink recording = new Frames.RecordingSink();
        gateway.resolveBoth(recording);
        assertEquals(4, recording.size(), "both neighbours answered and were asked back: learned");

        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();
        TestGateway.establishedFlowFrames(FLOWS, (frame, port) ->
        {
            frames.add(frame);
            ports.add(port);
        });
        frames.add(Frames.ipv4(GW_IN, CLIENT, Packets.icmpEcho("10.0.0.2", "198.51.100.7", IcmpMessage.ECHO_REQUEST, 9, 1)));
        ports.add(INSIDE);
        frames.add(Frames.ipv4(GW_IN, CLIENT, Packets.icmpEcho("10.0.0.2", "10.0.0.1", IcmpMessage.ECHO_REQUEST, 9, 1)));
        ports.add(INSIDE);
        frames.add(Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.1"));
        ports.add(INSIDE);

        final UnsafeBuffer templates = new UnsafeBuffer(new byte[frames.size() * SLOT]);
        final UnsafeBuffer burst = new UnsafeBuffer(new byte[frames.size() * SLOT]);
        for (int i = 0; i < frames.size(); i++)
        {
            templates.putBytes(i * SLOT + FrameProcessor.HEADROOM, frames.get(i));
        }
        final FrameVector vector = new FrameVector(frames.size());
        final List<Throwable> errors = new ArrayList<>();
        final ErrorHandler errorHandler = errors::add;
        final long[] nowNs = {1_000_000_000L};
        final Runnable round = () ->
        {
            burst.putBytes(0, templates, 0, templates.capacity());
            vector.clear();
            for (int i = 0; i < frames.size(); i++)
            {
                vector.add(burst, i * SLOT + FrameProcessor.HEADROOM, frames.get(i).length, ports.get(i));
            }
            nowNs[0] += 1_000_000L;
            forwarder.processBurst(vector, nowNs[0], sink, errorHandler);
            forwarder.onTimer(nowNs[0], sink);
        };

        round.run(); // the first burst makes the sessions (the inbound frames before their session are dropped)
        final long translatedBefore =
            counters.get(INSIDE, PortCounter.TRANSLATED_OUT) + counters.get(OUTSIDE, PortCounter.TRANSLATED_IN);
        final int rounds = 20_000;
        final long[] bursts = new long[1];
        final long bytes = Allocations.bytesAllocatedAfterWarmUp(20_000, rounds, () ->
        {
            round.run();
            bursts[0]++;
        });

        assertEquals(0, bytes, "bytes allocated by " + rounds + " bursts of " + frames.size() + " frames");
        assertEquals(List.of(), errors);
        assertEquals(FLOWS + 1, engine.sessionCount());
        final long translated =
            counters.get(INSIDE, PortCounter.TRANSLATED_OUT) + counters.get(OUTSIDE, PortCounter.TRANSLATED_IN);
        assertEquals((long)(2 * FLOWS + 1) * bursts[0], translated - translatedBefore,
            "every flow translated both ways, and the ping out, in every burst");
    }
}
