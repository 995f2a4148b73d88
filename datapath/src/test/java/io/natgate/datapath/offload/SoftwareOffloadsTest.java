package io.natgate.datapath.offload;

import io.natgate.datapath.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.offload.ScapyVectors.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Completion and segmentation in software, for an egress that cannot carry offload metadata,
 * checked byte for byte against what scapy builds ({@link ScapyVectors}).
 */
class SoftwareOffloadsTest
{
    private final SoftwareOffloads offloads = new SoftwareOffloads();
    private final List<byte[]> segments = new ArrayList<>();
    private final SoftwareOffloads.SegmentSink collect = (buffer, offset, length) ->
    {
        final byte[] segment = new byte[length];
        buffer.getBytes(offset, segment);
        segments.add(segment);
        return true;
    };

    @Test
    void shouldCompleteAPartialTcpChecksumAsTheDeviceWould()
    {
        final byte[] translated = bytes(ScapyVectors.PARTIAL_SYN_TRANSLATED_COMPLETE);
        final UnsafeBuffer packet = new UnsafeBuffer(translated.clone());
        packet.putShort(36, (short)ScapyVectors.PARTIAL_SYN_TRANSLATED_FIELD, java.nio.ByteOrder.BIG_ENDIAN);

        SoftwareOffloads.completeChecksum(packet, 0);

        assertArrayEquals(translated, packet.byteArray());
    }

    @Test
    void shouldCutATcpAggregateIntoTheSegmentsTheKernelsGsoWouldSend()
    {
        final byte[] aggregate = bytes(ScapyVectors.TCP_AGGREGATE);

        final int count = offloads.segment(Offload.gso(Offload.GSO_TCP, 1448), new UnsafeBuffer(aggregate), 0, 0, collect);

        assertEquals(3, count);
        assertArrayEquals(bytes(ScapyVectors.TCP_SEGMENT_0), segments.get(0));
        assertArrayEquals(bytes(ScapyVectors.TCP_SEGMENT_1), segments.get(1));
        assertArrayEquals(bytes(ScapyVectors.TCP_SEGMENT_2), segments.get(2));
    }

    @Test
    void shouldCutAUdpAggregateIntoDatagramsOfGsoSizeBehindTheirEthernetHeader()
    {
        final long destination = 0x0200_0000_000BL;
        final long source = 0x0200_0000_0002L;
        final byte[] frame = Frames.ipv4(destination, source, bytes(ScapyVectors.UDP_AGGREGATE));

        final int count = offloads.segment(Offload.gso(Offload.GSO_UDP, 1200), new UnsafeBuffer(frame), 0, 14, collect);

        assertEquals(3, count);
        assertArrayEquals(Frames.ipv4(destination, source, bytes(ScapyVectors.UDP_SEGMENT_0)), segments.get(0));
        assertArrayEquals(Frames.ipv4(destination, source, bytes(ScapyVectors.UDP_SEGMENT_1)), segments.get(1));
        assertArrayEquals(Frames.ipv4(destination, source, bytes(ScapyVectors.UDP_SEGMENT_2)), segments.get(2));
    }

    @Test
    void shouldStopCuttingWhenTheSinkRefusesASegment()
    {
        final SoftwareOffloads.SegmentSink takeOne = (buffer, offset, length) -> segments.isEmpty() && segments.add(
            new byte[length]);

        final int count = offloads.segment(
            Offload.gso(Offload.GSO_TCP, 1448), new UnsafeBuffer(bytes(ScapyVectors.TCP_AGGREGATE)), 0, 0, takeOne);

        assertEquals(1, count);
    }
}
