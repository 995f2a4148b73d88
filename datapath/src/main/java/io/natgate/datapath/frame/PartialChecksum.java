package io.natgate.datapath.frame;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Completes the TCP or UDP checksum of a frame that a local sender left partial. A Linux host with
 * transmit checksum offload (veth, virtio, any device with {@code tx-checksumming on}) hands its
 * device a CHECKSUM_PARTIAL packet whose checksum field holds only the folded pseudo-header sum,
 * for the device to finish; a backend that gets such a frame without the kernel's metadata
 * (AF_XDP) cannot tell it from a corrupt one except by that value. A frame whose checksum does not
 * verify and whose field equals its pseudo-header sum is completed in place; every other frame is
 * left as it is (a corrupt checksum stays for the NAT to count). Costs one pass over the segment.
 */
public final class PartialChecksum
{
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int UDP_CHECKSUM_OFFSET = 6;

    private PartialChecksum()
    {
    }

    /**
     * @return true when the frame's checksum was partial and has been completed.
     */
    public static boolean complete(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        int ip = offset + 14;
        if (length < 14 + 20)
        {
            return false;
        }
        int etherType = buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (etherType == ETHERTYPE_VLAN && length >= 18 + 20)
        {
            etherType = buffer.getShort(offset + 16, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            ip += 4;
        }
        if (etherType != ETHERTYPE_IPV4)
        {
            return false;
        }
        final int versionAndLength = buffer.getByte(ip) & 0xFF;
        final int headerLength = (versionAndLength & 0x0F) * 4;
        final int totalLength = buffer.getShort(ip + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int fragment = buffer.getShort(ip + 6, ByteOrder.BIG_ENDIAN) & 0x3FFF;
        final int protocol = buffer.getByte(ip + 9) & 0xFF;
        if ((versionAndLength >>> 4) != 4 || headerLength < 20 || fragment != 0 || totalLength < headerLength ||
            ip - offset + totalLength > length)
        {
            return false;
        }
        final int l4 = ip + headerLength;
        final int l4Length = totalLength - headerLength;
        final int field;
        if (protocol == PROTOCOL_TCP && l4Length >= 20)
        {
            field = l4 + TCP_CHECKSUM_OFFSET;
        }
        else if (protocol == PROTOCOL_UDP && l4Length >= 8)
        {
            field = l4 + UDP_CHECKSUM_OFFSET;
        }
        else
        {
            return false;
        }
        final int stored = buffer.getShort(field, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (protocol == PROTOCOL_UDP && stored == 0)
        {
            return false; // no checksum
        }
        final int source = buffer.getInt(ip + 12, ByteOrder.BIG_ENDIAN);
        final int destination = buffer.getInt(ip + 16, ByteOrder.BIG_ENDIAN);
        if (Checksums.l4Checksum(buffer, l4, l4Length, source, destination, protocol) == 0)
        {
            return false;
        }
        final int pseudoHeader = Checksums.fold(Checksums.pseudoHeaderSum(source, destination, protocol, l4Length));
        if (normalised(stored) != normalised(pseudoHeader))
        {
            return false;
        }
        buffer.putShort(field, (short)0, ByteOrder.BIG_ENDIAN);
        int checksum = Checksums.l4Checksum(buffer, l4, l4Length, source, destination, protocol);
        if (protocol == PROTOCOL_UDP && checksum == 0)
        {
            checksum = 0xFFFF;
        }
        buffer.putShort(field, (short)checksum, ByteOrder.BIG_ENDIAN);
        return true;
    }

    /**
     * One's complement has two zeros: 0x0000 and 0xFFFF are the same sum.
     */
    private static int normalised(final int sum)
    {
        return sum == 0xFFFF ? 0 : sum;
    }
}
