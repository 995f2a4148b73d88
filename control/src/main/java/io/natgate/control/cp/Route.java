package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;

/**
 * A prefix routed to a provider instance, and the remote transport id the platform made for it.
 */
record Route(Ipv4Prefix prefix, TransportId transportId)
{
    static final Route[] NONE = new Route[0];

    static Route of(final Ipv4Prefix prefix)
    {
        final Ipv4Prefix network = new Ipv4Prefix(prefix.network(), prefix.prefixLength());
        return new Route(network, TransportId.ipv4(network.address(), network.prefixLength()));
    }

    /**
     * @return the route of the longest prefix holding the address, or null.
     */
    static Route lookup(final Route[] routes, final int address)
    {
        Route best = null;
        for (final Route route : routes)
        {
            if (route.prefix.contains(address) && (best == null || route.prefix.prefixLength() > best.prefix.prefixLength()))
            {
                best = route;
            }
        }
        return best;
    }

    static Route withTransportId(final Route[] routes, final TransportId transportId)
    {
        for (final Route route : routes)
        {
            if (route.transportId.equals(transportId))
            {
                return route;
            }
        }
        return null;
    }
}
