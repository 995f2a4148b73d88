package io.natgate.control.cp;

import java.util.Arrays;

/**
 * A transport id: an opaque byte string made only by the Connectivity Platform, naming an address
 * (or a network) data is exchanged with over a provider instance. Immutable; providers compare ids
 * with {@link #equals} or {@link #contentEquals} byte for byte, and copy the bytes with
 * {@link #toByteArray} when they keep or ship them.
 */
public final class TransportId
{
    private static final byte IPV4 = 4;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] bytes;
    private final int hash;

    private TransportId(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * The platform's encoding of an IPv4 network: family, the four address bytes, the prefix length.
     * Providers must not depend on it.
     */
    static TransportId ipv4(final int network, final int prefixLength)
    {
        return new TransportId(new byte[] {IPV4, (byte)(network >>> 24), (byte)(network >>> 16),
            (byte)(network >>> 8), (byte)network, (byte)prefixLength});
    }

    /**
     * @return the number of bytes.
     */
    public int length()
    {
        return bytes.length;
    }

    public byte byteAt(final int index)
    {
        return bytes[index];
    }

    /**
     * @return a copy of the bytes.
     */
    public byte[] toByteArray()
    {
        return bytes.clone();
    }

    /**
     * @return whether {@code length} bytes of {@code other} from {@code offset} are this id, byte for
     * byte (e.g. an id received back from a peer).
     */
    public boolean contentEquals(final byte[] other, final int offset, final int length)
    {
        return Arrays.equals(bytes, 0, bytes.length, other, offset, offset + length);
    }

    @Override
    public boolean equals(final Object other)
    {
        return this == other || (other instanceof TransportId id && Arrays.equals(bytes, id.bytes));
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    /**
     * @return the bytes in hex.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            text.append(HEX[(b >>> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return text.toString();
    }
}
