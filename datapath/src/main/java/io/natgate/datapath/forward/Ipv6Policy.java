package io.natgate.datapath.forward;

/**
 * What the gateway does with IPv6 frames, which NAT44 does not translate.
 */
public enum Ipv6Policy
{
    /** Count and drop them. */
    DROP,
    /** Bridge them unchanged between the inside and the outside Ethernet ports. */
    PASS
}
