package io.natgate.datapath.forward;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.pipeline.FrameVector;
import org.agrona.ErrorHandler;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.InternetChecksum;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.natgate.datapath.testing.Packets.ip;

/**
 * Coverage-guided fuzzing of the whole frame path: the real {@link Forwarder} and {@link NatEngine}
 * on an inside and an outside Ethernet port, fed sequences of frames on both ports with the clock
 * moving and timers running. A finding is an exception out of the frame path or a frame sent that
 * breaks what a NAT must never do: leave the outside port from an address other than the public
 * one, reach the inside port for an address outside the LAN, carry a wrong IPv4 header checksum
 * (checked by an independent implementation) or exceed the port's MTU.
 *
 * <p>Input format, repeated: a control byte (bit 0 port, bit 1 "fix the checksums", bit 2 "prepend
 * an Ethernet header addressed to the gateway", bits 3-4 clock step, bits 5-7 high bits of the
 * length), a length byte, then that many bytes of frame (or IPv4 packet when bit 2 is set). Frames
 * go to {@link Forwarder#processBurst} in bursts of up to {@value #BURST_FRAMES}, as the worker
 * hands them over; a clock step ends a burst and runs the timers.
 * Long runs: see docs/fuzzing.md.
 */
class FramePathFuzzTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long ROUTER = 0x0200_0000_000BL;
    private static final int PUBLIC = ip("203.0.113.1");
    private static final int LAN = ip("10.0.0.0");
    private static final int MAX_FRAMES_PER_INPUT = 64;
    private static final long PROGRESS_EVERY_FRAMES = 10_000_000L;
    private static final long[] CLOCK_STEPS_NS =
        {0, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(3), TimeUnit.MINUTES.toNanos(10)};

    private static long frames;
    private static long executions;

    private static final int BURST_FRAMES = 32;
    private static final int SLOT_BYTES = FrameProcessor.HEADROOM + 2048 + EthernetFrame.HEADER_LENGTH; // length field max 2047
    private static final ErrorHandler RETHROW = ex ->
    {
        throw new AssertionError("the frame path threw", ex);
    };

    private final byte[] frame = new byte[BURST_FRAMES * SLOT_BYTES];
    private final FrameVector burst = new FrameVector(BURST_FRAMES);
    private final UnsafeBuffer frameBuffer = new UnsafeBuffer(frame);
    private final byte[] sent = new byte[16 * 1024];
    private final CheckingSink sink = new CheckingSink();

    @FuzzTest
    void shouldForwardOrCountEveryFrameOnBothPortsWithoutLeakingInsideAddresses(final byte[] input)
    {
        executions++;
        final DatapathCounters counters = new DatapathCounters(2);
        final NatEngine engine = new NatEngine(new NatConfig()
            .publicAddresses(PUBLIC)
            .maxSessions(64)
            .maxMappings(64)
            .maxClients(8)
            .portsPerClient(32)
            .maxHeldFragments(8)
            .maxFragmentFlows(4), NatEventListener.NONE, counters);
        final Forwarder forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, PUBLIC, 24,
                ip("203.0.113.254")))).neighbourCapacity(16).arpPendingFrames(8), engine, counters);
        long nowNs = 1_000_000_000L;
        engine.commandTimeNs(nowNs);
        engine.addStaticMapping(1, 6, ip("10.0.0.3"), 80, PUBLIC, 8080);
        engine.addStaticMapping(2, 17, ip("10.0.0.3"), 53, PUBLIC, 5353);
        forwarder.onStart(sink);
        receive(forwarder, INSIDE, Frames.arp(
            EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.1"), nowNs);
        receive(forwarder, OUTSIDE, Frames.arp(
            EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, ROUTER, "203.0.113.254", 0, "203.0.113.1"), nowNs);

        int at = 0;
        final FrameVector burst = this.burst;
        burst.clear();
        for (int n = 0; n < MAX_FRAMES_PER_INPUT && at + 2 <= input.length; n++)
        {
            final int control = input[at] & 0xFF;
            final int declared = ((control >>> 5) << 8) | (input[at + 1] & 0xFF);
            at += 2;
            final int length = Math.min(declared, input.length - at);
            final int port = control & 1;
            final int clockStep = (control >>> 3) & 3;
            if (clockStep != 0 || burst.size() == burst.capacity())
            {
                // a burst shares one clock reading: a step in time ends it, as does a full vector
                flush(forwarder, nowNs);
                nowNs += CLOCK_STEPS_NS[clockStep];
                forwarder.onTimer(nowNs, sink);
            }
            final int offset = burst.size() * SLOT_BYTES + FrameProcessor.HEADROOM;
            int frameLength = length;
            final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
            if ((control & 4) != 0)
            {
                writeEthernet(offset, port == INSIDE ? GW_IN : GW_OUT, port == INSIDE ? CLIENT : ROUTER);
                frameLength += EthernetFrame.HEADER_LENGTH;
            }
            System.arraycopy(input, at, frame, (control & 4) != 0 ? ipOffset : offset, length);
            at += length;
            if ((control & 2) != 0)
            {
                fixIpv4(ipOffset, offset + frameLength - ipOffset);
            }
            if (++frames % PROGRESS_EVERY_FRAMES == 0)
            {
                System.out.println("frame path fuzz: " + frames + " frames in " + executions + " executions");
            }
            burst.add(frameBuffer, offset, frameLength, port);
        }
        flush(forwarder, nowNs);
    }

    /** Hands the frames gathered to the forwarder as one burst, as the worker does. */
    private void flush(final Forwarder forwarder, final long nowNs)
    {
        if (burst.size() > 0)
        {
            forwarder.processBurst(burst, nowNs, sink, RETHROW);
            burst.clear();
        }
    }

    private void receive(final Forwarder forwarder, final int port, final byte[] bytes, final long nowNs)
    {
        System.arraycopy(bytes, 0, frame, FrameProcessor.HEADROOM, bytes.length);
        forwarder.process(frameBuffer, FrameProcessor.HEADROOM, bytes.length, port, nowNs, sink);
    }

    private void writeEthernet(final int offset, final long destination, final long source)
    {
        for (int i = 0; i < 6; i++)
        {
            frame[offset + i] = (byte)(destination >>> (40 - 8 * i));
            frame[offset + 6 + i] = (byte)(source >>> (40 - 8 * i));
        }
        frame[offset + 12] = 0x08;
        frame[offset + 13] = 0x00;
    }

    /** Makes the IPv4 packet's lengths and checksums right so the fuzzer's mutations get past validation. */
    private void fixIpv4(final int ipOffset, final int ipLength)
    {
        if (ipLength < 20)
        {
            return;
        }
        frame[ipOffset] = (byte)(0x40 | (frame[ipOffset] & 0x0F));
        final int headerLength = (frame[ipOffset] & 0x0F) << 2;
        if (headerLength < 20 || headerLength > ipLength)
        {
            return;
        }
        frame[ipOffset + 2] = (byte)(ipLength >>> 8);
        frame[ipOffset + 3] = (byte)ipLength;
        InternetChecksum.fill(frame, ipOffset);
    }

    @AfterAll
    static void report() throws IOException
    {
        final String line = "frame path fuzz: " + frames + " frames in " + executions + " executions" +
            System.lineSeparator();
        System.out.print(line);
        final String report = System.getProperty("natgate.fuzz.report");
        if (report != null)
        {
            Files.writeString(Path.of(report), line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Checks every frame the gateway sends; allocates nothing. */
    private final class CheckingSink implements FrameSink
    {
        int ingressPort;

        public boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
        {
            if (portIndex != INSIDE && portIndex != OUTSIDE)
            {
                throw new AssertionError("frame sent to port " + portIndex);
            }
            if (length < EthernetFrame.HEADER_LENGTH || length > EthernetFrame.HEADER_LENGTH + 1500)
            {
                throw new AssertionError("frame of " + length + " bytes sent on port " + portIndex);
            }
            buffer.getBytes(offset, sent, 0, length);
            final int etherType = ((sent[12] & 0xFF) << 8) | (sent[13] & 0xFF);
            if (etherType != EthernetFrame.ETHERTYPE_IPV4)
            {
                return true;
            }
            final int ip = EthernetFrame.HEADER_LENGTH;
            final int headerLength = (sent[ip] & 0x0F) << 2;
            final int totalLength = ((sent[ip + 2] & 0xFF) << 8) | (sent[ip + 3] & 0xFF);
            if ((sent[ip] & 0xF0) != 0x40 || headerLength < 20 || totalLength < headerLength ||
                ip + totalLength > length)
            {
                throw new AssertionError("malformed IPv4 header sent on port " + portIndex + " (from " + ingressPort + ")");
            }
            if (!InternetChecksum.ipv4HeaderValid(sent, ip, headerLength))
            {
                throw new AssertionError("wrong IPv4 header checksum sent on port " + portIndex + " (from " + ingressPort + ")");
            }
            final int source = address(ip + 12);
            final int destination = address(ip + 16);
            if (portIndex == OUTSIDE && source != PUBLIC)
            {
                throw new AssertionError("outside frame from " + Integer.toHexString(source) + " (from " + ingressPort + ")");
            }
            if (portIndex == INSIDE && (destination & 0xFFFF_FF00) != LAN)
            {
                throw new AssertionError("inside frame to " + Integer.toHexString(destination) + " (from " + ingressPort + ")");
            }
            return true;
        }

        private int address(final int at)
        {
            return ((sent[at] & 0xFF) << 24) | ((sent[at + 1] & 0xFF) << 16) | ((sent[at + 2] & 0xFF) << 8) |
                (sent[at + 3] & 0xFF);
        }
    }
}
