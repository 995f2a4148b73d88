package io.natgate.control.config;

import io.natgate.datapath.nat.Ipv4;

/**
 * An IPv4 address with a prefix length, {@code 10.0.0.1/24}; the address is an int as in
 * {@link Ipv4}. As a port's address it keeps its host bits (the gateway's own address); as a
 * network ({@link #parseNetwork}) it must have none.
 */
public record Ipv4Prefix(int address, int prefixLength)
{
    public static final Ipv4Prefix ANY = new Ipv4Prefix(0, 0);

    /**
     * @throws IllegalArgumentException saying what a prefix looks like.
     */
    public static Ipv4Prefix parse(final String text)
    {
        final int slash = text.indexOf('/');
        if (slash < 0)
        {
            throw new IllegalArgumentException("expected address/prefix-length, e.g. 10.0.0.1/24");
        }
        final int address = Ipv4.parse(text.substring(0, slash));
        final int length;
        try
        {
            length = Integer.parseInt(text.substring(slash + 1).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("prefix length must be a number 0..32", ex);
        }
        if (length < 0 || length > 32)
        {
            throw new IllegalArgumentException("prefix length must be 0..32");
        }
        return new Ipv4Prefix(address, length);
    }

    /**
     * Like {@link #parse}, for a network: the address has no bits beyond the prefix.
     */
    public static Ipv4Prefix parseNetwork(final String text)
    {
        final Ipv4Prefix prefix = parse(text);
        if (prefix.network() != prefix.address)
        {
            throw new IllegalArgumentException("host bits set beyond the prefix; the network is " +
                new Ipv4Prefix(prefix.network(), prefix.prefixLength));
        }
        return prefix;
    }

    /**
     * @return the address with the bits beyond the prefix cleared.
     */
    public int network()
    {
        return address & Ipv4.mask(prefixLength);
    }

    public boolean contains(final int otherAddress)
    {
        return Ipv4.inPrefix(otherAddress, address, prefixLength);
    }

    /**
     * @return whether the two prefixes share any address.
     */
    public boolean overlaps(final Ipv4Prefix other)
    {
        return Ipv4.inPrefix(address, other.address, Math.min(prefixLength, other.prefixLength));
    }

    @Override
    public String toString()
    {
        return Ipv4.toString(address) + "/" + prefixLength;
    }
}
