package io.natgate.datapath.nat;

/**
 * IPv4 addresses as ints (network order in the int's bits: 10.0.0.1 is 0x0A000001).
 */
public final class Ipv4
{
    private Ipv4()
    {
    }

    /**
     * Parses a dotted quad.
     *
     * @throws IllegalArgumentException when it is not one.
     */
    public static int parse(final String dotted)
    {
        final String[] parts = dotted.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }
        int address = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'", ex);
            }
            if (part.isEmpty() || octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    public static String toString(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * @return the network mask of a prefix length (0..32).
     */
    public static int mask(final int prefixLength)
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public static boolean inPrefix(final int address, final int network, final int prefixLength)
    {
        final int mask = mask(prefixLength);
        return (address & mask) == (network & mask);
    }
}
