package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.Ipv4Packet;
import org.agrona.MutableDirectBuffer;

/**
 * Checks an IPv4 header against the bytes received: version, header length, total length,
 * header checksum. A failure is a counted drop on the ingress port.
 */
final class Ipv4Input
{
    private final DatapathCounters counters;
    private final Ipv4Packet ip = new Ipv4Packet();

    Ipv4Input(final DatapathCounters counters)
    {
        this.counters = counters;
    }

    /**
     * @return the packet's total length, or -1 after counting the drop.
     */
    int validate(final MutableDirectBuffer buffer, final int ipOffset, final int available, final int ingressPort)
    {
        if (available < Ipv4Packet.MIN_HEADER_LENGTH)
        {
            counters.drop(ingressPort, DropReason.TRUNCATED_FRAME);
            return -1;
        }
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        if (ip.version() != 4)
        {
            counters.drop(ingressPort, DropReason.BAD_IP_VERSION);
            return -1;
        }
        final int headerLength = ip.headerLength();
        if (headerLength < Ipv4Packet.MIN_HEADER_LENGTH || headerLength > available)
        {
            counters.drop(ingressPort, DropReason.BAD_IP_HEADER_LENGTH);
            return -1;
        }
        final int totalLength = ip.totalLength();
        if (totalLength < headerLength || totalLength > available)
        {
            counters.drop(ingressPort, DropReason.BAD_IP_TOTAL_LENGTH);
            return -1;
        }
        if (!ip.isHeaderChecksumValid())
        {
            counters.drop(ingressPort, DropReason.BAD_IP_CHECKSUM);
            return -1;
        }
        return totalLength;
    }
}
