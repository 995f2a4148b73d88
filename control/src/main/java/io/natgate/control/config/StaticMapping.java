package io.natgate.control.config;

import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatCommands;

/**
 * A port forward from the config file: traffic to the public endpoint goes to the inside one.
 *
 * @param protocol {@link Ipv4Protocols#TCP} or {@link Ipv4Protocols#UDP}.
 */
public record StaticMapping(int protocol, Ipv4Endpoint publicEndpoint, Ipv4Endpoint insideEndpoint)
{
    /**
     * Sends this mapping to the NAT engine (directly, or through the command ring's encoder).
     */
    public void addTo(final NatCommands commands, final long correlationId)
    {
        commands.addStaticMapping(correlationId, protocol, insideEndpoint.address(), insideEndpoint.port(),
            publicEndpoint.address(), publicEndpoint.port());
    }

    @Override
    public String toString()
    {
        return Ipv4Protocols.name(protocol) + " " + publicEndpoint + " -> " + insideEndpoint;
    }
}
