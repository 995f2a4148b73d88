package io.natgate.datapath.offload;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.FrameVector;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.natgate.datapath.offload.ScapyVectors.bytes;
import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checksum-partial packets through the real {@link Forwarder} and {@link NatEngine}, as a sender
 * with checksum offload hands them to a packet socket: the session is created although the field
 * holds only the pseudo-header sum, and the translation patches that sum for the new addresses
 * only, as the kernel's NAT does for CHECKSUM_PARTIAL. Expected bytes come from scapy
 * ({@link ScapyVectors}), not from natgate's checksum code.
 */
class ChecksumPartialTranslationTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final DatapathCounters counters = new DatapathCounters(2);
    private final Frames.RecordingSink sink = new Frames.RecordingSink();
    private Forwarder forwarder;

    @BeforeEach
    void start()
    {
        final NatEngine engine = new NatEngine(
            new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE, counters);
        forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254")))), engine, counters);
    }

    @Test
    void shouldCreateTheSessionForAChecksumPartialSynAndPatchOnlyThePseudoHeaderSum()
    {
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, bytes(ScapyVectors.PARTIAL_SYN)), Offload.CHECKSUM_PARTIAL);

        assertEquals(0, counters.get(INSIDE, DropReason.BAD_L4_CHECKSUM));
        assertEquals(1, sink.size());
        final byte[] sent = Frames.payload(sink.frames.get(0));
        final byte[] expected = bytes(ScapyVectors.PARTIAL_SYN_TRANSLATED_COMPLETE);
        final int field = 20 + 16;
        assertEquals(ScapyVectors.PARTIAL_SYN_TRANSLATED_FIELD, (sent[field] & 0xFF) << 8 | sent[field + 1] & 0xFF,
            "the field holds the new pseudo-header sum");
        assertArrayEquals(withoutField(expected, field), withoutField(sent, field), "every other byte as translated");
    }

    @Test
    void shouldDropTheSameSynAsABadChecksumWhenItComesWithoutItsOffloadState()
    {
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, bytes(ScapyVectors.PARTIAL_SYN)), Offload.NONE);

        assertEquals(1, counters.get(INSIDE, DropReason.BAD_L4_CHECKSUM));
        assertEquals(0, sink.size());
    }

    @Test
    void shouldTranslateAChecksumPartialReplyInboundToTheInsideHostsPseudoHeaderSum()
    {
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, bytes(ScapyVectors.UDP_QUERY)), Offload.NONE);
        sink.clear();

        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER, bytes(ScapyVectors.PARTIAL_UDP_REPLY)), Offload.CHECKSUM_PARTIAL);

        assertEquals(1, sink.size());
        assertEquals(INSIDE, sink.ports.get(0));
        final byte[] sent = Frames.payload(sink.frames.get(0));
        final int field = 20 + 6;
        assertEquals(ScapyVectors.PARTIAL_UDP_REPLY_TRANSLATED_FIELD, (sent[field] & 0xFF) << 8 | sent[field + 1] & 0xFF);
        assertArrayEquals(withoutField(bytes(ScapyVectors.PARTIAL_UDP_REPLY_TRANSLATED_COMPLETE), field),
            withoutField(sent, field));
    }

    @Test
    void shouldCompleteAChecksumPartialPacketBeforeHoldingItForArp()
    {
        for (final byte[] frame : Frames.arpIntroduction(CLIENT, "10.0.0.2", GW_IN, "10.0.0.1"))
        {
            receive(INSIDE, frame, Offload.NONE);
        }
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, bytes(ScapyVectors.PARTIAL_SYN)), Offload.CHECKSUM_PARTIAL);
        sink.clear();

        // The router answers the gateway's request: the held packet leaves, no longer with its offload state.
        receive(OUTSIDE, Frames.arp(GW_OUT, ArpPacket.OP_REPLY, ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1"),
            Offload.NONE);

        assertEquals(1, sink.size());
        assertArrayEquals(bytes(ScapyVectors.PARTIAL_SYN_TRANSLATED_COMPLETE), Frames.payload(sink.frames.get(0)));
    }

    private void resolveNeighbours()
    {
        for (final byte[] frame : Frames.arpIntroduction(CLIENT, "10.0.0.2", GW_IN, "10.0.0.1"))
        {
            receive(INSIDE, frame, Offload.NONE);
        }
        for (final byte[] frame : Frames.arpIntroduction(ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1"))
        {
            receive(OUTSIDE, frame, Offload.NONE);
        }
        sink.clear();
    }

    private void receive(final int port, final byte[] frame, final int offload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 64]);
        buffer.putBytes(64, frame);
        final FrameVector frames = new FrameVector(1);
        frames.add(buffer, 64, frame.length, port, offload);
        forwarder.processBurst(frames, 1_000_000_000L, sink, ex ->
        {
            throw new AssertionError(ex);
        });
    }

    private static byte[] withoutField(final byte[] packet, final int field)
    {
        final byte[] copy = Arrays.copyOf(packet, packet.length);
        copy[field] = 0;
        copy[field + 1] = 0;
        return copy;
    }
}
