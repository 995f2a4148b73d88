package io.natgate.datapath.forward;

import io.natgate.datapath.arp.NeighbourTable;
import io.natgate.datapath.arp.PendingFrames;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.icmp.IcmpWriter;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * The worker's frame processor: the stages between a port's receive and a port's transmit.
 * <pre>
 *   ethernet ─► ARP (answer for our addresses, learn neighbours)
 *            └► IPv4 validate ─► to us? (ping) ─► TTL ─► MTU/DF ─► NAT ─► route ─► next-hop MAC ─► tx
 * </pre>
 * Every frame ends forwarded, answered or counted as a drop with its reason on the ingress
 * port. Frames whose next hop is unresolved wait in a bounded queue while the gateway ARPs.
 * Outbound frames go to the outside port whose prefix holds the destination, else the default
 * route; routes the control plane {@link #addRoute adds} (a traversal provider's remote subnet
 * to its interface) come first, longest prefix winning.
 * <p>
 * The control plane speaks UDP from the gateway's own addresses through the {@link ForwarderConfig#localPort()
 * local port}: a UDP datagram addressed to an endpoint it {@link #addLocalEndpoint registered} (the PCP server
 * on an inside address, a tunnel on the outside address), arriving on the port that has that address, is
 * punted to the local port instead of being dropped or translated; what the control plane injects through
 * the local port leaves as locally originated, untranslated, out of the port whose address is its source
 * (multicast straight to its group MAC) or, sourced from another public address, by the outside routes.
 */
public final class Forwarder implements FrameProcessor
{
    private static final int SCRATCH_BYTES = HEADROOM + PendingFrames.SLOT_BYTES + 64;
    private static final int EXPIRY_BATCH = 256;
    private static final long ARP_TIMER_INTERVAL_NS = 50_000_000L;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    /** 01:00:5e and the low 23 bits of the group address (RFC 1112). */
    private static final long MULTICAST_MAC_PREFIX = 0x01_00_5E_00_00_00L;

    private final ForwarderConfig config;
    private final NatEngine nat;
    private final DatapathCounters counters;
    private final PortSettings[] ports;
    private final NeighbourTable[] neighbours;
    private final PendingFrames pending;
    private final IcmpWriter icmpWriter = new IcmpWriter();
    private final int insideMtu;
    // Control-plane routes, written on the worker thread only (Pipeline.runOnWorker); few entries.
    private final int[] routeNetworks;
    private final int[] routePrefixLengths;
    private final int[] routePorts;
    private int routeCount;
    // Local UDP endpoints (address << 16 | port), written on the worker thread only; few entries.
    private final int localPort;
    private final long[] localEndpoints;
    private int localEndpointCount;

    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet fragmentHeader = new Ipv4Packet();
    private final UnsafeBuffer icmpScratch = new UnsafeBuffer(new byte[SCRATCH_BYTES]);
    private final UnsafeBuffer arpScratch = new UnsafeBuffer(new byte[HEADROOM + 64]);
    private final UnsafeBuffer releaseScratch = new UnsafeBuffer(new byte[SCRATCH_BYTES]);
    private final UnsafeBuffer fragmentScratch = new UnsafeBuffer(new byte[SCRATCH_BYTES]);
    private final PendingFrames.WaitingVisitor arpRetry = this::retryResolution;

    private FrameSink timerSink;
    private long timerNowNs;
    private long nextArpTimerNs;
    private long icmpTokens;
    private long icmpRefillNs;

    public Forwarder(final ForwarderConfig config, final NatEngine nat, final DatapathCounters counters)
    {
        this.config = config.validate();
        this.nat = nat;
        this.counters = counters;
        final List<PortSettings> settings = config.ports();
        ports = settings.toArray(new PortSettings[0]);
        neighbours = new NeighbourTable[ports.length];
        int minInsideMtu = Integer.MAX_VALUE;
        for (int i = 0; i < ports.length; i++)
        {
            neighbours[i] = new NeighbourTable(config.neighbourCapacity());
            if (ports[i].role() == PortRole.INSIDE)
            {
                minInsideMtu = Math.min(minInsideMtu, ports[i].mtu());
            }
        }
        insideMtu = minInsideMtu;
        pending = new PendingFrames(config.arpPendingFrames());
        icmpTokens = config.icmpErrorsPerSecond();
        routeNetworks = new int[config.maxRoutes()];
        routePrefixLengths = new int[config.maxRoutes()];
        routePorts = new int[config.maxRoutes()];
        localPort = config.localPort();
        localEndpoints = new long[config.maxLocalEndpoints()];
    }

    public void process(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final long nowNs,
        final FrameSink sink)
    {
        final PortSettings port = ports[ingressPort];
        if (port.linkLayer() == LinkLayer.RAW_IP)
        {
            if (ingressPort == localPort)
            {
                onLocallyOriginated(buffer, offset, length, ingressPort, nowNs, sink);
                return;
            }
            onIpv4(buffer, offset, length, ingressPort, nowNs, sink);
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
        final int etherType = ethernet.etherType();
        if (etherType == EthernetFrame.ETHERTYPE_IPV6)
        {
            onIpv6(buffer, offset, length, ingressPort, sink);
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
            onIpv4(buffer, offset + headerLength, length - headerLength, ingressPort, nowNs, sink);
        }
        else if (etherType == EthernetFrame.ETHERTYPE_ARP)
        {
            onArp(buffer, offset + headerLength, length - headerLength, ingressPort, nowNs, sink);
        }
        else
        {
            counters.drop(ingressPort, DropReason.UNSUPPORTED_ETHERTYPE);
        }
    }

    /**
     * Starts loading the session an IPv4 frame will use (see {@link NatEngine#prefetchOutbound}). Reads
     * only what the header checks below make safe; a frame they refuse is left to {@link #process}.
     */
    public void prefetch(final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort)
    {
        final PortSettings port = ports[ingressPort];
        int ipOffset = offset;
        if (port.linkLayer() == LinkLayer.ETHERNET)
        {
            if (length < EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH)
            {
                return;
            }
            ethernet.wrap(buffer, offset);
            if (ethernet.etherType() != EthernetFrame.ETHERTYPE_IPV4)
            {
                return;
            }
            ipOffset = offset + ethernet.headerLength();
        }
        final int available = length - (ipOffset - offset);
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        if (available < Ipv4Packet.MIN_HEADER_LENGTH || ip.version() != 4 ||
            ip.headerLength() < Ipv4Packet.MIN_HEADER_LENGTH || ip.totalLength() > available ||
            ip.totalLength() < ip.headerLength())
        {
            return;
        }
        if (port.role() == PortRole.INSIDE)
        {
            nat.prefetchOutbound(buffer, ipOffset, ip.totalLength());
        }
        else
        {
            nat.prefetchInbound(buffer, ipOffset, ip.totalLength());
        }
    }

    public void prefetchDone()
    {
        nat.prefetchSessions();
    }

    public int onTimer(final long nowNs, final FrameSink sink)
    {
        nat.commandTimeNs(nowNs);
        int work = nat.expire(nowNs, EXPIRY_BATCH);
        if (nowNs - nextArpTimerNs >= 0 && pending.size() > 0)
        {
            nextArpTimerNs = nowNs + ARP_TIMER_INTERVAL_NS;
            timerSink = sink;
            timerNowNs = nowNs;
            pending.forEachWaiting(arpRetry);
            timerSink = null;
            work++;
        }
        return work;
    }

    public void onStart(final FrameSink sink)
    {
        announce(sink);
    }

    /**
     * Sends a gratuitous ARP for each of the gateway's addresses on each Ethernet port, so
     * neighbours learn (or relearn) its MAC at start.
     *
     * @return the number of announcements sent.
     */
    public int announce(final FrameSink sink)
    {
        int sent = 0;
        for (final PortSettings port : ports)
        {
            if (port.linkLayer() != LinkLayer.ETHERNET)
            {
                continue;
            }
            sent += sendArp(sink, port, ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, port.address(), 0,
                port.address()) ? 1 : 0;
            if (port.role() == PortRole.OUTSIDE)
            {
                for (final int address : nat.publicAddresses())
                {
                    if (address != port.address())
                    {
                        sent += sendArp(sink, port, ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, address, 0,
                            address) ? 1 : 0;
                    }
                }
            }
        }
        return sent;
    }

    /**
     * Routes outbound traffic for a prefix to an outside port ahead of the ports' own prefixes and
     * default routes; the same prefix again moves it to {@code portIndex}. Call on the worker thread
     * only, e.g. through {@code Pipeline.runOnWorker}.
     *
     * @return false when the route table is full.
     * @throws IllegalArgumentException when the port is not an outside port or the prefix length is not 0..32.
     */
    public boolean addRoute(final int network, final int prefixLength, final int portIndex)
    {
        if (portIndex < 0 || portIndex >= ports.length || ports[portIndex].role() != PortRole.OUTSIDE)
        {
            throw new IllegalArgumentException("port " + portIndex + " is not an outside port");
        }
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        final int maskedNetwork = network & Ipv4.mask(prefixLength);
        for (int i = 0; i < routeCount; i++)
        {
            if (routeNetworks[i] == maskedNetwork && routePrefixLengths[i] == prefixLength)
            {
                routePorts[i] = portIndex;
                return true;
            }
        }
        if (routeCount == routeNetworks.length)
        {
            return false;
        }
        routeNetworks[routeCount] = maskedNetwork;
        routePrefixLengths[routeCount] = prefixLength;
        routePorts[routeCount] = portIndex;
        routeCount++;
        return true;
    }

    /**
     * Removes every route to a port added by {@link #addRoute}. Worker thread only.
     *
     * @return the number of routes removed.
     */
    public int removeRoutes(final int portIndex)
    {
        int kept = 0;
        for (int i = 0; i < routeCount; i++)
        {
            if (routePorts[i] != portIndex)
            {
                routeNetworks[kept] = routeNetworks[i];
                routePrefixLengths[kept] = routePrefixLengths[i];
                routePorts[kept] = routePorts[i];
                kept++;
            }
        }
        final int removed = routeCount - kept;
        routeCount = kept;
        return removed;
    }

    /**
     * @return the routes added by {@link #addRoute}. Worker thread only.
     */
    public int routeCount()
    {
        return routeCount;
    }

    /**
     * Punts UDP datagrams for {@code address:udpPort} to the local port from now on: those arriving on the
     * port whose own address {@code address} is. Registering an endpoint twice is harmless. Worker thread only.
     *
     * @return false when the endpoint table is full.
     * @throws IllegalStateException    when no local port is configured.
     * @throws IllegalArgumentException when no port has the address, or the UDP port is not 1..65535.
     */
    public boolean addLocalEndpoint(final int address, final int udpPort)
    {
        if (localPort < 0)
        {
            throw new IllegalStateException("no local port configured (" + ForwarderConfig.LOCAL_PORT + ")");
        }
        if (portWithAddress(address) < 0)
        {
            throw new IllegalArgumentException(Ipv4.toString(address) + " is not the address of a port");
        }
        if (udpPort < 1 || udpPort > 0xFFFF)
        {
            throw new IllegalArgumentException("UDP port must be 1..65535: " + udpPort);
        }
        final long key = localEndpointKey(address, udpPort);
        if (localEndpointIndex(key) >= 0)
        {
            return true;
        }
        if (localEndpointCount == localEndpoints.length)
        {
            return false;
        }
        localEndpoints[localEndpointCount++] = key;
        return true;
    }

    /**
     * Stops punting datagrams for {@code address:udpPort}. Worker thread only.
     *
     * @return false when it was not registered.
     */
    public boolean removeLocalEndpoint(final int address, final int udpPort)
    {
        final int index = localEndpointIndex(localEndpointKey(address, udpPort));
        if (index < 0)
        {
            return false;
        }
        localEndpoints[index] = localEndpoints[--localEndpointCount];
        return true;
    }

    /**
     * @return the endpoints registered by {@link #addLocalEndpoint}. Worker thread only.
     */
    public int localEndpointCount()
    {
        return localEndpointCount;
    }

    // ------------------------------------------------------------------------------------------------------------
    // ARP
    // ------------------------------------------------------------------------------------------------------------

    private void onArp(
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

        if (senderAddress != 0 && port.isOnLink(senderAddress) && senderMac != 0 &&
            (senderMac >>> 40 & 1) == 0 && !isOurAddressOn(port, senderAddress))
        {
            // learn from whoever talks to us, and refresh or complete entries we already have
            if (forUs || neighbours[ingressPort].contains(senderAddress))
            {
                neighbours[ingressPort].learn(senderAddress, senderMac, nowNs + config.neighbourTimeoutNs());
                flushPending(ingressPort, senderAddress, senderMac, sink);
            }
        }
        if (operation == ArpPacket.OP_REQUEST && forUs && senderAddress != targetAddress)
        {
            if (sendArp(sink, port, ArpPacket.OP_REPLY, senderMac, targetAddress, senderMac, senderAddress))
            {
                counters.increment(ingressPort, PortCounter.ARP_REPLIES_SENT);
            }
        }
    }

    private boolean isOurAddressOn(final PortSettings port, final int address)
    {
        return address == port.address() || (port.role() == PortRole.OUTSIDE && nat.isPublicAddress(address));
    }

    private boolean sendArp(
        final FrameSink sink, final PortSettings port, final int operation, final long ethernetDestination,
        final int senderAddress, final long targetMac, final int targetAddress)
    {
        final UnsafeBuffer frame = arpScratch;
        ethernet.wrap(frame, 0);
        ethernet.writeHeader(ethernetDestination, port.macAddress(), EthernetFrame.ETHERTYPE_ARP);
        arp.wrap(frame, EthernetFrame.HEADER_LENGTH);
        arp.write(operation, port.macAddress(), senderAddress, targetMac, targetAddress);
        // pad to the Ethernet minimum of 60 bytes before the FCS
        frame.setMemory(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH, 60 - EthernetFrame.HEADER_LENGTH - ArpPacket.LENGTH,
            (byte)0);
        return sink.send(port.index(), frame, 0, 60);
    }

    private void flushPending(final int port, final int nextHop, final long mac, final FrameSink sink)
    {
        final UnsafeBuffer scratch = releaseScratch;
        int length;
        while ((length = pending.take(port, nextHop, scratch, HEADROOM)) > 0)
        {
            sendEthernet(port, mac, scratch, HEADROOM, length, sink);
        }
    }

    private void retryResolution(final int port, final int nextHop)
    {
        final NeighbourTable table = neighbours[port];
        final long nowNs = timerNowNs;
        if (table.hasFailed(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            final UnsafeBuffer scratch = releaseScratch;
            while (pending.take(port, nextHop, scratch, HEADROOM) > 0)
            {
                counters.drop(port, DropReason.ARP_UNRESOLVED);
            }
            table.forget(nextHop);
        }
        else if (table.shouldRequest(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            requestArp(port, nextHop, timerSink);
        }
    }

    private void requestArp(final int port, final int nextHop, final FrameSink sink)
    {
        if (sendArp(sink, ports[port], ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, ports[port].address(), 0,
            nextHop))
        {
            counters.increment(port, PortCounter.ARP_REQUESTS_SENT);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // IPv4
    // ------------------------------------------------------------------------------------------------------------

    private void onIpv4(
        final MutableDirectBuffer buffer, final int ipOffset, final int available, final int ingressPort,
        final long nowNs, final FrameSink sink)
    {
        final int ipLength = validateIpv4(buffer, ipOffset, available, ingressPort);
        if (ipLength < 0)
        {
            return;
        }
        final Ipv4Packet ip = this.ip;
        final PortSettings ingress = ports[ingressPort];
        final int destination = ip.destinationAddress();

        if (isGatewayAddress(destination))
        {
            if (localEndpointCount != 0 && destination == ingress.address() && isForLocalEndpoint(buffer, ipOffset,
                ipLength))
            {
                sink.send(localPort, buffer, ipOffset, ipLength);
                return;
            }
            if (isEchoRequest(buffer, ipOffset, ipLength))
            {
                icmpWriter.turnIntoEchoReply(buffer, ipOffset);
                counters.increment(ingressPort, PortCounter.ICMP_ECHO_REPLIES_SENT);
                route(ingressPort, buffer, ipOffset, ipLength, nowNs, sink);
                return;
            }
            if (!nat.isPublicAddress(destination))
            {
                counters.drop(ingressPort, DropReason.LOCAL_UNHANDLED);
                return;
            }
        }

        final boolean outbound = ingress.role() == PortRole.INSIDE;
        int egressPort;
        if (outbound)
        {
            egressPort = routeCount == 0 ? routeByRole(PortRole.OUTSIDE, destination) : routeOutbound(destination);
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

        if (ip.ttl() <= 1)
        {
            sendIcmpError(ingressPort, IcmpMessage.TIME_EXCEEDED, IcmpMessage.CODE_TTL_EXCEEDED, 0,
                buffer, ipOffset, ipLength, nowNs, sink);
            counters.drop(ingressPort, DropReason.TTL_EXPIRED);
            return;
        }
        final int egressMtu = outbound ? ports[egressPort].mtu() : insideMtu;
        if (ipLength > egressMtu && ip.dontFragment())
        {
            sendIcmpError(ingressPort, IcmpMessage.DESTINATION_UNREACHABLE, IcmpMessage.CODE_FRAGMENTATION_NEEDED,
                egressMtu, buffer, ipOffset, ipLength, nowNs, sink);
            counters.drop(ingressPort, DropReason.FRAGMENTATION_NEEDED);
            return;
        }

        final int result = outbound ?
            nat.outbound(buffer, ipOffset, ipLength, ingressPort, nowNs) :
            nat.inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        if (result < 0)
        {
            onNatDrop(result, ingressPort, buffer, ipOffset, ipLength, nowNs, sink);
            return;
        }
        if (result == NatEngine.HELD)
        {
            return;
        }
        ip.wrap(buffer, ipOffset);
        if (result == NatEngine.FORWARD && outbound && nat.isPublicAddress(ip.destinationAddress()))
        {
            counters.drop(ingressPort, DropReason.NO_ROUTE); // hairpinning disabled: our own public address
            return;
        }
        if (result == NatEngine.HAIRPIN || !outbound)
        {
            egressPort = routeByRole(PortRole.INSIDE, ip.destinationAddress());
            if (egressPort < 0)
            {
                counters.drop(ingressPort, DropReason.NO_ROUTE);
                return;
            }
        }
        counters.increment(ingressPort, result == NatEngine.HAIRPIN ? PortCounter.HAIRPINNED :
            outbound ? PortCounter.TRANSLATED_OUT : PortCounter.TRANSLATED_IN);
        ip.decrementTtl();
        route(egressPort, buffer, ipOffset, ipLength, nowNs, sink);

        releaseHeldFragments(ingressPort, nowNs, sink);
    }

    /**
     * Checks the IPv4 header against the bytes received.
     *
     * @return the packet's total length, or -1 after counting the drop.
     */
    private int validateIpv4(
        final MutableDirectBuffer buffer, final int ipOffset, final int available, final int ingressPort)
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

    private void onNatDrop(
        final int result, final int ingressPort, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final long nowNs, final FrameSink sink)
    {
        final DropReason reason = NatEngine.dropReason(result);
        counters.drop(ingressPort, reason);
        if (reason == DropReason.OUT_OF_PORTS || reason == DropReason.MAX_SESSIONS ||
            reason == DropReason.CLIENT_PORT_QUOTA || reason == DropReason.CLIENT_SESSION_QUOTA)
        {
            // RFC 5508 REQ-8: no mapping could be created, tell the sender
            sendIcmpError(ingressPort, IcmpMessage.DESTINATION_UNREACHABLE, IcmpMessage.CODE_ADMIN_PROHIBITED, 0,
                buffer, ipOffset, ipLength, nowNs, sink);
        }
    }

    private void releaseHeldFragments(final int ingressPort, final long nowNs, final FrameSink sink)
    {
        final UnsafeBuffer scratch = releaseScratch;
        int length;
        while ((length = nat.pollReleasedFragment(scratch, HEADROOM)) > 0)
        {
            onIpv4(scratch, HEADROOM, length, ingressPort, nowNs, sink);
        }
    }

    private boolean isGatewayAddress(final int address)
    {
        for (final PortSettings port : ports)
        {
            if (port.address() == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the packet {@link #ip} wraps is an unfragmented UDP datagram to a registered local endpoint.
     */
    private boolean isForLocalEndpoint(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        final Ipv4Packet ip = this.ip;
        final int headerLength = ip.headerLength();
        if (ip.protocol() != Ipv4Packet.PROTO_UDP || ip.isFragment() ||
            ipLength - headerLength < UdpDatagram.HEADER_LENGTH)
        {
            return false;
        }
        final int udpPort = buffer.getShort(ipOffset + headerLength + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return localEndpointIndex(localEndpointKey(ip.destinationAddress(), udpPort)) >= 0;
    }

    private int localEndpointIndex(final long key)
    {
        for (int i = 0; i < localEndpointCount; i++)
        {
            if (localEndpoints[i] == key)
            {
                return i;
            }
        }
        return -1;
    }

    private static long localEndpointKey(final int address, final int udpPort)
    {
        return (address & 0xFFFF_FFFFL) << 16 | udpPort;
    }

    /**
     * A packet the control plane sent from one of the gateway's addresses: out of the port with that
     * address, else (another public address) by the outside routes; never translated, TTL kept.
     */
    private void onLocallyOriginated(
        final MutableDirectBuffer buffer, final int ipOffset, final int available, final int ingressPort,
        final long nowNs, final FrameSink sink)
    {
        final int ipLength = validateIpv4(buffer, ipOffset, available, ingressPort);
        if (ipLength < 0)
        {
            return;
        }
        final int source = ip.sourceAddress();
        final int destination = ip.destinationAddress();
        int egressPort = portWithAddress(source);
        if (egressPort < 0)
        {
            if (!nat.isPublicAddress(source))
            {
                counters.drop(ingressPort, DropReason.MARTIAN_SOURCE);
                return;
            }
            egressPort = routeByRole(PortRole.OUTSIDE, destination);
            if (egressPort < 0)
            {
                counters.drop(ingressPort, DropReason.NO_ROUTE);
                return;
            }
        }
        final long groupMac = destination == -1 ? EthernetFrame.BROADCAST_MAC :
            (destination & 0xF000_0000) == 0xE000_0000 ? MULTICAST_MAC_PREFIX | (destination & 0x7F_FFFF) : 0;
        if (groupMac == 0)
        {
            route(egressPort, buffer, ipOffset, ipLength, nowNs, sink);
        }
        else if (ipLength > ports[egressPort].mtu())
        {
            counters.drop(ingressPort, DropReason.FRAGMENTATION_NEEDED);
        }
        else if (ports[egressPort].linkLayer() == LinkLayer.RAW_IP)
        {
            sink.send(egressPort, buffer, ipOffset, ipLength);
        }
        else
        {
            sendEthernet(egressPort, groupMac, buffer, ipOffset, ipLength, sink);
        }
    }

    /**
     * @return the index of the port (the local port aside) whose own address this is, else -1.
     */
    private int portWithAddress(final int address)
    {
        for (final PortSettings port : ports)
        {
            if (port.address() == address && port.index() != localPort)
            {
                return port.index();
            }
        }
        return -1;
    }

    private boolean isEchoRequest(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        final Ipv4Packet ip = this.ip;
        final int headerLength = ip.headerLength();
        return ip.protocol() == Ipv4Packet.PROTO_ICMP && !ip.isFragment() &&
            ipLength - headerLength >= IcmpMessage.HEADER_LENGTH &&
            (buffer.getByte(ipOffset + headerLength) & 0xFF) == IcmpMessage.ECHO_REQUEST &&
            Checksums.checksum(buffer, ipOffset + headerLength, ipLength - headerLength) == 0;
    }

    /**
     * @return the port of the longest added route holding the destination, else as {@link #routeByRole} outside.
     */
    private int routeOutbound(final int destination)
    {
        int port = -1;
        int longest = -1;
        for (int i = 0; i < routeCount; i++)
        {
            if (routePrefixLengths[i] > longest && Ipv4.inPrefix(destination, routeNetworks[i], routePrefixLengths[i]))
            {
                longest = routePrefixLengths[i];
                port = routePorts[i];
            }
        }
        return port >= 0 ? port : routeByRole(PortRole.OUTSIDE, destination);
    }

    /**
     * @return the port of a role whose prefix holds the destination, else the first of that role
     * with a next hop (its default route), else -1.
     */
    private int routeByRole(final PortRole role, final int destination)
    {
        int fallback = -1;
        for (final PortSettings port : ports)
        {
            if (port.role() == role)
            {
                if (port.isOnLink(destination))
                {
                    return port.index();
                }
                if (fallback < 0 && port.nextHop() != 0)
                {
                    fallback = port.index();
                }
            }
        }
        return fallback;
    }

    /**
     * Sends an IP packet out of a port: straight out of a raw-IP port, after the next hop's MAC on an
     * Ethernet port (queueing it while ARP resolves), in fragments when it exceeds the port's MTU.
     */
    private void route(
        final int egressPort, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final long nowNs, final FrameSink sink)
    {
        final PortSettings port = ports[egressPort];
        if (ipLength > port.mtu())
        {
            fragmentAndRoute(egressPort, buffer, ipOffset, ipLength, nowNs, sink);
            return;
        }
        if (port.linkLayer() == LinkLayer.RAW_IP)
        {
            sink.send(egressPort, buffer, ipOffset, ipLength);
            return;
        }
        final int destination = buffer.getInt(ipOffset + 16, java.nio.ByteOrder.BIG_ENDIAN);
        final int nextHop = port.isOnLink(destination) ? destination : port.nextHop();
        if (nextHop == 0)
        {
            counters.drop(egressPort, DropReason.NO_ROUTE);
            return;
        }
        final long mac = neighbours[egressPort].lookup(nextHop, nowNs);
        if (mac != 0)
        {
            sendEthernet(egressPort, mac, buffer, ipOffset, ipLength, sink);
            return;
        }
        if (!pending.add(egressPort, nextHop, buffer, ipOffset, ipLength))
        {
            counters.drop(egressPort, DropReason.ARP_QUEUE_FULL);
        }
        if (neighbours[egressPort].shouldRequest(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            requestArp(egressPort, nextHop, sink);
        }
    }

    private void sendEthernet(
        final int egressPort, final long destinationMac, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final FrameSink sink)
    {
        final int frameOffset = ipOffset - EthernetFrame.HEADER_LENGTH;
        final EthernetFrame ethernet = this.ethernet;
        ethernet.wrap(buffer, frameOffset);
        ethernet.writeHeader(destinationMac, ports[egressPort].macAddress(), EthernetFrame.ETHERTYPE_IPV4);
        sink.send(egressPort, buffer, frameOffset, ipLength + EthernetFrame.HEADER_LENGTH);
    }

    /**
     * Splits a packet without DF into fragments that fit the egress MTU (RFC 791).
     */
    private void fragmentAndRoute(
        final int egressPort, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final long nowNs, final FrameSink sink)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        final int headerLength = ip.headerLength();
        final int maxPayload = ((ports[egressPort].mtu() - headerLength) / 8) * 8;
        final int originalFlags = ip.flagsAndFragmentOffset();
        final int originalOffsetUnits = originalFlags & Ipv4Packet.FRAGMENT_OFFSET_MASK;
        final boolean originalMoreFragments = (originalFlags & Ipv4Packet.FLAG_MF) != 0;
        final UnsafeBuffer fragment = fragmentScratch;
        final Ipv4Packet fragmentHeader = this.fragmentHeader;
        for (int payloadOffset = 0; payloadOffset < ipLength - headerLength; payloadOffset += maxPayload)
        {
            final int payloadLength = Math.min(maxPayload, ipLength - headerLength - payloadOffset);
            final boolean last = payloadOffset + payloadLength >= ipLength - headerLength;
            fragment.putBytes(HEADROOM, buffer, ipOffset, headerLength);
            fragment.putBytes(HEADROOM + headerLength, buffer, ipOffset + headerLength + payloadOffset, payloadLength);
            fragmentHeader.wrap(fragment, HEADROOM);
            fragmentHeader.totalLength(headerLength + payloadLength);
            fragmentHeader.flagsAndFragmentOffset(
                (last && !originalMoreFragments ? 0 : Ipv4Packet.FLAG_MF) | (originalOffsetUnits + payloadOffset / 8));
            fragmentHeader.updateHeaderChecksum();
            route(egressPort, fragment, HEADROOM, headerLength + payloadLength, nowNs, sink);
        }
    }

    private void sendIcmpError(
        final int ingressPort, final int type, final int code, final int restOfHeader,
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final long nowNs,
        final FrameSink sink)
    {
        if (!takeIcmpToken(nowNs))
        {
            return;
        }
        final UnsafeBuffer scratch = icmpScratch;
        final int length = icmpWriter.writeError(scratch, HEADROOM, type, code, restOfHeader,
            ports[ingressPort].address(), buffer, ipOffset, ipLength);
        if (length > 0)
        {
            counters.increment(ingressPort, PortCounter.ICMP_ERRORS_SENT);
            route(ingressPort, scratch, HEADROOM, length, nowNs, sink);
        }
    }

    /**
     * Token bucket limiting the ICMP errors the gateway generates (RFC 1812 4.3.2.8).
     */
    private boolean takeIcmpToken(final long nowNs)
    {
        final long elapsedNs = nowNs - icmpRefillNs;
        if (elapsedNs > 0)
        {
            final long limit = config.icmpErrorsPerSecond();
            final long refill = elapsedNs >= NS_PER_SECOND ? limit : elapsedNs * limit / NS_PER_SECOND;
            if (refill > 0)
            {
                icmpTokens = Math.min(limit, icmpTokens + refill);
                icmpRefillNs = nowNs;
            }
        }
        if (icmpTokens > 0)
        {
            icmpTokens--;
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // IPv6
    // ------------------------------------------------------------------------------------------------------------

    private void onIpv6(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort,
        final FrameSink sink)
    {
        if (config.ipv6() == Ipv6Policy.DROP)
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
