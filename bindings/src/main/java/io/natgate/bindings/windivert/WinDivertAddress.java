package io.natgate.bindings.windivert;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * A flyweight over one {@code WINDIVERT_ADDRESS} (80 bytes, little-endian) in a segment, usually
 * one slot of a batch's address array. Re-pointed with {@link #wrap}; reads and writes the
 * timestamp, the bit fields and the NETWORK-layer interface indexes in place.
 */
public final class WinDivertAddress
{
    public static final int SIZE = (int)WinDivert.WINDIVERT_ADDRESS.byteSize();

    static final long TIMESTAMP_OFFSET = WinDivert.WINDIVERT_ADDRESS.byteOffset(groupElement("Timestamp"));
    static final long BITS_OFFSET = WinDivert.WINDIVERT_ADDRESS.byteOffset(groupElement("Bits"));
    static final long IF_IDX_OFFSET = WinDivert.WINDIVERT_ADDRESS.byteOffset(
        groupElement("Data"), groupElement("Network"), groupElement("IfIdx"));
    static final long SUB_IF_IDX_OFFSET = WinDivert.WINDIVERT_ADDRESS.byteOffset(
        groupElement("Data"), groupElement("Network"), groupElement("SubIfIdx"));

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int LAYER_SHIFT = 0;
    private static final int EVENT_SHIFT = 8;
    private static final int SNIFFED_BIT = 16;
    private static final int OUTBOUND_BIT = 17;
    private static final int LOOPBACK_BIT = 18;
    private static final int IMPOSTOR_BIT = 19;
    private static final int IPV6_BIT = 20;
    private static final int IP_CHECKSUM_BIT = 21;
    private static final int TCP_CHECKSUM_BIT = 22;
    private static final int UDP_CHECKSUM_BIT = 23;

    private MemorySegment segment;
    private long offset;

    /**
     * Points at the address at {@code offset} in {@code segment}.
     *
     * @return this.
     */
    public WinDivertAddress wrap(final MemorySegment segment, final long offset)
    {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * Zeroes all 80 bytes.
     *
     * @return this.
     */
    public WinDivertAddress clear()
    {
        segment.asSlice(offset, SIZE).fill((byte)0);
        return this;
    }

    public long timestamp()
    {
        return segment.get(LONG_LE, offset + TIMESTAMP_OFFSET);
    }

    public WinDivertAddress timestamp(final long timestamp)
    {
        segment.set(LONG_LE, offset + TIMESTAMP_OFFSET, timestamp);
        return this;
    }

    public int layer()
    {
        return (bits() >>> LAYER_SHIFT) & 0xFF;
    }

    public WinDivertAddress layer(final int layer)
    {
        return field(LAYER_SHIFT, 0xFF, layer);
    }

    public int event()
    {
        return (bits() >>> EVENT_SHIFT) & 0xFF;
    }

    public WinDivertAddress event(final int event)
    {
        return field(EVENT_SHIFT, 0xFF, event);
    }

    public boolean sniffed()
    {
        return bit(SNIFFED_BIT);
    }

    public WinDivertAddress sniffed(final boolean value)
    {
        return bit(SNIFFED_BIT, value);
    }

    public boolean outbound()
    {
        return bit(OUTBOUND_BIT);
    }

    public WinDivertAddress outbound(final boolean value)
    {
        return bit(OUTBOUND_BIT, value);
    }

    public boolean loopback()
    {
        return bit(LOOPBACK_BIT);
    }

    public WinDivertAddress loopback(final boolean value)
    {
        return bit(LOOPBACK_BIT, value);
    }

    public boolean impostor()
    {
        return bit(IMPOSTOR_BIT);
    }

    public WinDivertAddress impostor(final boolean value)
    {
        return bit(IMPOSTOR_BIT, value);
    }

    public boolean ipv6()
    {
        return bit(IPV6_BIT);
    }

    public WinDivertAddress ipv6(final boolean value)
    {
        return bit(IPV6_BIT, value);
    }

    public boolean ipChecksumValid()
    {
        return bit(IP_CHECKSUM_BIT);
    }

    public WinDivertAddress ipChecksumValid(final boolean value)
    {
        return bit(IP_CHECKSUM_BIT, value);
    }

    public boolean tcpChecksumValid()
    {
        return bit(TCP_CHECKSUM_BIT);
    }

    public WinDivertAddress tcpChecksumValid(final boolean value)
    {
        return bit(TCP_CHECKSUM_BIT, value);
    }

    public boolean udpChecksumValid()
    {
        return bit(UDP_CHECKSUM_BIT);
    }

    public WinDivertAddress udpChecksumValid(final boolean value)
    {
        return bit(UDP_CHECKSUM_BIT, value);
    }

    /**
     * @return the NETWORK-layer interface index (IfIdx).
     */
    public int interfaceIndex()
    {
        return segment.get(INT_LE, offset + IF_IDX_OFFSET);
    }

    public WinDivertAddress interfaceIndex(final int interfaceIndex)
    {
        segment.set(INT_LE, offset + IF_IDX_OFFSET, interfaceIndex);
        return this;
    }

    /**
     * @return the NETWORK-layer sub-interface index (SubIfIdx).
     */
    public int subInterfaceIndex()
    {
        return segment.get(INT_LE, offset + SUB_IF_IDX_OFFSET);
    }

    public WinDivertAddress subInterfaceIndex(final int subInterfaceIndex)
    {
        segment.set(INT_LE, offset + SUB_IF_IDX_OFFSET, subInterfaceIndex);
        return this;
    }

    /**
     * Copies this address's 80 bytes over another slot.
     */
    public void copyTo(final MemorySegment target, final long targetOffset)
    {
        MemorySegment.copy(segment, offset, target, targetOffset, SIZE);
    }

    private int bits()
    {
        return segment.get(INT_LE, offset + BITS_OFFSET);
    }

    private boolean bit(final int bit)
    {
        return ((bits() >>> bit) & 1) != 0;
    }

    private WinDivertAddress bit(final int bit, final boolean value)
    {
        return field(bit, 1, value ? 1 : 0);
    }

    private WinDivertAddress field(final int shift, final int mask, final int value)
    {
        if ((value & ~mask) != 0)
        {
            throw new IllegalArgumentException("value " + value + " does not fit the " + Integer.bitCount(mask) + "-bit field");
        }
        final int bits = (bits() & ~(mask << shift)) | (value << shift);
        segment.set(INT_LE, offset + BITS_OFFSET, bits);
        return this;
    }
}
