package io.natgate.datapath.icmp;

import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds the ICMP messages the gateway itself sends: errors about packets it could not
 * forward (time exceeded, fragmentation needed, administratively prohibited; RFC 792,
 * RFC 1191, RFC 5508 REQ-8) and echo replies to pings of its own addresses.
 */
public final class IcmpWriter
{
    /** An error quotes as much of the offending packet as keeps the whole error within 576 bytes (RFC 1812 4.3.2.3). */
    public static final int MAX_QUOTE_BYTES = 576 - Ipv4Packet.MIN_HEADER_LENGTH - IcmpMessage.HEADER_LENGTH;
    public static final int TTL = 64;

    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet offending = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private int identification;

    /**
     * Writes an IPv4 ICMP error about the packet at {@code offendingOffset}.
     *
     * @return the length of the IP packet written at {@code offset}, or 0 when no error may be sent
     * about this packet (it is itself an ICMP error, a non-first fragment, or from a
     * broadcast/multicast/zero source: RFC 1812 4.3.2.7).
     */
    public int writeError(
        final MutableDirectBuffer destination, final int offset, final int type, final int code,
        final int restOfHeader, final int source, final MutableDirectBuffer offendingBuffer,
        final int offendingOffset, final int offendingLength)
    {
        final Ipv4Packet offending = this.offending;
        offending.wrap(offendingBuffer, offendingOffset);
        final int offendingSource = offending.sourceAddress();
        if (offending.fragmentOffsetBytes() != 0 || offendingSource == 0 || (offendingSource >>> 28) >= 0xE ||
            isIcmpError(offendingBuffer, offendingOffset, offending))
        {
            return 0;
        }
        final int quote = Math.min(offendingLength, MAX_QUOTE_BYTES);
        final int length = Ipv4Packet.MIN_HEADER_LENGTH + IcmpMessage.HEADER_LENGTH + quote;
        destination.putBytes(offset + Ipv4Packet.MIN_HEADER_LENGTH + IcmpMessage.HEADER_LENGTH,
            offendingBuffer, offendingOffset, quote);

        ip.wrap(destination, offset);
        ip.writeHeader(0xC0, length, nextIdentification(), 0, TTL, Ipv4Packet.PROTO_ICMP, source, offendingSource);
        icmp.wrap(destination, offset + Ipv4Packet.MIN_HEADER_LENGTH);
        icmp.writeHeader(type, code, restOfHeader);
        icmp.updateChecksum(length - Ipv4Packet.MIN_HEADER_LENGTH);
        return length;
    }

    /**
     * Turns an echo request addressed to us into its reply, in place: addresses swapped, type 0,
     * checksums adjusted.
     */
    public void turnIntoEchoReply(final MutableDirectBuffer buffer, final int ipOffset)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        final int source = ip.sourceAddress();
        ip.sourceAddress(ip.destinationAddress());
        ip.destinationAddress(source);
        final int oldTtlWord = (ip.ttl() << 8) | ip.protocol();
        ip.ttl(TTL);
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), Checksums.delta16(oldTtlWord, (TTL << 8) | ip.protocol())));
        icmp.wrap(buffer, ipOffset + ip.headerLength());
        final int oldTypeWord = (icmp.type() << 8) | icmp.code();
        buffer.putByte(ipOffset + ip.headerLength(), (byte)IcmpMessage.ECHO_REPLY);
        icmp.checksum(Checksums.apply(icmp.checksum(), Checksums.delta16(oldTypeWord, icmp.code())));
    }

    private static boolean isIcmpError(final DirectBuffer buffer, final int ipOffset, final Ipv4Packet packet)
    {
        return packet.protocol() == Ipv4Packet.PROTO_ICMP &&
            IcmpMessage.isError(buffer.getByte(ipOffset + packet.headerLength()) & 0xFF);
    }

    private int nextIdentification()
    {
        identification = (identification + 1) & 0xFFFF;
        return identification;
    }
}
