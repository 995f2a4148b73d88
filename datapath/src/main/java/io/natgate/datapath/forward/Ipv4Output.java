package io.natgate.datapath.forward;

import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.SoftwareOffloads;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;

/**
 * Sends an IP packet out of a port: straight out of a raw-IP port, after the next hop's MAC on an
 * Ethernet port ({@link Adjacencies}), in fragments when it exceeds the port's MTU ({@link Fragmenter}).
 */
final class Ipv4Output
{
    private final PortSettings[] ports;
    private final Adjacencies adjacencies;
    private final Fragmenter fragmenter = new Fragmenter();

    Ipv4Output(final PortSettings[] ports, final Adjacencies adjacencies)
    {
        this.ports = ports;
        this.adjacencies = adjacencies;
    }

    void send(
        final int egressPort, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final long nowNs, final FrameSink sink)
    {
        send(egressPort, buffer, ipOffset, ipLength, Offload.NONE, nowNs, sink);
    }

    /**
     * Sends a packet with its {@link Offload} state: an aggregate is held to the MTU by its segment
     * size, and a checksum-partial packet cut into fragments is completed first.
     */
    void send(
        final int egressPort, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final int offload, final long nowNs, final FrameSink sink)
    {
        final PortSettings port = ports[egressPort];
        if (ipLength > port.mtu() && Offload.segmentIpLength(offload, buffer, ipOffset, ipLength) > port.mtu())
        {
            if (Offload.isChecksumPartial(offload))
            {
                SoftwareOffloads.completeChecksum(buffer, ipOffset);
            }
            fragmenter.fragment(port.mtu(), buffer, ipOffset, ipLength, egressPort, nowNs, sink, this);
        }
        else if (port.linkLayer() == LinkLayer.RAW_IP)
        {
            sink.send(egressPort, buffer, ipOffset, ipLength, offload);
        }
        else
        {
            adjacencies.send(egressPort, buffer, ipOffset, ipLength, offload, nowNs, sink);
        }
    }
}
