package io.natgate.datapath.frame;

/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4.
 */
public final class ArpPacket extends Flyweight
{
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /**
     * @return true when this is Ethernet/IPv4 ARP with the standard address lengths.
     */
    public boolean isEthernetIpv4()
    {
        return u16(0) == 1 && u16(2) == EthernetFrame.ETHERTYPE_IPV4 && u8(4) == 6 && u8(5) == 4;
    }

    public int operation()
    {
        return u16(6);
    }

    public long senderMac()
    {
        return ((long)u16(8) << 32) | (i32(10) & 0xFFFF_FFFFL);
    }

    public int senderAddress()
    {
        return i32(14);
    }

    public long targetMac()
    {
        return ((long)u16(18) << 32) | (i32(20) & 0xFFFF_FFFFL);
    }

    public int targetAddress()
    {
        return i32(24);
    }

    /**
     * Writes a whole Ethernet/IPv4 ARP packet.
     */
    public void write(
        final int operation, final long senderMac, final int senderAddress, final long targetMac, final int targetAddress)
    {
        u16(0, 1);
        u16(2, EthernetFrame.ETHERTYPE_IPV4);
        u8(4, 6);
        u8(5, 4);
        u16(6, operation);
        u16(8, (int)(senderMac >>> 32));
        i32(10, (int)senderMac);
        i32(14, senderAddress);
        u16(18, (int)(targetMac >>> 32));
        i32(20, (int)targetMac);
        i32(24, targetAddress);
    }
}
