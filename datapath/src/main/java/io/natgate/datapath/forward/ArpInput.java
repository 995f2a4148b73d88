package io.natgate.datapath.forward;

import io.natgate.datapath.arp.NeighbourTable;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;

/**
 * ARP on Ethernet ports: answers for the gateway's addresses (an outside port answers for the
 * whole public pool) and announces them at start. It learns a neighbour only from the reply to the
 * gateway's own request (a neighbour that asks for the gateway is asked back), refreshes it from the
 * same MAC, and takes a changed MAC only after confirmation ({@link NeighbourTable#observe}); what it
 * refuses is counted (unsolicited reply, changed MAC).
 */
final class ArpInput
{
    private final PortSettings[] ports;
    private final NatEngine nat;
    private final DatapathCounters counters;
    private final Adjacencies adjacencies;
    private final ArpSender sender;
    private final ForwarderConfig config;
    private final SourceBinding binding;
    private final ArpPacket arp = new ArpPacket();

    ArpInput(
        final ForwarderConfig config, final PortSettings[] ports, final NatEngine nat, final DatapathCounters counters,
        final Adjacencies adjacencies, final ArpSender sender, final SourceBinding binding)
    {
        this.config = config;
        this.binding = binding;
        this.ports = ports;
        this.nat = nat;
        this.counters = counters;
        this.adjacencies = adjacencies;
        this.sender = sender;
    }

    void process(
        final MutableDirectBuffer buffer, final int arpOffset, final int length, final int ingressPort,
        final long nowNs, final FrameSink sink)
    {
        final ArpPacket arp = this.arp;
        arp.wrap(buffer, arpOffset);
        if (length < ArpPacket.LENGTH || !arp.isEthernetIpv4())
        {
            counters.drop(ingressPort, DropReason.MALFORMED_ARP);
            return;
        }
        final PortSettings port = ports[ingressPort];
        final int senderAddress = arp.senderAddress();
        final long senderMac = arp.senderMac();
        final int targetAddress = arp.targetAddress();
        final int operation = arp.operation();
        final boolean forUs = isOurAddressOn(port, targetAddress);

        if (operation == ArpPacket.OP_REQUEST && forUs && senderAddress != targetAddress)
        {
            if (sender.send(sink, port, ArpPacket.OP_REPLY, senderMac, targetAddress, senderMac, senderAddress))
            {
                counters.increment(ingressPort, PortCounter.ARP_REPLIES_SENT);
            }
        }
        if (senderAddress != 0 && port.isOnLink(senderAddress) && senderMac != 0 &&
            (senderMac >>> 40 & 1) == 0 && !isOurAddressOn(port, senderAddress))
        {
            onSender(ingressPort, operation, forUs, senderAddress, senderMac, nowNs, sink);
        }
    }

    /**
     * Applies what an ARP packet says about its sender, as {@link NeighbourTable#observe} allows; what it may
     * not change is counted as a drop.
     */
    private void onSender(
        final int ingressPort, final int operation, final boolean forUs, final int senderAddress,
        final long senderMac, final long nowNs, final FrameSink sink)
    {
        final NeighbourTable table = adjacencies.table(ingressPort);
        final int observed = table.observe(senderAddress, senderMac, operation == ArpPacket.OP_REPLY && forUs, nowNs,
            nowNs + config.neighbourTimeoutNs(), config.arpRetryIntervalNs());
        switch (observed)
        {
            case NeighbourTable.LEARNED, NeighbourTable.ADOPTED ->
            {
                if (observed == NeighbourTable.ADOPTED)
                {
                    counters.increment(ingressPort, PortCounter.NEIGHBOUR_MAC_ADOPTED);
                }
                adjacencies.resolved(ingressPort, senderAddress, senderMac, sink);
                binding.resolved(ingressPort, senderAddress, nowNs, sink);
            }
            case NeighbourTable.CHANGED ->
            {
                // keep the known MAC and ask again: the known host answers, or the claim is adopted after the window
                counters.drop(ingressPort, DropReason.ARP_MAC_CHANGED);
                if (table.shouldRefresh(senderAddress, nowNs, config.arpRetryIntervalNs()))
                {
                    adjacencies.requestArp(ingressPort, senderAddress, sink);
                }
            }
            case NeighbourTable.UNKNOWN ->
            {
                if (operation == ArpPacket.OP_REPLY)
                {
                    counters.drop(ingressPort, DropReason.ARP_UNSOLICITED);
                }
                else if (forUs &&
                    table.shouldRequest(senderAddress, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
                {
                    adjacencies.requestArp(ingressPort, senderAddress, sink); // learn the asker from its answer
                }
            }
            default ->
            {
                // refreshed, or bound by configuration
            }
        }
    }

    /**
     * Sends a gratuitous ARP for each of the gateway's addresses on each Ethernet port, so
     * neighbours learn (or relearn) its MAC at start.
     *
     * @return the number of announcements sent.
     */
    int announce(final FrameSink sink)
    {
        int sent = 0;
        for (final PortSettings port : ports)
        {
            if (port.linkLayer() != LinkLayer.ETHERNET)
            {
                continue;
            }
            sent += sender.send(sink, port, ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, port.address(), 0,
                port.address()) ? 1 : 0;
            if (port.role() == PortRole.OUTSIDE)
            {
                for (final int address : nat.publicAddresses())
                {
                    if (address != port.address())
                    {
                        sent += sender.send(sink, port, ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, address, 0,
                            address) ? 1 : 0;
                    }
                }
            }
        }
        return sent;
    }

    private boolean isOurAddressOn(final PortSettings port, final int address)
    {
        return address == port.address() || (port.role() == PortRole.OUTSIDE && nat.isPublicAddress(address));
    }
}
