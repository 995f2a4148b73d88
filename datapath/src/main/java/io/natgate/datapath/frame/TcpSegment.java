package io.natgate.datapath.frame;

/**
 * TCP header (RFC 9293).
 */
public final class TcpSegment extends TransportHeader
{
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public long sequenceNumber()
    {
        return i32(4) & 0xFFFF_FFFFL;
    }

    public long acknowledgementNumber()
    {
        return i32(8) & 0xFFFF_FFFFL;
    }

    public int headerLength()
    {
        return (u8(12) >>> 4) << 2;
    }

    public int flags()
    {
        return u8(13);
    }

    public int checksumFieldOffset()
    {
        return CHECKSUM_OFFSET;
    }

    /**
     * Writes a 20-byte header with no options; the checksum is left zero.
     */
    public void writeHeader(
        final int sourcePort, final int destinationPort, final long sequence, final long acknowledgement,
        final int flags, final int window)
    {
        u16(0, sourcePort);
        u16(2, destinationPort);
        i32(4, (int)sequence);
        i32(8, (int)acknowledgement);
        u8(12, 5 << 4);
        u8(13, flags);
        u16(14, window);
        u16(16, 0);
        u16(18, 0);
    }
}
