package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;

/**
 * One session as the admin endpoint lists it, copied off the worker's table.
 *
 * @param expiresInMs time left before it times out if nothing refreshes it.
 */
public record SessionView(
    int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
    int remotePort, MappingKind kind, SessionState state, long expiresInMs)
{
    public String toJson()
    {
        return "{\"protocol\":\"" + Ipv4Protocols.name(protocol) + "\",\"inside\":\"" + endpoint(insideAddress, insidePort) +
            "\",\"public\":\"" + endpoint(publicAddress, publicPort) + "\",\"remote\":\"" +
            endpoint(remoteAddress, remotePort) + "\",\"kind\":\"" + kind.name().toLowerCase() +
            "\",\"state\":\"" + state.label() + "\",\"expiresInMs\":" + expiresInMs + "}";
    }

    static String endpoint(final int address, final int port)
    {
        return Ipv4.toString(address) + ":" + port;
    }
}
