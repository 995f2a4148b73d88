package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.offload.Offload;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Transport header checks and checksum patches the translation paths share.
 */
final class TransportChecks
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private TransportChecks()
    {
    }

    /**
     * @return true for the query replies, which an inside host receives through its query session.
     */
    static boolean isQueryReply(final int type)
    {
        return IcmpMessage.isQuery(type) && !IcmpMessage.isQueryRequest(type);
    }

    /**
     * @return whether a TCP or UDP header of {@code l4Length} bytes is whole (TCP: its data offset included).
     */
    static boolean isHeaderWhole(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length)
    {
        if (protocol == Ipv4Protocols.TCP)
        {
            if (l4Length < TcpSegment.MIN_HEADER_LENGTH)
            {
                return false;
            }
            final int dataOffset = ((buffer.getByte(l4Offset + 12) & 0xFF) >>> 4) << 2;
            return dataOffset >= TcpSegment.MIN_HEADER_LENGTH && dataOffset <= l4Length;
        }
        return l4Length >= UdpDatagram.HEADER_LENGTH;
    }

    /**
     * @param offload the packet's {@link Offload} state: a checksum-partial packet has nothing to verify
     *                yet and one the kernel verified needs no second look (conntrack trusts both alike);
     *                only the UDP length is checked for them.
     */
    static boolean isTransportChecksumValid(
        final MutableDirectBuffer buffer, final int source, final int destination, final int protocol,
        final int l4Offset, final int l4Length, final int offload)
    {
        int checkedLength = l4Length;
        if (protocol == Ipv4Protocols.UDP)
        {
            final int udpLength = buffer.getShort(l4Offset + 4, NETWORK) & 0xFFFF;
            if (udpLength < UdpDatagram.HEADER_LENGTH || udpLength > l4Length)
            {
                return false;
            }
            if (buffer.getShort(l4Offset + UdpDatagram.CHECKSUM_OFFSET) == 0)
            {
                return true;
            }
            checkedLength = udpLength; // bytes after the datagram are the IP payload's, not covered (RFC 768)
        }
        if (Offload.isChecksumTrusted(offload))
        {
            return true;
        }
        final long sum = Checksums.sum(buffer, l4Offset, checkedLength,
            Checksums.pseudoHeaderSum(source, destination, protocol, checkedLength));
        return Checksums.fold(sum) == 0xFFFF;
    }

    /**
     * Patches the transport checksum by {@code delta} (addresses and port). A checksum-partial
     * packet's field holds the pseudo-header sum instead, so it gets only {@code addressDelta},
     * added as the kernel's NAT does ({@code inet_proto_csum_replace4} with {@code pseudohdr}); the
     * port is covered by the sum the egress device computes.
     */
    static void rewriteTransportChecksum(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int delta,
        final int addressDelta, final int offload)
    {
        if (Offload.isChecksumPartial(offload))
        {
            final int at = l4Offset +
                (protocol == Ipv4Protocols.TCP ? TcpSegment.CHECKSUM_OFFSET : UdpDatagram.CHECKSUM_OFFSET);
            buffer.putShort(at, (short)Checksums.add(buffer.getShort(at, NETWORK) & 0xFFFF, addressDelta), NETWORK);
            return;
        }
        if (protocol == Ipv4Protocols.TCP)
        {
            final int at = l4Offset + TcpSegment.CHECKSUM_OFFSET;
            buffer.putShort(at, (short)Checksums.apply(buffer.getShort(at, NETWORK) & 0xFFFF, delta), NETWORK);
        }
        else
        {
            final int at = l4Offset + UdpDatagram.CHECKSUM_OFFSET;
            buffer.putShort(at, (short)Checksums.applyUdp(buffer.getShort(at, NETWORK) & 0xFFFF, delta), NETWORK);
        }
    }
}
