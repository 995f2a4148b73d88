package io.natgate.datapath.frame;

/**
 * UDP header (RFC 768). A checksum of 0 means the sender computed none.
 */
public final class UdpDatagram extends TransportHeader
{
    public static final int HEADER_LENGTH = 8;
    public static final int CHECKSUM_OFFSET = 6;

    public int length()
    {
        return u16(4);
    }

    public int checksumFieldOffset()
    {
        return CHECKSUM_OFFSET;
    }

    /**
     * Writes the header; the checksum is left zero.
     */
    public void writeHeader(final int sourcePort, final int destinationPort, final int length)
    {
        u16(0, sourcePort);
        u16(2, destinationPort);
        u16(4, length);
        u16(6, 0);
    }
}
