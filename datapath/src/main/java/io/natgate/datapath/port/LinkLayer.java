package io.natgate.datapath.port;

/**
 * What a port's frames start with.
 */
public enum LinkLayer
{
    /** Ethernet II frames (pcap, AF_PACKET, in-memory): the gateway does ARP itself. */
    ETHERNET,
    /** Raw IPv4 packets with no link header (WinDivert, TUN). */
    RAW_IP
}
