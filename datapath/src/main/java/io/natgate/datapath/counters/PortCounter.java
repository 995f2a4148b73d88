package io.natgate.datapath.counters;

import io.natgate.datapath.IdLabel;

/**
 * The per-port traffic counters beside the drop reasons. Ids are stable.
 */
public enum PortCounter implements IdLabel
{
    RX_FRAMES(0, "frames received"),
    RX_BYTES(1, "bytes received"),
    TX_FRAMES(2, "frames transmitted"),
    TX_BYTES(3, "bytes transmitted"),
    TRANSLATED_OUT(4, "packets translated inside to outside"),
    TRANSLATED_IN(5, "packets translated outside to inside"),
    HAIRPINNED(6, "packets hairpinned"),
    ARP_REPLIES_SENT(7, "ARP replies sent"),
    ARP_REQUESTS_SENT(8, "ARP requests sent"),
    ICMP_ERRORS_SENT(9, "ICMP errors generated"),
    ICMP_ECHO_REPLIES_SENT(10, "echo replies to our own address"),
    PASSED_THROUGH(11, "frames passed unchanged (e.g. IPv6 by configuration)"),
    NEIGHBOUR_MAC_ADOPTED(12, "neighbours whose new MAC was taken after confirmation (the known MAC stayed silent)");

    private final int id;
    private final String label;

    PortCounter(final int id, final String label)
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
}
