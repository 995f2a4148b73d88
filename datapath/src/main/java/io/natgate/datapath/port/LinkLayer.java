package io.natgate.datapath.port;

import io.natgate.datapath.frame.EthernetFrame;

/**
 * What a port's frames start with.
 */
public enum LinkLayer
{
    /** Ethernet II frames (pcap, AF_PACKET, in-memory): the gateway does ARP itself. */
    ETHERNET,
    /** Raw IPv4 packets with no link header (WinDivert, TUN). */
    RAW_IP;

    /**
     * @return the longest frame a port of this link layer carries for an IP MTU: the MTU plus an
     * Ethernet header with one VLAN tag, or the MTU alone for raw IP.
     */
    public int maxFrameLength(final int mtu)
    {
        return this == ETHERNET ? mtu + EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH : mtu;
    }
}
