package io.natgate.datapath.frame;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Internet checksum (RFC 1071) over buffers, and its incremental update (RFC 1624, eqn. 3)
 * through precomputed one's-complement deltas, so a rewrite never re-reads the payload.
 * <p>
 * A delta is a folded 16-bit one's-complement sum; the delta of the reverse rewrite is
 * {@link #negate(int)} of the forward one.
 */
public final class Checksums
{
    private Checksums()
    {
    }

    /**
     * Folds a 64-bit accumulator of 16-bit words into 16 bits (end-around carry).
     */
    public static int fold(final long sum)
    {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    /**
     * Adds the big-endian 16-bit words of a region to an accumulator; an odd trailing
     * byte is padded with zero as RFC 1071 says.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        long sum = initial;
        int i = offset;
        final int end = offset + length;
        while (end - i >= 4)
        {
            sum += buffer.getInt(i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2)
        {
            sum += buffer.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            sum += (buffer.getByte(i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * The checksum of a region: the one's complement of its folded sum.
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return ~fold(sum(buffer, offset, length, 0)) & 0xFFFF;
    }

    /**
     * Sum of the TCP/UDP pseudo-header (RFC 793 / 768) for IPv4.
     */
    public static long pseudoHeaderSum(final int srcAddress, final int dstAddress, final int protocol, final int l4Length)
    {
        return (srcAddress >>> 16) + (srcAddress & 0xFFFF) + (dstAddress >>> 16) + (dstAddress & 0xFFFF) +
            protocol + l4Length;
    }

    /**
     * Checksum of a TCP segment or UDP datagram including the pseudo-header; the
     * checksum field itself must be zero or is summed as it stands.
     */
    public static int l4Checksum(
        final DirectBuffer buffer, final int l4Offset, final int l4Length, final int src, final int dst, final int protocol)
    {
        return ~fold(sum(buffer, l4Offset, l4Length, pseudoHeaderSum(src, dst, protocol, l4Length))) & 0xFFFF;
    }

    /**
     * Delta for replacing a 16-bit field {@code oldValue} by {@code newValue}.
     */
    public static int delta16(final int oldValue, final int newValue)
    {
        return fold((~oldValue & 0xFFFF) + (newValue & 0xFFFF));
    }

    /**
     * Delta for replacing a 32-bit field (an IPv4 address) {@code oldValue} by {@code newValue}.
     */
    public static int delta32(final int oldValue, final int newValue)
    {
        final int notOld = ~oldValue;
        return fold((notOld >>> 16) + (notOld & 0xFFFF) + (newValue >>> 16) + (newValue & 0xFFFF));
    }

    /**
     * Combines two deltas into one.
     */
    public static int add(final int deltaA, final int deltaB)
    {
        return fold((long)deltaA + deltaB);
    }

    /**
     * The delta that undoes {@code delta}.
     */
    public static int negate(final int delta)
    {
        return ~delta & 0xFFFF;
    }

    /**
     * Applies a delta to a checksum field value: HC' = ~(~HC + delta) (RFC 1624 eqn. 3).
     */
    public static int apply(final int checksum, final int delta)
    {
        return ~fold((~checksum & 0xFFFF) + (long)delta) & 0xFFFF;
    }

    /**
     * Applies a delta to a UDP checksum, where 0 means "no checksum" and stays 0, and a
     * computed 0 is sent as 0xFFFF (RFC 768).
     */
    public static int applyUdp(final int checksum, final int delta)
    {
        if (checksum == 0)
        {
            return 0;
        }
        final int result = apply(checksum, delta);
        return result == 0 ? 0xFFFF : result;
    }
}
