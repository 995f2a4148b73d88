package io.natgate.datapath.counters;

import io.natgate.datapath.IdLabel;

/**
 * Why the datapath dropped a frame. Ids are stable: they index counters and appear in
 * metrics, so new reasons are only ever appended.
 */
public enum DropReason implements IdLabel
{
    TRUNCATED_FRAME(0, "frame shorter than its headers"),
    UNSUPPORTED_ETHERTYPE(1, "ethertype not handled"),
    BAD_IP_VERSION(2, "IP version is not 4"),
    BAD_IP_HEADER_LENGTH(3, "IHL below 5 or beyond the frame"),
    BAD_IP_TOTAL_LENGTH(4, "IP total length inconsistent with the frame"),
    BAD_IP_CHECKSUM(5, "IP header checksum wrong"),
    TRUNCATED_L4_HEADER(6, "transport header truncated"),
    BAD_L4_CHECKSUM(7, "transport checksum wrong"),
    TTL_EXPIRED(8, "TTL reached zero (time-exceeded sent)"),
    FRAGMENTATION_NEEDED(9, "DF set and larger than egress MTU (frag-needed sent)"),
    NO_MAPPING(10, "inbound with no mapping"),
    FILTERED(11, "inbound refused by the filtering behaviour"),
    OUT_OF_PORTS(12, "no free public port"),
    MAX_SESSIONS(13, "session table full"),
    CLIENT_PORT_QUOTA(14, "client over its port quota"),
    CLIENT_SESSION_QUOTA(15, "client over its session quota"),
    IPV6_DROPPED(16, "IPv6 dropped by configuration"),
    NO_ROUTE(17, "no route to destination"),
    ARP_QUEUE_FULL(18, "waiting-for-ARP queue full"),
    ARP_UNRESOLVED(19, "next hop did not answer ARP"),
    TX_RING_FULL(20, "transmit ring full"),
    RX_RING_FULL(21, "receive ring full"),
    FRAGMENT_BUFFER_FULL(22, "out-of-order fragment buffer full"),
    FRAGMENT_TIMEOUT(23, "fragment never matched its first fragment"),
    UNSUPPORTED_PROTOCOL(24, "IP protocol not translated"),
    ICMP_ERROR_NO_MAPPING(25, "ICMP error whose embedded packet matches no mapping"),
    NOT_FOR_US(26, "destination MAC is neither ours nor broadcast"),
    MALFORMED_ARP(27, "ARP packet malformed or not Ethernet/IPv4"),
    MALFORMED_ICMP(28, "ICMP message malformed"),
    TX_PORT_REFUSED(29, "port refused the frame on transmit"),
    FRAME_TOO_LARGE(30, "frame larger than the pipeline slot"),
    MARTIAN_SOURCE(31, "source address not valid on the ingress port"),
    ADMIN_PROHIBITED(32, "no mapping could be created (ICMP 3/13 sent)"),
    LOCAL_UNHANDLED(33, "addressed to the gateway itself but not ARP or ping"),
    FILTERED_BY_POLICY(34, "new flow refused by the firewall's access policy"),
    SOURCE_MAC_MISMATCH(35, "inside source address not bound to the frame's MAC"),
    SOURCE_UNRESOLVED(36, "inside source address the gateway could not resolve by ARP"),
    ARP_UNSOLICITED(37, "ARP reply the gateway did not ask for"),
    ARP_MAC_CHANGED(38, "ARP claiming a new MAC for a known neighbour (confirmation asked)"),
    VLAN_MISMATCH(39, "802.1Q tag other than the port's VLAN"),
    SOURCE_ROUTED(40, "IP source-route option (LSRR/SSRR, RFC 7126)"),
    BAD_IP_OPTIONS(41, "malformed IP options"),
    BAD_TCP_FLAGS(42, "TCP flag combination no stack sends"),
    FRAGMENT_OVERLAP(43, "fragment overlapping one already seen"),
    FRAGMENT_SHARE(44, "fragment buffer share of its side or source used up"),
    REMOTE_SESSION_LIMIT(45, "remote address over its inbound session limit"),
    MAPPING_SESSION_LIMIT(46, "inbound mapping over its session limit"),
    EVENT_RING_FULL(47, "new mapping refused: its journal record could not be queued"),
    OFFLOAD_UNSUPPORTED(48, "offloaded aggregate of a kind natgate does not translate (TCPv6, UFO)"),
    HA_STANDBY(49, "received while an HA standby: the active peer forwards"),
    JOURNAL_UNWRITABLE(50, "new flow refused: the journal cannot record it (disk low or full, or failing)");

    private static final DropReason[] BY_ID = IdLabel.index(values());

    private final int id;
    private final String label;

    DropReason(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    @Override
    public int id()
    {
        return id;
    }

    @Override
    public String label()
    {
        return label;
    }

    /**
     * @return the reason with this id.
     * @throws IllegalArgumentException for an unknown id.
     */
    public static DropReason get(final int id)
    {
        return IdLabel.get(BY_ID, id, "drop reason id");
    }

    public static int count()
    {
        return BY_ID.length;
    }
}
