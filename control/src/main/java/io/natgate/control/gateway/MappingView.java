package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;

/**
 * One mapping as the admin endpoint lists it.
 *
 * @param expiresInMs for an inbound mapping the time left of its lifetime, else -1.
 */
public record MappingView(
    int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, MappingKind kind,
    int sessions, long expiresInMs)
{
    public String toJson()
    {
        return "{\"protocol\":\"" + Ipv4Protocols.name(protocol) + "\",\"inside\":\"" +
            SessionView.endpoint(insideAddress, insidePort) + "\",\"public\":\"" +
            SessionView.endpoint(publicAddress, publicPort) + "\",\"kind\":\"" + kind.name().toLowerCase() +
            "\",\"sessions\":" + sessions + ",\"expiresInMs\":" + expiresInMs + "}";
    }
}
