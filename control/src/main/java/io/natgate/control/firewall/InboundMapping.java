package io.natgate.control.firewall;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

/**
 * An inbound mapping a session opened for its client (the public endpoint inbound primary connections
 * reach the client through), as the NAT engine granted it.
 *
 * @param remoteAddress only this remote may connect through it; 0 for any.
 * @param lifetimeNs    how long the NAT keeps it; {@link Firewall#UNTIL_CLOSED_NS} until the session closes.
 * @param openedNs      when it was opened, on the datapath clock.
 */
public record InboundMapping(
    int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
    long lifetimeNs, long openedNs)
{
    public Ipv4Endpoint insideEndpoint()
    {
        return new Ipv4Endpoint(insideAddress, insidePort);
    }

    public Ipv4Endpoint publicEndpoint()
    {
        return new Ipv4Endpoint(publicAddress, publicPort);
    }

    public boolean isUntilClosed()
    {
        return lifetimeNs == Firewall.UNTIL_CLOSED_NS;
    }

    long key()
    {
        return CompiledPolicy.mappingKey(protocol, insideAddress, insidePort);
    }

    @Override
    public String toString()
    {
        return Ipv4Protocols.name(protocol) + " " + publicEndpoint() + " -> " + insideEndpoint() +
            (remoteAddress == 0 ? "" : " from " + Ipv4.toString(remoteAddress) + " only");
    }
}
