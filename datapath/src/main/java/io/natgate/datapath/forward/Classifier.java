package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.guard.IpOptions;
import io.natgate.datapath.guard.SourceGuard;
import io.natgate.datapath.guard.TcpFlags;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * The first pass: Ethernet and IPv4 input. Decides each frame's next stage ({@link Next}) and
 * counts the drops it finds (truncated, not for us, malformed IPv4, no route); for a frame to
 * translate, finds its egress (outbound) and starts loading its session. Sends nothing, so what
 * it decides is acted on in frame order by the last pass.
 * <p>
 * Hostile input dies here: a frame of another VLAN than its port's; a source valid nowhere, the
 * gateway's own, or not of the ingress side ({@link SourceGuard}); an inside source from another MAC
 * than the one the gateway resolved for it ({@link SourceBinding} holds the frames of a source not
 * resolved yet); source-routed or malformed IP options ({@link IpOptions}); TCP flags no stack sends
 * ({@link TcpFlags}).
 */
final class Classifier
{
    static final long NO_MAC = -1;
    private static final int TCP_FLAGS_OFFSET = 13;

    private final PortSettings[] ports;
    private final int localPort;
    private final int insideMtu;
    private final NatEngine nat;
    private final DatapathCounters counters;
    private final Routes routes;
    private final LocalDelivery local;
    private final Ipv4Input input;
    private final SourceGuard sourceGuard;
    private final SourceBinding binding;
    private final EthernetFrame ethernet = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();

    Classifier(
        final PortSettings[] ports, final List<InsideRoute> insideRoutes, final int insideMtu, final NatEngine nat,
        final DatapathCounters counters, final Routes routes, final LocalDelivery local, final Ipv4Input input,
        final SourceBinding binding)
    {
        this.ports = ports;
        this.localPort = local.localPort();
        this.insideMtu = insideMtu;
        this.nat = nat;
        this.counters = counters;
        this.routes = routes;
        this.local = local;
        this.input = input;
        this.binding = binding;
        sourceGuard = new SourceGuard(ports, insideRoutes, nat.publicAddresses());
    }

    /**
     * @param ipOnly   whether the frame is an IP packet whatever its port's link layer (a released fragment).
     * @param prefetch whether to start loading the sessions of the frames to translate.
     */
    void classify(final BurstState state, final int i, final boolean ipOnly, final boolean prefetch)
    {
        final MutableDirectBuffer buffer = state.buffer(i);
        final int offset = state.frames.offset(i);
        final int length = state.frames.length(i);
        final int ingressPort = state.ingressPort(i);
        state.next[i] = Next.DONE;
        final PortSettings port = ports[ingressPort];
        if (ipOnly)
        {
            classifyIpv4(state, i, buffer, offset, length, ingressPort, prefetch, NO_MAC); // checked on arrival
            return;
        }
        if (port.linkLayer() == LinkLayer.RAW_IP)
        {
            if (ingressPort == localPort)
            {
                to(state, i, Next.LOCAL_ORIGIN, offset, length);
                return;
            }
            classifyIpv4(state, i, buffer, offset, length, ingressPort, prefetch, NO_MAC);
            return;
        }
        if (length < EthernetFrame.HEADER_LENGTH)
        {
            counters.drop(ingressPort, DropReason.TRUNCATED_FRAME);
            return;
        }
        final EthernetFrame ethernet = this.ethernet;
        ethernet.wrap(buffer, offset);
        final int headerLength = ethernet.headerLength();
        if (length < headerLength)
        {
            counters.drop(ingressPort, DropReason.TRUNCATED_FRAME);
            return;
        }
        if (!port.servesVlan(ethernet.vlanId()))
        {
            counters.drop(ingressPort, DropReason.VLAN_MISMATCH);
            return;
        }
        final int etherType = ethernet.etherType();
        if (etherType == EthernetFrame.ETHERTYPE_IPV6)
        {
            to(state, i, Next.IPV6, offset, length);
            return;
        }
        final long destinationMac = ethernet.destinationMac();
        if (destinationMac != port.macAddress() && destinationMac != EthernetFrame.BROADCAST_MAC)
        {
            counters.drop(ingressPort, DropReason.NOT_FOR_US);
            return;
        }
        if (etherType == EthernetFrame.ETHERTYPE_IPV4)
        {
            classifyIpv4(state, i, buffer, offset + headerLength, length - headerLength, ingressPort, prefetch,
                ethernet.sourceMac());
            if (state.next[i] == Next.VERIFY_SOURCE)
            {
                to(state, i, Next.VERIFY_SOURCE, offset, length); // held whole, to be classified again
            }
        }
        else if (etherType == EthernetFrame.ETHERTYPE_ARP)
        {
            to(state, i, Next.ARP, offset + headerLength, length - headerLength);
        }
        else
        {
            counters.drop(ingressPort, DropReason.UNSUPPORTED_ETHERTYPE);
        }
    }

    /**
     * @param sourceMac the Ethernet source of a frame from an Ethernet port, {@link #NO_MAC} when there is none
     *                  or its source was checked already.
     */
    private void classifyIpv4(
        final BurstState state, final int i, final MutableDirectBuffer buffer, final int ipOffset,
        final int available, final int ingressPort, final boolean prefetch, final long sourceMac)
    {
        final int ipLength = input.validate(buffer, ipOffset, available, ingressPort);
        if (ipLength < 0)
        {
            return;
        }
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        if (!isAcceptable(buffer, ipOffset, ipLength, ingressPort))
        {
            return;
        }
        if (sourceMac != NO_MAC && sourceGuard.isInside(ingressPort))
        {
            final int bound = binding.check(ingressPort, ip.sourceAddress(), sourceMac);
            if (bound == SourceBinding.MISMATCH)
            {
                counters.drop(ingressPort, DropReason.SOURCE_MAC_MISMATCH);
                return;
            }
            if (bound == SourceBinding.UNRESOLVED)
            {
                state.next[i] = Next.VERIFY_SOURCE;
                return;
            }
        }
        final PortSettings ingress = ports[ingressPort];
        final int destination = ip.destinationAddress();

        if (routes.isGatewayAddress(destination))
        {
            if (ingress.role() != PortRole.INSIDE && routes.isInsideAddress(destination))
            {
                counters.drop(ingressPort, DropReason.LOCAL_UNHANDLED); // the inside is not the gateway from outside
                return;
            }
            if (destination == ingress.address() && local.isForEndpoint(buffer, ipOffset, ipLength))
            {
                to(state, i, Next.LOCAL_PUNT, ipOffset, ipLength);
                return;
            }
            if (local.isEchoRequest(buffer, ipOffset, ipLength))
            {
                to(state, i, Next.ECHO_REPLY, ipOffset, ipLength);
                return;
            }
            if (!nat.isPublicAddress(destination))
            {
                counters.drop(ingressPort, DropReason.LOCAL_UNHANDLED);
                return;
            }
        }

        final boolean outbound = ingress.role() == PortRole.INSIDE;
        final int egressPort;
        if (outbound)
        {
            egressPort = routes.outbound(destination);
        }
        else if (nat.isPublicAddress(destination))
        {
            egressPort = ingressPort; // decided after translation
        }
        else
        {
            counters.drop(ingressPort, DropReason.NO_ROUTE);
            return;
        }
        if (egressPort < 0)
        {
            counters.drop(ingressPort, DropReason.NO_ROUTE);
            return;
        }
        state.egressPort[i] = egressPort;

        if (ip.ttl() <= 1)
        {
            to(state, i, Next.TTL_EXPIRED, ipOffset, ipLength);
            return;
        }
        if (Offload.segmentIpLength(state.frames.offload(i), buffer, ipOffset, ipLength) >
            egressMtu(ingressPort, egressPort) && ip.dontFragment())
        {
            to(state, i, Next.FRAGMENTATION_NEEDED, ipOffset, ipLength);
            return;
        }
        to(state, i, outbound ? Next.NAT_OUT : Next.NAT_IN, ipOffset, ipLength);
        state.flowHash[i] = !prefetch ? NatEngine.NO_FLOW_HASH : outbound ?
            nat.prefetchOutbound(buffer, ipOffset, ipLength) : nat.prefetchInbound(buffer, ipOffset, ipLength);
    }

    /**
     * The source and header checks every IPv4 packet passes before anything else looks at it ({@link #ip}
     * wraps it).
     *
     * @return false when it was dropped, counted.
     */
    private boolean isAcceptable(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort)
    {
        final Ipv4Packet ip = this.ip;
        if (!sourceGuard.isValidSource(ingressPort, ip.sourceAddress()))
        {
            counters.drop(ingressPort, DropReason.MARTIAN_SOURCE);
            return false;
        }
        final int headerLength = ip.headerLength();
        if (headerLength > Ipv4Packet.MIN_HEADER_LENGTH)
        {
            final DropReason options = IpOptions.check(buffer, ipOffset, headerLength);
            if (options != null)
            {
                counters.drop(ingressPort, options);
                return false;
            }
        }
        if (ip.protocol() == Ipv4Packet.PROTO_TCP && ip.fragmentOffsetBytes() == 0 &&
            ipLength - headerLength > TCP_FLAGS_OFFSET &&
            !TcpFlags.isValid(buffer.getByte(ipOffset + headerLength + TCP_FLAGS_OFFSET) & 0xFF))
        {
            counters.drop(ingressPort, DropReason.BAD_TCP_FLAGS);
            return false;
        }
        return true;
    }

    /**
     * @return the MTU a packet must fit through: the egress port's outbound, the smallest inside one inbound.
     */
    int egressMtu(final int ingressPort, final int egressPort)
    {
        return ports[ingressPort].role() == PortRole.INSIDE ? ports[egressPort].mtu() : insideMtu;
    }

    private static void to(final BurstState state, final int i, final int next, final int offset, final int length)
    {
        state.next[i] = next;
        state.ipOffset[i] = offset;
        state.ipLength[i] = length;
    }
}
