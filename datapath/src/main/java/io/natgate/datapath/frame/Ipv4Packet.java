package io.natgate.datapath.frame;

/**
 * IPv4 header (RFC 791), options included in {@link #headerLength()}.
 */
public final class Ipv4Packet extends Flyweight
{
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public int version()
    {
        return u8(0) >>> 4;
    }

    public int headerLength()
    {
        return (u8(0) & 0x0F) << 2;
    }

    public int totalLength()
    {
        return u16(2);
    }

    public void totalLength(final int totalLength)
    {
        u16(2, totalLength);
    }

    public int identification()
    {
        return u16(4);
    }

    public int flagsAndFragmentOffset()
    {
        return u16(6);
    }

    public void flagsAndFragmentOffset(final int value)
    {
        u16(6, value);
    }

    public boolean dontFragment()
    {
        return (u16(6) & FLAG_DF) != 0;
    }

    public boolean moreFragments()
    {
        return (u16(6) & FLAG_MF) != 0;
    }

    /**
     * @return the fragment offset in bytes.
     */
    public int fragmentOffsetBytes()
    {
        return (u16(6) & FRAGMENT_OFFSET_MASK) << 3;
    }

    /**
     * @return true for any fragment of a fragmented datagram, first one included.
     */
    public boolean isFragment()
    {
        return (u16(6) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl()
    {
        return u8(8);
    }

    public void ttl(final int ttl)
    {
        u8(8, ttl);
    }

    public int protocol()
    {
        return u8(9);
    }

    public int headerChecksum()
    {
        return u16(10);
    }

    public void headerChecksum(final int checksum)
    {
        u16(10, checksum);
    }

    public int sourceAddress()
    {
        return i32(12);
    }

    public void sourceAddress(final int address)
    {
        i32(12, address);
    }

    public int destinationAddress()
    {
        return i32(16);
    }

    public void destinationAddress(final int address)
    {
        i32(16, address);
    }

    /**
     * Recomputes the header checksum from scratch.
     */
    public void updateHeaderChecksum()
    {
        u16(10, 0);
        u16(10, Checksums.checksum(buffer, offset, headerLength()));
    }

    /**
     * @return true when the header checksum verifies.
     */
    public boolean isHeaderChecksumValid()
    {
        return Checksums.fold(Checksums.sum(buffer, offset, headerLength(), 0)) == 0xFFFF;
    }

    /**
     * Decrements the TTL, adjusting the checksum incrementally.
     */
    public void decrementTtl()
    {
        final int oldWord = u16(8);
        final int newWord = oldWord - 0x0100;
        u16(8, newWord);
        u16(10, Checksums.apply(u16(10), Checksums.delta16(oldWord, newWord)));
    }

    /**
     * Writes a 20-byte header with no options and a correct checksum.
     */
    public void writeHeader(
        final int tos, final int totalLength, final int identification, final int flagsAndOffset, final int ttl,
        final int protocol, final int source, final int destination)
    {
        u8(0, 0x45);
        u8(1, tos);
        u16(2, totalLength);
        u16(4, identification);
        u16(6, flagsAndOffset);
        u8(8, ttl);
        u8(9, protocol);
        i32(12, source);
        i32(16, destination);
        updateHeaderChecksum();
    }
}
