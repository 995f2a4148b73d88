package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.nat.Ipv4;

/**
 * A network beyond an inside port's router (the config's {@code ports[].routes}): the datapath sends what is
 * translated for it to that port's next hop, and takes sources from it on that port only.
 *
 * @param portIndex    the inside port whose next hop reaches it.
 * @param network      the network's address (host bits zero).
 * @param prefixLength its prefix length, 0..32.
 */
public record InsideRoute(int portIndex, int network, int prefixLength)
{
    public InsideRoute
    {
        if (prefixLength < 0 || prefixLength > 32 || (network & ~Ipv4.mask(prefixLength)) != 0)
        {
            throw new ConfigurationException("ports.routes", Ipv4.toString(network) + "/" + prefixLength,
                "a route is a network address and a prefix length 0..32");
        }
    }

    /**
     * @return whether the address is in the route's network.
     */
    public boolean holds(final int address)
    {
        return Ipv4.inPrefix(address, network, prefixLength);
    }

    @Override
    public String toString()
    {
        return Ipv4.toString(network) + "/" + prefixLength;
    }
}
