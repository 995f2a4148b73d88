package io.natgate.control.config;

import io.natgate.datapath.nat.Ipv4;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address and a port, {@code 203.0.113.1:8080}; the address is an int as in {@link Ipv4}.
 */
public record Ipv4Endpoint(int address, int port)
{
    /**
     * @param minPort the lowest port accepted: 1 for a service, 0 where "any free port" makes sense.
     * @throws IllegalArgumentException saying what an endpoint looks like.
     */
    public static Ipv4Endpoint parse(final String text, final int minPort)
    {
        final int colon = text.lastIndexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("expected address:port, e.g. 203.0.113.1:8080");
        }
        final int address = Ipv4.parse(text.substring(0, colon));
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("port must be a number " + minPort + "..65535", ex);
        }
        if (port < minPort || port > 65535)
        {
            throw new IllegalArgumentException("port must be " + minPort + "..65535");
        }
        return new Ipv4Endpoint(address, port);
    }

    public InetSocketAddress toSocketAddress()
    {
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address}), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public String toString()
    {
        return Ipv4.toString(address) + ":" + port;
    }
}
