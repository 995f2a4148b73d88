package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;

/**
 * One session as the admin endpoint lists it, copied off the worker's table.
 *
 * @param expiresInMs time left before it times out if nothing refreshes it.
 * @param ageMs       time since it was created (or put back by a warm restart).
 * @param packetsOut  packets translated inside to outside (modulo 2^32), and {@code bytesOut} their bytes;
 *                    {@code packetsIn} and {@code bytesIn} the other way.
 */
public record SessionView(
    int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
    int remotePort, MappingKind kind, SessionState state, long expiresInMs, long ageMs, long packetsOut,
    long bytesOut, long packetsIn, long bytesIn)
{
    public String toJson()
    {
        return "{\"protocol\":\"" + Ipv4Protocols.name(protocol) + "\",\"inside\":\"" + endpoint(insideAddress, insidePort) +
            "\",\"public\":\"" + endpoint(publicAddress, publicPort) + "\",\"remote\":\"" +
            endpoint(remoteAddress, remotePort) + "\",\"kind\":\"" + kind.name().toLowerCase() +
            "\",\"state\":\"" + state.label() + "\",\"expiresInMs\":" + expiresInMs + ",\"ageMs\":" + ageMs +
            ",\"packetsOut\":" + packetsOut + ",\"bytesOut\":" + bytesOut + ",\"packetsIn\":" + packetsIn +
            ",\"bytesIn\":" + bytesIn + "}";
    }

    static String endpoint(final int address, final int port)
    {
        return Ipv4.toString(address) + ":" + port;
    }
}
