package io.natgate.datapath.offload;

import io.natgate.datapath.frame.Checksums;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * What a device would do with an offloaded frame, done in software for an egress that cannot take
 * offload metadata (pcap, WinDivert, provider tunnels, in-memory): complete a partial checksum,
 * and cut a GSO aggregate into the segments it stands for, as the kernel's TCP and UDP GSO
 * segment them (sequence numbers advanced, FIN and PSH on the last segment only, CWR on the first
 * only, IP identification counted up, every checksum computed whole). One per worker: it owns a
 * scratch buffer for the segment being built.
 */
public final class SoftwareOffloads
{
    /** Room for one segment: link header, IPv4 and transport headers with options, and a payload. */
    public static final int MAX_SEGMENT_LENGTH = 65536 + 256;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int PROTO_TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private final UnsafeBuffer segment = new UnsafeBuffer(new byte[MAX_SEGMENT_LENGTH]);

    /**
     * Where {@link #segment} puts each segment; the buffer is reused for the next one.
     */
    @FunctionalInterface
    public interface SegmentSink
    {
        /**
         * @return false to stop: the segment and the rest are not sent.
         */
        boolean onSegment(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Completes the partial transport checksum of the IPv4 packet at {@code ipOffset} in place: sums
     * the transport header (whose checksum field holds the pseudo-header sum) and payload, as the
     * kernel's {@code skb_checksum_help} does.
     */
    public static void completeChecksum(final MutableDirectBuffer buffer, final int ipOffset)
    {
        final int l4Offset = Offload.transportOffset(buffer, ipOffset);
        final int l4Length = ipOffset + Offload.ipTotalLength(buffer, ipOffset) - l4Offset;
        completeChecksum(buffer, l4Offset, l4Length, Offload.checksumFieldOffset(buffer, ipOffset));
    }

    /**
     * Completes a checksum over {@code length} bytes from {@code start}, whose field at
     * {@code start + fieldOffset} holds the sum of what precedes the region (the pseudo-header):
     * the folded sum is complemented into the field, a zero result sent as 0xFFFF.
     */
    public static void completeChecksum(
        final MutableDirectBuffer buffer, final int start, final int length, final int fieldOffset)
    {
        final int checksum = ~Checksums.fold(Checksums.sum(buffer, start, length, 0)) & 0xFFFF;
        buffer.putShort(start + fieldOffset, (short)(checksum == 0 ? 0xFFFF : checksum), NETWORK);
    }

    /**
     * Sends the segments of a GSO aggregate: {@code linkLength} bytes of link header (0 for raw IP)
     * at {@code frameOffset}, then the IPv4 packet.
     *
     * @return the number of segments {@code sink} took.
     */
    public int segment(
        final int offload, final DirectBuffer buffer, final int frameOffset, final int linkLength,
        final SegmentSink sink)
    {
        final int ipOffset = frameOffset + linkLength;
        final int ipHeaderLength = (buffer.getByte(ipOffset) & 0x0F) << 2;
        final int l4HeaderLength = Offload.transportHeaderLength(buffer, ipOffset);
        final int headersLength = linkLength + ipHeaderLength + l4HeaderLength;
        final int payloadStart = frameOffset + headersLength;
        final int payloadEnd = ipOffset + Offload.ipTotalLength(buffer, ipOffset);
        final boolean tcp = (buffer.getByte(ipOffset + 9) & 0xFF) == PROTO_TCP;
        final int gsoSize = Math.min(Offload.gsoSize(offload), MAX_SEGMENT_LENGTH - headersLength);
        final int identification = buffer.getShort(ipOffset + 4, NETWORK) & 0xFFFF;
        final int sequence = tcp ? buffer.getInt(ipOffset + ipHeaderLength + 4, NETWORK) : 0;
        final int tcpFlags = tcp ? buffer.getByte(ipOffset + ipHeaderLength + 13) & 0xFF : 0;

        final UnsafeBuffer segment = this.segment;
        final int ip = linkLength;
        final int l4 = ip + ipHeaderLength;
        int count = 0;
        for (int at = payloadStart; at < payloadEnd || at == payloadStart; at += gsoSize)
        {
            final int payloadLength = Math.min(gsoSize, payloadEnd - at);
            final boolean first = at == payloadStart;
            final boolean last = at + payloadLength >= payloadEnd;
            segment.putBytes(0, buffer, frameOffset, headersLength);
            segment.putBytes(headersLength, buffer, at, payloadLength);
            final int l4Length = l4HeaderLength + payloadLength;

            segment.putShort(ip + 2, (short)(ipHeaderLength + l4Length), NETWORK);
            segment.putShort(ip + 4, (short)(identification + count), NETWORK);
            segment.putShort(ip + 10, (short)0);
            segment.putShort(ip + 10, (short)Checksums.checksum(segment, ip, ipHeaderLength), NETWORK);

            final int checksumAt;
            if (tcp)
            {
                segment.putInt(l4 + 4, sequence + (at - payloadStart), NETWORK);
                int flags = tcpFlags;
                if (!last)
                {
                    flags &= ~(TCP_FIN | TCP_PSH);
                }
                if (!first)
                {
                    flags &= ~TCP_CWR;
                }
                segment.putByte(l4 + 13, (byte)flags);
                checksumAt = l4 + 16;
            }
            else
            {
                segment.putShort(l4 + 4, (short)l4Length, NETWORK);
                checksumAt = l4 + 6;
            }
            segment.putShort(checksumAt, (short)0);
            final int source = segment.getInt(ip + 12, NETWORK);
            final int destination = segment.getInt(ip + 16, NETWORK);
            final int checksum = Checksums.l4Checksum(segment, l4, l4Length, source, destination,
                tcp ? PROTO_TCP : 17);
            segment.putShort(checksumAt, (short)(checksum == 0 && !tcp ? 0xFFFF : checksum), NETWORK);

            if (!sink.onSegment(segment, 0, headersLength + payloadLength))
            {
                return count;
            }
            count++;
            if (last)
            {
                break;
            }
        }
        return count;
    }
}
