package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;

/**
 * IPv6 is not translated: dropped, or bridged unchanged to the first Ethernet port of the other
 * side, as {@link Ipv6Policy} says.
 */
final class Ipv6Passthrough
{
    private final PortSettings[] ports;
    private final DatapathCounters counters;
    private final boolean drop;

    Ipv6Passthrough(final PortSettings[] ports, final DatapathCounters counters, final Ipv6Policy policy)
    {
        this.ports = ports;
        this.counters = counters;
        this.drop = policy == Ipv6Policy.DROP;
    }

    void process(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort,
        final FrameSink sink)
    {
        if (drop)
        {
            counters.drop(ingressPort, DropReason.IPV6_DROPPED);
            return;
        }
        final PortRole otherSide = ports[ingressPort].role() == PortRole.INSIDE ? PortRole.OUTSIDE : PortRole.INSIDE;
        for (final PortSettings port : ports)
        {
            if (port.role() == otherSide && port.linkLayer() == LinkLayer.ETHERNET)
            {
                counters.increment(ingressPort, PortCounter.PASSED_THROUGH);
                sink.send(port.index(), buffer, offset, length);
                return;
            }
        }
        counters.drop(ingressPort, DropReason.NO_ROUTE);
    }
}
