package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.SoftwareOffloads;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The last pass, in frame order: a translated packet is routed (inbound and hairpinned ones to the
 * inside port holding their new destination), its TTL decremented and it is sent; the frames the
 * classify pass set aside are acted on (ARP, IPv6, local traffic, ICMP errors for TTL and DF).
 */
final class Egress
{
    private final DatapathCounters counters;
    private final NatEngine nat;
    private final Routes routes;
    private final Classifier classifier;
    private final Ipv4Output output;
    private final IcmpErrors icmpErrors;
    private final ArpInput arp;
    private final Ipv6Passthrough ipv6;
    private final LocalDelivery local;
    private final SourceBinding binding;
    private final Ipv4Packet ip = new Ipv4Packet();

    Egress(
        final DatapathCounters counters, final NatEngine nat, final Routes routes, final Classifier classifier,
        final Ipv4Output output, final IcmpErrors icmpErrors, final ArpInput arp, final Ipv6Passthrough ipv6,
        final LocalDelivery local, final SourceBinding binding)
    {
        this.binding = binding;
        this.counters = counters;
        this.nat = nat;
        this.routes = routes;
        this.classifier = classifier;
        this.output = output;
        this.icmpErrors = icmpErrors;
        this.arp = arp;
        this.ipv6 = ipv6;
        this.local = local;
    }

    void process(final BurstState state, final int i, final long nowNs, final FrameSink sink)
    {
        final int next = state.next[i];
        state.next[i] = Next.DONE;
        final MutableDirectBuffer buffer = state.buffer(i);
        final int offset = state.ipOffset[i];
        final int length = state.ipLength[i];
        final int ingressPort = state.ingressPort(i);
        switch (next)
        {
            case Next.TRANSLATED_OUT, Next.TRANSLATED_IN, Next.HAIRPINNED, Next.FAST_OUT, Next.FAST_IN ->
                forward(next, buffer, offset, length, ingressPort, state.egressPort[i], state.frames.offload(i), nowNs,
                    sink);
            case Next.ARP -> arp.process(buffer, offset, length, ingressPort, nowNs, sink);
            case Next.VERIFY_SOURCE ->
                binding.hold(buffer, offset, length, ingressPort, state.frames.offload(i), nowNs, sink);
            case Next.IPV6 -> ipv6.process(buffer, offset, length, ingressPort, sink);
            case Next.LOCAL_ORIGIN -> local.sendLocallyOriginated(buffer, offset, length, ingressPort, nowNs, sink);
            case Next.LOCAL_PUNT ->
            {
                if (Offload.isChecksumPartial(state.frames.offload(i)))
                {
                    SoftwareOffloads.completeChecksum(buffer, offset); // the gateway's own endpoints read it whole
                }
                local.punt(buffer, offset, length, sink);
            }
            case Next.ECHO_REPLY -> local.answerEcho(buffer, offset, length, ingressPort, nowNs, sink);
            case Next.TTL_EXPIRED ->
            {
                icmpErrors.send(ingressPort, IcmpMessage.TIME_EXCEEDED, IcmpMessage.CODE_TTL_EXCEEDED, 0,
                    buffer, offset, length, nowNs, sink);
                counters.drop(ingressPort, DropReason.TTL_EXPIRED);
            }
            case Next.FRAGMENTATION_NEEDED ->
            {
                final int egressPort = state.egressPort[i];
                icmpErrors.send(ingressPort, IcmpMessage.DESTINATION_UNREACHABLE, IcmpMessage.CODE_FRAGMENTATION_NEEDED,
                    classifier.egressMtu(ingressPort, egressPort), buffer, offset, length, nowNs, sink);
                counters.drop(ingressPort, DropReason.FRAGMENTATION_NEEDED);
            }
            default ->
            {
                // DONE: dropped, held or sent already
            }
        }
    }

    private void forward(
        final int next, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final int routedPort, final int offload, final long nowNs, final FrameSink sink)
    {
        final int destination = buffer.getInt(ipOffset + 16, ByteOrder.BIG_ENDIAN);
        int egressPort = routedPort;
        final boolean outbound = next == Next.TRANSLATED_OUT || next == Next.FAST_OUT;
        if (outbound)
        {
            if (nat.isPublicAddress(destination))
            {
                counters.drop(ingressPort, DropReason.NO_ROUTE); // hairpinning disabled: our own public address
                return;
            }
        }
        else
        {
            egressPort = routes.byRole(PortRole.INSIDE, destination);
            if (egressPort < 0)
            {
                counters.drop(ingressPort, DropReason.NO_ROUTE);
                return;
            }
        }
        counters.increment(ingressPort, next == Next.HAIRPINNED ? PortCounter.HAIRPINNED :
            outbound ? PortCounter.TRANSLATED_OUT : PortCounter.TRANSLATED_IN);
        if (next != Next.FAST_OUT && next != Next.FAST_IN) // the fast path decremented it already
        {
            final Ipv4Packet ip = this.ip;
            ip.wrap(buffer, ipOffset);
            ip.decrementTtl();
        }
        output.send(egressPort, buffer, ipOffset, ipLength, offload, nowNs, sink);
    }
}
