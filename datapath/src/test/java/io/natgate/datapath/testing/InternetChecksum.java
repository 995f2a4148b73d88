package io.natgate.datapath.testing;

/**
 * The Internet checksum (RFC 1071) written out the plain way, byte by byte, as the tests' oracle:
 * it shares no code with {@link io.natgate.datapath.frame.Checksums}, the code under test, and is
 * checked against published vectors in {@code InternetChecksumTest}.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * @return the 16-bit one's complement sum (not complemented) of {@code length} bytes, big-endian
     * pairs, an odd last byte padded with zero, added to {@code initial}.
     */
    public static long sum(final byte[] data, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += ((data[offset + i] & 0xFF) << 8) | (data[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0)
        {
            sum += (data[offset + length - 1] & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * @return {@code sum} folded to 16 bits and complemented: the value a header carries.
     */
    public static int complement(final long sum)
    {
        long folded = sum;
        while ((folded >>> 16) != 0)
        {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)(~folded & 0xFFFF);
    }

    /**
     * @return the checksum of {@code length} bytes (an IPv4 header with its checksum field zeroed, an ICMP message).
     */
    public static int of(final byte[] data, final int offset, final int length)
    {
        return complement(sum(data, offset, length, 0));
    }

    /**
     * @return the sum of the IPv4 pseudo-header (RFC 793, RFC 768) for a TCP or UDP checksum.
     */
    public static long pseudoHeader(final int source, final int destination, final int protocol, final int length)
    {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
    }

    /**
     * @return true when an IPv4 header of {@code headerLength} bytes at {@code offset} sums to 0xFFFF with its checksum.
     */
    public static boolean ipv4HeaderValid(final byte[] data, final int offset, final int headerLength)
    {
        return complement(sum(data, offset, headerLength, 0)) == 0;
    }

    /**
     * @return true when the transport checksum (TCP, UDP, ICMP) of the unfragmented IPv4 packet at
     * {@code offset} verifies; a UDP checksum of zero means none was sent.
     */
    public static boolean transportValid(final byte[] packet, final int offset)
    {
        final int headerLength = (packet[offset] & 0x0F) << 2;
        final int totalLength = ((packet[offset + 2] & 0xFF) << 8) | (packet[offset + 3] & 0xFF);
        final int protocol = packet[offset + 9] & 0xFF;
        final int l4 = offset + headerLength;
        final int l4Length = totalLength - headerLength;
        if (protocol == 1)
        {
            return complement(sum(packet, l4, l4Length, 0)) == 0;
        }
        int covered = l4Length;
        if (protocol == 17)
        {
            if (packet[l4 + 6] == 0 && packet[l4 + 7] == 0)
            {
                return true;
            }
            covered = ((packet[l4 + 4] & 0xFF) << 8) | (packet[l4 + 5] & 0xFF); // the UDP length, not the IP one
            if (covered < 8 || covered > l4Length)
            {
                return false;
            }
        }
        final long pseudo = pseudoHeader(address(packet, offset + 12), address(packet, offset + 16), protocol, covered);
        return complement(sum(packet, l4, covered, pseudo)) == 0;
    }

    /**
     * Writes a correct IPv4 header checksum and, for an unfragmented TCP, UDP or ICMP packet whose
     * header fits, a correct transport checksum (UDP's zero written as 0xFFFF).
     */
    public static void fill(final byte[] packet, final int offset)
    {
        final int headerLength = (packet[offset] & 0x0F) << 2;
        final int totalLength = ((packet[offset + 2] & 0xFF) << 8) | (packet[offset + 3] & 0xFF);
        packet[offset + 10] = 0;
        packet[offset + 11] = 0;
        put16(packet, offset + 10, of(packet, offset, headerLength));
        final boolean fragment = (((packet[offset + 6] & 0x3F) << 8) | (packet[offset + 7] & 0xFF)) != 0;
        if (fragment)
        {
            return;
        }
        final int protocol = packet[offset + 9] & 0xFF;
        final int l4 = offset + headerLength;
        int l4Length = totalLength - headerLength;
        final int checksumAt = switch (protocol)
        {
            case 1 -> l4 + 2;
            case 6 -> l4 + 16;
            case 17 -> l4 + 6;
            default -> -1;
        };
        if (checksumAt < 0 || checksumAt + 2 > offset + totalLength)
        {
            return;
        }
        if (protocol == 17)
        {
            final int udpLength = ((packet[l4 + 4] & 0xFF) << 8) | (packet[l4 + 5] & 0xFF);
            l4Length = udpLength >= 8 && udpLength <= l4Length ? udpLength : l4Length;
        }
        packet[checksumAt] = 0;
        packet[checksumAt + 1] = 0;
        final long initial = protocol == 1 ? 0 : pseudoHeader(
            address(packet, offset + 12), address(packet, offset + 16), protocol, l4Length);
        final int checksum = complement(sum(packet, l4, l4Length, initial));
        put16(packet, checksumAt, protocol == 17 && checksum == 0 ? 0xFFFF : checksum);
    }

    private static int address(final byte[] data, final int offset)
    {
        return ((data[offset] & 0xFF) << 24) | ((data[offset + 1] & 0xFF) << 16) |
            ((data[offset + 2] & 0xFF) << 8) | (data[offset + 3] & 0xFF);
    }

    private static void put16(final byte[] data, final int offset, final int value)
    {
        data[offset] = (byte)(value >>> 8);
        data[offset + 1] = (byte)value;
    }
}
