package io.natgate.datapath.frame;

/**
 * The first 8 bytes TCP and UDP share in shape: ports, then (for UDP) length and
 * checksum. ICMP query messages are read through {@link IcmpMessage}.
 */
public abstract class TransportHeader extends Flyweight
{
    public int sourcePort()
    {
        return u16(0);
    }

    public void sourcePort(final int port)
    {
        u16(0, port);
    }

    public int destinationPort()
    {
        return u16(2);
    }

    public void destinationPort(final int port)
    {
        u16(2, port);
    }

    /**
     * @return the offset of the checksum field from the header start.
     */
    public abstract int checksumFieldOffset();

    public int checksum()
    {
        return u16(checksumFieldOffset());
    }

    public void checksum(final int checksum)
    {
        u16(checksumFieldOffset(), checksum);
    }
}
