package io.natgate.datapath.frame;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Base of the header flyweights: a view of a header at an offset in a buffer, re-pointed
 * with {@link #wrap} and never copied. All multi-byte fields are in network byte order.
 */
public abstract class Flyweight
{
    protected static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    protected MutableDirectBuffer buffer;
    protected int offset;

    /**
     * Points this flyweight at a header.
     *
     * @return this, for chaining.
     */
    public Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    protected final int u8(final int fieldOffset)
    {
        return buffer.getByte(offset + fieldOffset) & 0xFF;
    }

    protected final int u16(final int fieldOffset)
    {
        return buffer.getShort(offset + fieldOffset, NETWORK) & 0xFFFF;
    }

    protected final int i32(final int fieldOffset)
    {
        return buffer.getInt(offset + fieldOffset, NETWORK);
    }

    protected final void u8(final int fieldOffset, final int value)
    {
        buffer.putByte(offset + fieldOffset, (byte)value);
    }

    protected final void u16(final int fieldOffset, final int value)
    {
        buffer.putShort(offset + fieldOffset, (short)value, NETWORK);
    }

    protected final void i32(final int fieldOffset, final int value)
    {
        buffer.putInt(offset + fieldOffset, value, NETWORK);
    }
}
