package io.natgate.datapath.testing;

import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Crafts IPv4 packets (no link header) with correct checksums computed from scratch, and
 * checks translated ones the same way. For tests only.
 */
public final class Packets
{
    public static final int TTL = 64;

    private Packets()
    {
    }

    public static int ip(final String dotted)
    {
        return Ipv4.parse(dotted);
    }

    public static byte[] udp(
        final String source, final int sourcePort, final String destination, final int destinationPort,
        final byte[] payload)
    {
        final int length = 20 + UdpDatagram.HEADER_LENGTH + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0, length, 0x1234, Ipv4Packet.FLAG_DF, TTL, Ipv4Packet.PROTO_UDP, ip(source), ip(destination));
        final UdpDatagram udp = (UdpDatagram)new UdpDatagram().wrap(buffer, 20);
        udp.writeHeader(sourcePort, destinationPort, UdpDatagram.HEADER_LENGTH + payload.length);
        buffer.putBytes(28, payload);
        udp.checksum(udpChecksum(buffer, 0, length));
        return buffer.byteArray();
    }

    public static byte[] tcp(
        final String source, final int sourcePort, final String destination, final int destinationPort,
        final int flags, final byte[] payload)
    {
        final int length = 20 + TcpSegment.MIN_HEADER_LENGTH + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0, length, 0x4321, Ipv4Packet.FLAG_DF, TTL, Ipv4Packet.PROTO_TCP, ip(source), ip(destination));
        final TcpSegment tcp = (TcpSegment)new TcpSegment().wrap(buffer, 20);
        tcp.writeHeader(sourcePort, destinationPort, 1000, (flags & TcpSegment.ACK) != 0 ? 2000 : 0, flags, 65_535);
        buffer.putBytes(40, payload);
        tcp.checksum(Checksums.l4Checksum(buffer, 20, length - 20, ip(source), ip(destination), Ipv4Packet.PROTO_TCP));
        return buffer.byteArray();
    }

    public static byte[] icmpEcho(
        final String source, final String destination, final int type, final int identifier, final int sequence)
    {
        final int length = 20 + IcmpMessage.HEADER_LENGTH + 16;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0, length, 0x0101, 0, TTL, Ipv4Packet.PROTO_ICMP, ip(source), ip(destination));
        final IcmpMessage icmp = (IcmpMessage)new IcmpMessage().wrap(buffer, 20);
        icmp.writeHeader(type, 0, (identifier << 16) | sequence);
        for (int i = 0; i < 16; i++)
        {
            buffer.putByte(28 + i, (byte)i);
        }
        icmp.updateChecksum(length - 20);
        return buffer.byteArray();
    }

    /**
     * An ICMP error from {@code source} to {@code destination} quoting the IP header and the
     * first 8 bytes of the transport header of {@code offending}, as RFC 792 says.
     */
    public static byte[] icmpError(
        final String source, final String destination, final int type, final int code, final byte[] offending)
    {
        final int quoted = Math.min(offending.length, ((offending[0] & 0x0F) << 2) + 8);
        final int length = 20 + IcmpMessage.HEADER_LENGTH + quoted;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0xC0, length, 0x0202, 0, TTL, Ipv4Packet.PROTO_ICMP, ip(source), ip(destination));
        final IcmpMessage icmp = (IcmpMessage)new IcmpMessage().wrap(buffer, 20);
        icmp.writeHeader(type, code, 0);
        buffer.putBytes(28, offending, 0, quoted);
        icmp.updateChecksum(length - 20);
        return buffer.byteArray();
    }

    /**
     * Splits a packet into fragments of at most {@code fragmentPayload} bytes of payload each
     * (a multiple of 8), with correct header checksums.
     */
    public static byte[][] fragment(final byte[] packet, final int fragmentPayload)
    {
        final int headerLength = (packet[0] & 0x0F) << 2;
        final int payloadLength = packet.length - headerLength;
        final int count = (payloadLength + fragmentPayload - 1) / fragmentPayload;
        final byte[][] fragments = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            final int offset = i * fragmentPayload;
            final int size = Math.min(fragmentPayload, payloadLength - offset);
            final byte[] fragment = new byte[headerLength + size];
            System.arraycopy(packet, 0, fragment, 0, headerLength);
            System.arraycopy(packet, headerLength + offset, fragment, headerLength, size);
            final UnsafeBuffer buffer = new UnsafeBuffer(fragment);
            final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
            header.totalLength(fragment.length);
            header.flagsAndFragmentOffset((i < count - 1 ? Ipv4Packet.FLAG_MF : 0) | (offset >>> 3));
            header.updateHeaderChecksum();
            fragments[i] = fragment;
        }
        return fragments;
    }

    public static int udpChecksum(final UnsafeBuffer buffer, final int ipOffset, final int length)
    {
        final int saved = buffer.getShort(ipOffset + 26);
        buffer.putShort(ipOffset + 26, (short)0);
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(buffer, ipOffset);
        final int checksum = Checksums.l4Checksum(
            buffer, ipOffset + 20, length - 20, header.sourceAddress(), header.destinationAddress(), Ipv4Packet.PROTO_UDP);
        buffer.putShort(ipOffset + 26, (short)saved);
        return checksum == 0 ? 0xFFFF : checksum;
    }

    /**
     * @return true when the IP header checksum and the transport checksum (TCP, UDP, ICMP) of an
     * unfragmented packet verify when recomputed from scratch.
     */
    public static boolean checksumsValid(final byte[] packet)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(packet);
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        if (!header.isHeaderChecksumValid())
        {
            return false;
        }
        final int l4 = header.headerLength();
        final int l4Length = header.totalLength() - l4;
        return switch (header.protocol())
        {
            case Ipv4Packet.PROTO_ICMP -> Checksums.checksum(buffer, l4, l4Length) == 0;
            case Ipv4Packet.PROTO_UDP -> buffer.getShort(l4 + 6) == 0 || Checksums.fold(Checksums.sum(buffer, l4, l4Length,
                Checksums.pseudoHeaderSum(header.sourceAddress(), header.destinationAddress(), 17, l4Length))) == 0xFFFF;
            default -> Checksums.fold(Checksums.sum(buffer, l4, l4Length, Checksums.pseudoHeaderSum(
                header.sourceAddress(), header.destinationAddress(), header.protocol(), l4Length))) == 0xFFFF;
        };
    }

    public static int source(final byte[] packet)
    {
        return new UnsafeBuffer(packet).getInt(12, ByteOrder.BIG_ENDIAN);
    }

    public static int destination(final byte[] packet)
    {
        return new UnsafeBuffer(packet).getInt(16, ByteOrder.BIG_ENDIAN);
    }

    public static int sourcePort(final byte[] packet)
    {
        return new UnsafeBuffer(packet).getShort(((packet[0] & 0x0F) << 2), ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public static int destinationPort(final byte[] packet)
    {
        return new UnsafeBuffer(packet).getShort(((packet[0] & 0x0F) << 2) + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the ICMP query identifier of an ICMP query packet.
     */
    public static int icmpIdentifier(final byte[] packet)
    {
        return new UnsafeBuffer(packet).getShort(((packet[0] & 0x0F) << 2) + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }
}
