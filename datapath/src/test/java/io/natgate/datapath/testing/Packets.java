package io.natgate.datapath.testing;

import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Crafts IPv4 packets (no link header) with correct checksums, and checks translated ones with
 * {@link InternetChecksum}, an implementation independent of the code under test. For tests only.
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
        return PacketBuilder.udp(ip(source), sourcePort, ip(destination), destinationPort, payload);
    }

    public static byte[] udp(
        final int source, final int sourcePort, final int destination, final int destinationPort, final byte[] payload)
    {
        return PacketBuilder.udp(source, sourcePort, destination, destinationPort, payload);
    }

    public static byte[] tcp(
        final String source, final int sourcePort, final String destination, final int destinationPort,
        final int flags, final byte[] payload)
    {
        return PacketBuilder.tcp(ip(source), sourcePort, ip(destination), destinationPort, 1000,
            (flags & TcpSegment.ACK) != 0 ? 2000 : 0, flags, payload);
    }

    public static byte[] tcp(
        final int source, final int sourcePort, final int destination, final int destinationPort, final int flags,
        final byte[] payload)
    {
        return PacketBuilder.tcp(source, sourcePort, destination, destinationPort, 1000,
            (flags & TcpSegment.ACK) != 0 ? 2000 : 0, flags, payload);
    }

    public static byte[] icmpEcho(
        final String source, final String destination, final int type, final int identifier, final int sequence)
    {
        return PacketBuilder.icmpQuery(ip(source), ip(destination), type, identifier, sequence, 16);
    }

    /**
     * An ICMP query message of {@code type} (echo, timestamp, ...) with a 16-byte body.
     */
    public static byte[] icmpEcho(
        final int source, final int destination, final int type, final int identifier, final int sequence)
    {
        final int length = 20 + IcmpMessage.HEADER_LENGTH + 16;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0, length, 0x0101, 0, TTL, Ipv4Packet.PROTO_ICMP, source, destination);
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
        return icmpError(ip(source), ip(destination), type, code, offending, ((offending[0] & 0x0F) << 2) + 8);
    }

    /**
     * An ICMP error quoting the first {@code quotedLength} bytes of {@code offending} (all of it at
     * most), as a router quoting "as much as possible" (RFC 1812 4.3.2.3) does.
     */
    public static byte[] icmpError(
        final int source, final int destination, final int type, final int code, final byte[] offending,
        final int quotedLength)
    {
        final int quoted = Math.min(offending.length, quotedLength);
        final int length = 20 + IcmpMessage.HEADER_LENGTH + quoted;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        final Ipv4Packet ipHeader = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        ipHeader.writeHeader(0xC0, length, 0x0202, 0, TTL, Ipv4Packet.PROTO_ICMP, source, destination);
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

    /**
     * @return the UDP checksum the datagram at {@code ipOffset} should carry, computed from scratch by
     * {@link InternetChecksum} (0xFFFF for a computed zero).
     */
    public static int udpChecksum(final UnsafeBuffer buffer, final int ipOffset, final int length)
    {
        final byte[] packet = new byte[length];
        buffer.getBytes(ipOffset, packet);
        packet[26] = 0;
        packet[27] = 0;
        final long pseudo = InternetChecksum.pseudoHeader(source(packet), destination(packet), 17, length - 20);
        final int checksum = InternetChecksum.complement(InternetChecksum.sum(packet, 20, length - 20, pseudo));
        return checksum == 0 ? 0xFFFF : checksum;
    }

    /**
     * @return true when the IP header checksum and the transport checksum (TCP, UDP, ICMP) of an
     * unfragmented packet verify, recomputed from scratch by {@link InternetChecksum} (not by the
     * code under test).
     */
    public static boolean checksumsValid(final byte[] packet)
    {
        return headerChecksumValid(packet) && InternetChecksum.transportValid(packet, 0);
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
    /**
     * @return true for any fragment of a fragmented datagram, the first included.
     */
    public static boolean isFragment(final byte[] packet)
    {
        return ((Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(packet), 0)).isFragment();
    }

    /**
     * @return true when the IP header checksum verifies recomputed from scratch.
     */
    public static boolean headerChecksumValid(final byte[] packet)
    {
        return InternetChecksum.ipv4HeaderValid(packet, 0, (packet[0] & 0x0F) << 2);
    }

    /**
     * @return the IP protocol number of a packet.
     */
    public static int protocol(final byte[] packet)
    {
        return packet[9] & 0xFF;
    }

    /**
     * @return the bytes after the transport header (TCP with its data offset, UDP, ICMP's 8 bytes).
     */
    public static byte[] transportPayload(final byte[] packet)
    {
        final int l4 = (packet[0] & 0x0F) << 2;
        final int headerLength = switch (protocol(packet))
        {
            case Ipv4Packet.PROTO_TCP -> ((packet[l4 + 12] & 0xFF) >>> 4) << 2;
            case Ipv4Packet.PROTO_UDP -> UdpDatagram.HEADER_LENGTH;
            default -> IcmpMessage.HEADER_LENGTH;
        };
        final int totalLength = new UnsafeBuffer(packet).getShort(2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final byte[] payload = new byte[totalLength - l4 - headerLength];
        System.arraycopy(packet, l4 + headerLength, payload, 0, payload.length);
        return payload;
    }

    /**
     * @return the packet quoted by an ICMP error (its bytes after the ICMP header).
     */
    public static byte[] embedded(final byte[] icmpError)
    {
        final int start = ((icmpError[0] & 0x0F) << 2) + IcmpMessage.EMBEDDED_OFFSET;
        final byte[] quoted = new byte[icmpError.length - start];
        System.arraycopy(icmpError, start, quoted, 0, quoted.length);
        return quoted;
    }

    /**
     * @return true when an ICMP error's own checksums verify and so does the header checksum of the
     * packet it quotes, and that packet's transport checksum too when it is quoted whole.
     */
    public static boolean embeddedChecksumsValid(final byte[] icmpError)
    {
        final byte[] quoted = embedded(icmpError);
        final int quotedTotalLength = ((quoted[2] & 0xFF) << 8) | (quoted[3] & 0xFF);
        return checksumsValid(icmpError) && headerChecksumValid(quoted) &&
            (quotedTotalLength > quoted.length || checksumsValid(quoted));
    }

    /**
     * @return a copy of an ICMP error with its quote zero-padded to 128 bytes, the RFC 4884 length
     * attribute set, and {@code extension} (an ICMP extension structure) appended; IP total length,
     * IP and ICMP checksums updated.
     */
    public static byte[] withIcmpExtension(final byte[] icmpError, final byte[] extension)
    {
        final int icmpOffset = (icmpError[0] & 0x0F) << 2;
        final int quoteOffset = icmpOffset + IcmpMessage.EMBEDDED_OFFSET;
        if (icmpError.length - quoteOffset > 128)
        {
            throw new IllegalArgumentException("quote longer than the 128 bytes RFC 4884 pads to");
        }
        final byte[] result = new byte[quoteOffset + 128 + extension.length];
        System.arraycopy(icmpError, 0, result, 0, icmpError.length);
        System.arraycopy(extension, 0, result, quoteOffset + 128, extension.length);
        result[icmpOffset + 5] = (byte)(128 / 4);
        final UnsafeBuffer buffer = new UnsafeBuffer(result);
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        header.totalLength(result.length);
        header.updateHeaderChecksum();
        ((IcmpMessage)new IcmpMessage().wrap(buffer, icmpOffset)).updateChecksum(result.length - icmpOffset);
        return result;
    }

    /**
     * @return a copy of the packet with IP options inserted after the fixed header (IHL, total length
     * and header checksum updated; the transport checksum does not cover IP options).
     */
    public static byte[] withIpOptions(final byte[] packet, final byte[] options)
    {
        if (options.length % 4 != 0)
        {
            throw new IllegalArgumentException("options must fill whole 32-bit words: " + options.length);
        }
        final int headerLength = (packet[0] & 0x0F) << 2;
        final byte[] result = new byte[packet.length + options.length];
        System.arraycopy(packet, 0, result, 0, headerLength);
        System.arraycopy(options, 0, result, headerLength, options.length);
        System.arraycopy(packet, headerLength, result, headerLength + options.length, packet.length - headerLength);
        result[0] = (byte)(0x40 | ((headerLength + options.length) >> 2));
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(result), 0);
        header.totalLength(result.length);
        header.updateHeaderChecksum();
        return result;
    }

    /**
     * @return a copy of the packet with {@code count} bytes after its transport data, counted in the IP
     * total length but not in the UDP length (the receiver trims them, as RFC 768 hosts do).
     */
    public static byte[] withTrailingBytes(final byte[] packet, final int count)
    {
        final byte[] result = new byte[packet.length + count];
        System.arraycopy(packet, 0, result, 0, packet.length);
        for (int i = packet.length; i < result.length; i++)
        {
            result[i] = (byte)0xEE;
        }
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(result), 0);
        header.totalLength(result.length);
        header.updateHeaderChecksum();
        return result;
    }

    /**
     * @return a copy of an unfragmented packet from another source address, with its IP header and
     * transport checksums recomputed from scratch.
     */
    public static byte[] withSourceAddress(final byte[] packet, final int source)
    {
        final byte[] result = packet.clone();
        new UnsafeBuffer(result).putInt(12, source, ByteOrder.BIG_ENDIAN);
        InternetChecksum.fill(result, 0);
        return result;
    }

    /**
     * @return a copy of the packet claiming another IP protocol, its header checksum updated.
     */
    public static byte[] withProtocol(final byte[] packet, final int protocol)
    {
        final byte[] result = withByte(packet, 9, protocol);
        ((Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(result), 0)).updateHeaderChecksum();
        return result;
    }

    /**
     * @return a copy of the packet with one byte replaced (checksums left as they were).
     */
    public static byte[] withByte(final byte[] packet, final int offset, final int value)
    {
        final byte[] result = packet.clone();
        result[offset] = (byte)value;
        return result;
    }

    /**
     * @return a copy of the packet with a 16-bit field replaced (checksums left as they were).
     */
    public static byte[] withShort(final byte[] packet, final int offset, final int value)
    {
        final byte[] result = packet.clone();
        new UnsafeBuffer(result).putShort(offset, (short)value, ByteOrder.BIG_ENDIAN);
        return result;
    }

    /**
     * @return the first {@code length} bytes of the packet with the IP total length saying so and
     * a correct header checksum: a packet whose transport part is cut short.
     */
    public static byte[] truncated(final byte[] packet, final int length)
    {
        final byte[] result = new byte[length];
        System.arraycopy(packet, 0, result, 0, length);
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(result), 0);
        header.totalLength(length);
        header.updateHeaderChecksum();
        return result;
    }
}
