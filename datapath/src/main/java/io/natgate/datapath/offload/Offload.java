package io.natgate.datapath.offload;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * A frame's offload state, packed in an int that travels with the frame from the port that
 * received it to the port that sends it: whether its transport checksum is partial (the field
 * holds only the pseudo-header sum, as the kernel's CHECKSUM_PARTIAL), whether its checksums were
 * verified by the kernel, and whether it is a GSO aggregate standing for several segments of
 * {@link #gsoSize} payload bytes each. {@link #NONE} is a plain, complete frame.
 * <p>
 * Only IPv4 TCP and UDP frames carry an offload state: where the checksum starts and where it goes
 * follow from their headers, so the state holds no offsets and survives any rewrite of the frame's
 * link header ({@link ReceiveOffloads} completes anything else on arrival).
 */
public final class Offload
{
    /** A complete frame: checksums filled in, one packet. */
    public static final int NONE = 0;
    /** The transport checksum field holds the pseudo-header sum; the sender's device completes it. */
    public static final int CHECKSUM_PARTIAL = 1;
    /** The kernel verified the frame's checksums on receipt (virtio DATA_VALID). */
    public static final int CHECKSUM_VERIFIED = 1 << 1;
    /** A TCP aggregate (TSO/GRO): segments of {@link #gsoSize} payload bytes each. */
    public static final int GSO_TCP = 1 << 2;
    /** A UDP aggregate (UDP_L4, USO): one datagram per {@link #gsoSize} payload bytes. */
    public static final int GSO_UDP = 2 << 2;
    /** The TCP aggregate's segments carry ECN's CWR as the kernel's TSO_ECN says. */
    public static final int GSO_ECN = 1 << 4;

    private static final int GSO_KIND_MASK = 3 << 2;
    private static final int GSO_SIZE_SHIFT = 8;
    private static final int GSO_SIZE_MASK = 0xFFFF;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int UDP_HEADER_LENGTH = 8;
    private static final int PROTO_TCP = 6;

    private Offload()
    {
    }

    /**
     * @return the state of a GSO aggregate: checksum partial, {@code kind} {@link #GSO_TCP} or
     * {@link #GSO_UDP} (with {@link #GSO_ECN}), segments of {@code gsoSize} payload bytes.
     */
    public static int gso(final int kind, final int gsoSize)
    {
        return CHECKSUM_PARTIAL | kind | ((gsoSize & GSO_SIZE_MASK) << GSO_SIZE_SHIFT);
    }

    public static boolean isChecksumPartial(final int offload)
    {
        return (offload & CHECKSUM_PARTIAL) != 0;
    }

    /**
     * @return true when the transport checksum need not be verified: partial (nothing to verify
     * yet) or verified by the kernel. The kernel's conntrack trusts both the same way.
     */
    public static boolean isChecksumTrusted(final int offload)
    {
        return (offload & (CHECKSUM_PARTIAL | CHECKSUM_VERIFIED)) != 0;
    }

    public static boolean isGso(final int offload)
    {
        return (offload & GSO_KIND_MASK) != 0;
    }

    public static boolean isGsoTcp(final int offload)
    {
        return (offload & GSO_KIND_MASK) == GSO_TCP;
    }

    public static boolean isGsoUdp(final int offload)
    {
        return (offload & GSO_KIND_MASK) == GSO_UDP;
    }

    public static int gsoSize(final int offload)
    {
        return (offload >>> GSO_SIZE_SHIFT) & GSO_SIZE_MASK;
    }

    /**
     * @return true when a port must do something for the frame: complete a checksum or segment.
     */
    public static boolean needsWork(final int offload)
    {
        return (offload & (CHECKSUM_PARTIAL | GSO_KIND_MASK)) != 0;
    }

    /**
     * The length of the largest IP packet a frame stands for: its own length, or for a GSO
     * aggregate its headers plus one segment's payload. The DF and MTU decisions use this.
     */
    public static int segmentIpLength(final int offload, final DirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        if (!isGso(offload))
        {
            return ipLength;
        }
        final int headers = transportOffset(buffer, ipOffset) - ipOffset + transportHeaderLength(buffer, ipOffset);
        return Math.min(ipLength, headers + gsoSize(offload));
    }

    /**
     * @return the offset of the IPv4 packet's transport header.
     */
    public static int transportOffset(final DirectBuffer buffer, final int ipOffset)
    {
        return ipOffset + ((buffer.getByte(ipOffset) & 0x0F) << 2);
    }

    /**
     * @return the length of the IPv4 packet's TCP header (data offset) or UDP header.
     */
    public static int transportHeaderLength(final DirectBuffer buffer, final int ipOffset)
    {
        if ((buffer.getByte(ipOffset + 9) & 0xFF) == PROTO_TCP)
        {
            return ((buffer.getByte(transportOffset(buffer, ipOffset) + 12) & 0xF0) >>> 4) << 2;
        }
        return UDP_HEADER_LENGTH;
    }

    /**
     * @return where the transport checksum field is, from the transport header.
     */
    public static int checksumFieldOffset(final DirectBuffer buffer, final int ipOffset)
    {
        return (buffer.getByte(ipOffset + 9) & 0xFF) == PROTO_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET;
    }

    /**
     * @return the IPv4 total length field.
     */
    static int ipTotalLength(final DirectBuffer buffer, final int ipOffset)
    {
        return buffer.getShort(ipOffset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * @return a readable form of an offload state, for logs and tests.
     */
    public static String describe(final int offload)
    {
        if (offload == NONE)
        {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        if (isChecksumPartial(offload))
        {
            text.append("checksum-partial");
        }
        if ((offload & CHECKSUM_VERIFIED) != 0)
        {
            text.append(text.isEmpty() ? "" : ",").append("checksum-verified");
        }
        if (isGso(offload))
        {
            text.append(",gso-").append(isGsoTcp(offload) ? "tcp" : "udp").append('/').append(gsoSize(offload));
        }
        return text.toString();
    }
}
