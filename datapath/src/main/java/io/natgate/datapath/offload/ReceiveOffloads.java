package io.natgate.datapath.offload;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Turns the virtio_net_hdr a packet socket gives with a received Ethernet frame into the frame's
 * {@link Offload} state. A checksum-partial IPv4 TCP or UDP frame stays partial (the NAT patches
 * its pseudo-header sum, the egress device completes it); a checksum-partial frame of any other
 * kind is completed here, as the kernel's {@code skb_checksum_help} would, and then passes as a
 * plain frame; TCPv4 and UDP_L4 aggregates are kept whole. Other aggregates (TCPv6, legacy UFO)
 * are {@link #UNSUPPORTED}: the caller drops and counts them.
 */
public final class ReceiveOffloads
{
    /** The frame cannot be handled: an aggregate of a kind natgate does not translate. */
    public static final int UNSUPPORTED = -1;

    public static final int VNET_F_NEEDS_CSUM = 1;
    public static final int VNET_F_DATA_VALID = 2;
    public static final int VNET_GSO_NONE = 0;
    public static final int VNET_GSO_TCPV4 = 1;
    public static final int VNET_GSO_UDP_L4 = 5;
    public static final int VNET_GSO_ECN = 0x80;

    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private ReceiveOffloads()
    {
    }

    /**
     * @param csumStart  from the frame's first byte, as the header gives it.
     * @return the frame's {@link Offload} state, or {@link #UNSUPPORTED}.
     */
    public static int fromVirtio(
        final MutableDirectBuffer buffer, final int frameOffset, final int frameLength, final int vnetFlags,
        final int gsoType, final int gsoSize, final int csumStart, final int csumOffset)
    {
        final boolean partial = (vnetFlags & VNET_F_NEEDS_CSUM) != 0;
        final int gsoKind = switch (gsoType & ~VNET_GSO_ECN)
        {
            case VNET_GSO_NONE -> 0;
            case VNET_GSO_TCPV4 -> Offload.GSO_TCP;
            case VNET_GSO_UDP_L4 -> Offload.GSO_UDP;
            default -> -1;
        };
        if (gsoKind < 0)
        {
            return UNSUPPORTED;
        }
        if (gsoKind == 0 && !partial)
        {
            return (vnetFlags & VNET_F_DATA_VALID) != 0 ? Offload.CHECKSUM_VERIFIED : Offload.NONE;
        }

        final int ipOffset = ipv4Offset(buffer, frameOffset, frameLength);
        final boolean translatable = ipOffset >= 0 &&
            isPartialTransport(buffer, frameOffset, frameLength, ipOffset, csumStart, csumOffset);
        if (gsoKind != 0)
        {
            final int protocol = translatable ? buffer.getByte(ipOffset + 9) & 0xFF : -1;
            if (!partial || gsoSize == 0 ||
                protocol != (gsoKind == Offload.GSO_TCP ? PROTO_TCP : PROTO_UDP))
            {
                return UNSUPPORTED;
            }
            final int ecn = (gsoType & VNET_GSO_ECN) != 0 ? Offload.GSO_ECN : 0;
            return Offload.gso(gsoKind | ecn, gsoSize);
        }
        if (translatable)
        {
            return Offload.CHECKSUM_PARTIAL;
        }
        if (csumStart + csumOffset + 2 > frameLength)
        {
            return UNSUPPORTED;
        }
        SoftwareOffloads.completeChecksum(buffer, frameOffset + csumStart, frameLength - csumStart, csumOffset);
        return Offload.CHECKSUM_VERIFIED;
    }

    /**
     * @return the offset of the IPv4 header of an Ethernet frame (one VLAN tag allowed), or -1.
     */
    private static int ipv4Offset(final MutableDirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        int etherTypeAt = frameOffset + 12;
        int ipOffset = frameOffset + ETHERNET_HEADER_LENGTH;
        if (frameLength < ETHERNET_HEADER_LENGTH + 20)
        {
            return -1;
        }
        if ((buffer.getShort(etherTypeAt, ByteOrder.BIG_ENDIAN) & 0xFFFF) == ETHERTYPE_VLAN)
        {
            etherTypeAt += VLAN_TAG_LENGTH;
            ipOffset += VLAN_TAG_LENGTH;
        }
        if (ipOffset + 20 > frameOffset + frameLength ||
            (buffer.getShort(etherTypeAt, ByteOrder.BIG_ENDIAN) & 0xFFFF) != ETHERTYPE_IPV4)
        {
            return -1;
        }
        return ipOffset;
    }

    /**
     * A frame the NAT can translate partial: an unfragmented IPv4 TCP or UDP packet whose header
     * lies in the frame, with the checksum where its transport header keeps it.
     */
    private static boolean isPartialTransport(
        final MutableDirectBuffer buffer, final int frameOffset, final int frameLength, final int ipOffset,
        final int csumStart, final int csumOffset)
    {
        final int versionAndLength = buffer.getByte(ipOffset) & 0xFF;
        final int protocol = buffer.getByte(ipOffset + 9) & 0xFF;
        if ((versionAndLength >>> 4) != 4 || (versionAndLength & 0x0F) < 5 ||
            (protocol != PROTO_TCP && protocol != PROTO_UDP) ||
            (buffer.getShort(ipOffset + 6, ByteOrder.BIG_ENDIAN) & 0x3FFF) != 0)
        {
            return false;
        }
        final int l4Offset = Offload.transportOffset(buffer, ipOffset);
        final int frameEnd = frameOffset + frameLength;
        if (l4Offset + 20 > frameEnd && (protocol == PROTO_TCP || l4Offset + 8 > frameEnd))
        {
            return false;
        }
        if (protocol == PROTO_TCP && l4Offset + Offload.transportHeaderLength(buffer, ipOffset) > frameEnd)
        {
            return false;
        }
        return csumStart == l4Offset - frameOffset && csumOffset == Offload.checksumFieldOffset(buffer, ipOffset);
    }
}
