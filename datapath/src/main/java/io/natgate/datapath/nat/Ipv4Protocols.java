package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Ipv4Packet;

/**
 * The IP protocols the NAT translates.
 */
public final class Ipv4Protocols
{
    public static final int ICMP = Ipv4Packet.PROTO_ICMP;
    public static final int TCP = Ipv4Packet.PROTO_TCP;
    public static final int UDP = Ipv4Packet.PROTO_UDP;

    private Ipv4Protocols()
    {
    }

    public static boolean isTranslated(final int protocol)
    {
        return protocol == TCP || protocol == UDP || protocol == ICMP;
    }

    public static String name(final int protocol)
    {
        return switch (protocol)
        {
            case ICMP -> "icmp";
            case TCP -> "tcp";
            case UDP -> "udp";
            default -> Integer.toString(protocol);
        };
    }
}
