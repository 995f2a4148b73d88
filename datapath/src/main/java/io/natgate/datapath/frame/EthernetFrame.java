package io.natgate.datapath.frame;

/**
 * Ethernet II header with at most one 802.1Q tag. MAC addresses are carried as the low
 * 48 bits of a long.
 */
public final class EthernetFrame extends Flyweight
{
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    public long destinationMac()
    {
        return mac(0);
    }

    public long sourceMac()
    {
        return mac(6);
    }

    public void destinationMac(final long mac)
    {
        mac(0, mac);
    }

    public void sourceMac(final long mac)
    {
        mac(6, mac);
    }

    /**
     * @return true when an 802.1Q tag follows the source MAC.
     */
    public boolean isVlanTagged()
    {
        return u16(12) == ETHERTYPE_VLAN;
    }

    /**
     * @return the VLAN id (12 bits) of a tagged frame, -1 when untagged.
     */
    public int vlanId()
    {
        return isVlanTagged() ? u16(14) & 0x0FFF : -1;
    }

    /**
     * @return the ethertype of the payload, after the tag if any.
     */
    public int etherType()
    {
        return isVlanTagged() ? u16(16) : u16(12);
    }

    public void etherType(final int etherType)
    {
        u16(isVlanTagged() ? 16 : 12, etherType);
    }

    /**
     * @return the length of the Ethernet header including any tag.
     */
    public int headerLength()
    {
        return isVlanTagged() ? HEADER_LENGTH + VLAN_TAG_LENGTH : HEADER_LENGTH;
    }

    private long mac(final int fieldOffset)
    {
        return ((long)u16(fieldOffset) << 32) | (i32(fieldOffset + 2) & 0xFFFF_FFFFL);
    }

    private void mac(final int fieldOffset, final long mac)
    {
        u16(fieldOffset, (int)(mac >>> 32));
        i32(fieldOffset + 2, (int)mac);
    }

    /**
     * Writes an Ethernet II header, tagged with {@code vlan} when it is not 0 ({@link #VLAN_TAG_LENGTH} bytes
     * longer), priority 0.
     */
    public void writeHeader(final long destinationMac, final long sourceMac, final int vlan, final int etherType)
    {
        if (vlan == 0)
        {
            writeHeader(destinationMac, sourceMac, etherType);
            return;
        }
        destinationMac(destinationMac);
        sourceMac(sourceMac);
        u16(12, ETHERTYPE_VLAN);
        u16(14, vlan & 0x0FFF);
        u16(16, etherType);
    }

    /**
     * Writes an untagged Ethernet II header.
     */
    public void writeHeader(final long destinationMac, final long sourceMac, final int etherType)
    {
        destinationMac(destinationMac);
        sourceMac(sourceMac);
        u16(12, etherType);
    }
}
