package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.Port;
import io.natgate.datapath.testing.Frames;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worker carries a frame's offload state from its rx ring to the egress tx ring when the
 * egress port takes offloads, and finishes the frame in software when it does not: a checksum
 * completed, an aggregate cut into segments (checked against scapy's in the offload tests; here,
 * that what leaves is what {@link io.natgate.datapath.offload.SoftwareOffloads} makes of it).
 */
class WorkerOffloadEgressTest
{
    private static final int OFFLOAD_PORT = 0;
    private static final int PLAIN_PORT = 1;
    private static final long GATEWAY = 0x0200_0000_0002L;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final PipelineConfig config = new PipelineConfig().burstSize(4).maxFrameLength(65553).validate();
    private final DatapathCounters counters = new DatapathCounters(2);
    private final RingBuffer[] rxRings = { TestRings.oneToOne(1 << 20), TestRings.oneToOne(1 << 20) };
    private final RingBuffer[] txRings = { TestRings.oneToOne(1 << 20), TestRings.oneToOne(1 << 20) };
    private final Port[] ports = { new OffloadCarryingPort(), InMemoryPort.ethernet("plain", GATEWAY) };

    @Test
    void shouldPassAnAggregateWithItsOffloadStateToAPortThatCarriesOffloads()
    {
        final byte[] aggregate = Frames.ipv4(ROUTER, GATEWAY, hex(TCP_AGGREGATE_PREFIX, 4040));
        final int offload = Offload.gso(Offload.GSO_TCP, 1448);
        rxRings[PLAIN_PORT].write(MessageLayout.frameMsgTypeId(offload), new UnsafeBuffer(aggregate), 0, aggregate.length);

        worker(OFFLOAD_PORT).doWork();

        final List<Integer> types = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        Rings.read(txRings[OFFLOAD_PORT], (type, buffer, index, length) ->
        {
            types.add(type);
            final byte[] frame = new byte[length];
            buffer.getBytes(index, frame);
            frames.add(frame);
        }, 10);
        assertEquals(List.of(MessageLayout.frameMsgTypeId(offload)), types);
        assertArrayEquals(aggregate, frames.get(0));
        assertEquals(offload, MessageLayout.frameOffload(types.get(0)));
    }

    @Test
    void shouldCutAnAggregateIntoSegmentsForAPortThatCarriesNone()
    {
        final byte[] aggregate = Frames.ipv4(ROUTER, GATEWAY, hex(TCP_AGGREGATE_PREFIX, 4040));
        rxRings[OFFLOAD_PORT].write(MessageLayout.frameMsgTypeId(Offload.gso(Offload.GSO_TCP, 1448)),
            new UnsafeBuffer(aggregate), 0, aggregate.length);

        worker(PLAIN_PORT).doWork();

        final List<byte[]> segments = TestRings.drain(txRings[PLAIN_PORT]);
        assertEquals(3, segments.size());
        assertEquals(List.of(14 + 1488, 14 + 1488, 14 + 40 + 4000 - 2 * 1448),
            segments.stream().map(segment -> segment.length).toList());
    }

    @Test
    void shouldCompleteAPartialChecksumForAPortThatCarriesNone()
    {
        final byte[] partialSyn = HexFormat.of().parseHex(PARTIAL_SYN);
        final byte[] frame = Frames.ipv4(ROUTER, GATEWAY, partialSyn);
        rxRings[OFFLOAD_PORT].write(MessageLayout.frameMsgTypeId(Offload.CHECKSUM_PARTIAL), new UnsafeBuffer(frame), 0,
            frame.length);

        worker(PLAIN_PORT).doWork();

        final List<byte[]> sent = TestRings.drain(txRings[PLAIN_PORT]);
        assertEquals(1, sent.size());
        assertArrayEquals(HexFormat.of().parseHex(PARTIAL_SYN_COMPLETE), Frames.payload(sent.get(0)));
    }

    /** scapy: 10.0.0.2:40000 -> 198.51.100.7:80 SYN, checksum partial, and the same complete. */
    private static final String PARTIAL_SYN = "45000047123440004006f4400a000002c63364079c400050000003e8000000005002faf0" +
        "3476000068656c6c6f206f66666c6f61642c207061727469616c20636865636b73756d";
    private static final String PARTIAL_SYN_COMPLETE = "45000047123440004006f4400a000002c63364079c400050000003e80000" +
        "00005002faf0ce68000068656c6c6f206f66666c6f61642c207061727469616c20636865636b73756d";
    /** The IPv4 and TCP headers of a 4040-byte TCP aggregate (payload added by {@link #hex}). */
    private static final String TCP_AGGREGATE_PREFIX =
        "45000fc8006440003f06c58fcb007101c63364079c400050000013880000004d509901f475f70000";

    private static byte[] hex(final String headers, final int length)
    {
        final byte[] packet = new byte[length];
        final byte[] head = HexFormat.of().parseHex(headers);
        System.arraycopy(head, 0, packet, 0, head.length);
        for (int i = head.length; i < length; i++)
        {
            packet[i] = (byte)i;
        }
        return packet;
    }

    private WorkerAgent worker(final int egressPort)
    {
        return new WorkerAgent(config, new PassThrough(egressPort), new RecordingNat(), TestRings.manyToOne(4096),
            rxRings, txRings, counters, Throwable::printStackTrace,
            new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(4), ports);
    }

    /** Sends every frame to one port, as it is, with its offload state. */
    private record PassThrough(int egressPort) implements FrameProcessor
    {
        public void process(final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort,
            final long nowNs, final FrameSink sink)
        {
            sink.send(egressPort, buffer, offset, length);
        }

        public void processBurst(
            final FrameVector frames, final long nowNs, final FrameSink sink, final org.agrona.ErrorHandler errors)
        {
            for (int i = 0; i < frames.size(); i++)
            {
                sink.send(egressPort, frames.buffer(i), frames.offset(i), frames.length(i), frames.offload(i));
            }
        }

        public int onTimer(final long nowNs, final FrameSink sink)
        {
            return 0;
        }

        public boolean acceptsOffloads()
        {
            return true;
        }
    }

    /** A port whose transmit path takes offload states (as AF_PACKET with vnet headers does). */
    private static final class OffloadCarryingPort implements Port
    {
        public String name()
        {
            return "offloads";
        }

        public io.natgate.datapath.port.LinkLayer linkLayer()
        {
            return io.natgate.datapath.port.LinkLayer.ETHERNET;
        }

        public long macAddress()
        {
            return GATEWAY;
        }

        public int mtu()
        {
            return 1500;
        }

        public int receive(final io.natgate.datapath.port.FrameHandler handler, final int limit)
        {
            return 0;
        }

        public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
        {
            return false;
        }

        public boolean carriesOffloads()
        {
            return true;
        }

        public void close()
        {
        }
    }
}
