package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.frame.UdpDatagram;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * NAT44 translation of IPv4 packets in place (RFC 4787, 5382, 5508, 7857): endpoint-independent
 * mapping, configurable filtering, hairpinning, port preservation and parity, paired address
 * pooling, per-client quotas, TCP state tracking, ICMP query and error translation, fragments.
 * <p>
 * The fast path is a session lookup and a rewrite with the session's precomputed checksum
 * deltas; a miss goes to the slow path, which creates the mapping and session. Results are
 * {@link #FORWARD}, {@link #HAIRPIN}, {@link #HELD} or a negative drop code ({@link #drop}).
 * Single-threaded: only the worker that owns it may call it, commands included.
 */
public final class NatEngine implements NatCommands
{
    /** Translated: send it out of the other side. */
    public static final int FORWARD = 0;
    /** Translated twice: an inside host reached another inside host's public endpoint. Send it back inside. */
    public static final int HAIRPIN = 1;
    /** A fragment held until its first fragment arrives. */
    public static final int HELD = 2;

    /** Packets {@link #prefetchOutbound} and {@link #prefetchInbound} remember until {@link #prefetchSessions}. */
    public static final int MAX_PREFETCH = 256;

    /** Session state bits (events and {@link #restoreSession}): the inside host sent a SYN. */
    public static final int TCP_SYN_OUT = 0x01;
    /** The remote host sent a SYN. */
    public static final int TCP_SYN_IN = 0x02;
    /** The inside host sent a FIN. */
    public static final int TCP_FIN_OUT = 0x04;
    /** The remote host sent a FIN. */
    public static final int TCP_FIN_IN = 0x08;
    /** Either side sent a RST. */
    public static final int TCP_RST = 0x10;
    /** Session state bit: opened from outside through a static or inbound mapping. */
    public static final int SESSION_ADMITTED_INBOUND = 0x100;

    /**
     * A session's refresh is reported ({@link NatEventListener#onSessionRefreshed}) when its deadline moves
     * into another 2^36 ns (about 69 s) period: at most about once a minute per active session, and at once
     * when its timeout class changes (TCP established, closing). The fast path pays one xor and shift of a
     * word it loads anyway. A session's deadline is therefore less than {@link #REFRESH_EVENT_SLACK_NS} after
     * the one its last reported refresh implies.
     */
    public static final int REFRESH_EVENT_SHIFT = 36;
    /** See {@link #REFRESH_EVENT_SHIFT}. */
    public static final long REFRESH_EVENT_SLACK_NS = 1L << REFRESH_EVENT_SHIFT;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final long INBOUND_MAPPING_SCAN_INTERVAL_NS = 100_000_000L;
    private static final int SESSION_CREATED = 0;
    private static final int SESSION_REFRESHED = 1;
    private static final int SESSION_EXPIRED = 2;
    private static final int SESSION_REMOVED = 3;

    private final NatConfig config;
    private final NatEventListener events;
    private final DatapathCounters counters;
    private final AddressSet publicAddresses;
    private final SessionTable sessions;
    private final MappingTable mappings;
    private final ClientTable clients;
    private final PortAllocator ports;
    private final FragmentTable fragments;
    private final long[] timeoutNs = new long[SessionTable.CLASS_COUNT];
    private final int[] fragmentTimeoutsPerPort;
    private final int[] inboundMappings;
    private int inboundMappingCount;
    private long nextInboundMappingScanNs;
    private boolean inboundMappingScanStarted; // the clock may start anywhere, negative included
    private FlowPolicy policy = FlowPolicy.ALLOW_ALL;

    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet innerIp = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();

    private final int[] prefetchSlots = new int[MAX_PREFETCH];
    private int prefetchCount;
    private long prefetchSink; // keeps the prefetching reads from being elided; never read

    private long commandTimeNs;
    private boolean restoring; // restored state is journaled by whoever restores it, not reported again
    private long releaseKeyHigh;
    private long releaseKeyLow;

    /**
     * @param counters    where gauges and fragment timeouts are counted; its port count bounds the
     *                    ingress port numbers passed in.
     */
    public NatEngine(final NatConfig config, final NatEventListener events, final DatapathCounters counters)
    {
        this.config = config.validate();
        this.events = events;
        this.counters = counters;
        publicAddresses = new AddressSet(config.publicAddresses());
        sessions = new SessionTable(config.maxSessions());
        mappings = new MappingTable(config.maxMappings());
        clients = new ClientTable(config.maxClients());
        ports = new PortAllocator(publicAddresses.size());
        fragments = new FragmentTable(config.maxFragmentFlows(), config.maxHeldFragments());
        fragmentTimeoutsPerPort = new int[counters.portCount()];
        inboundMappings = new int[Math.min(config.maxMappings(), 65_536)];
        timeoutNs[SessionTable.CLASS_UDP] = config.udpTimeoutNs();
        timeoutNs[SessionTable.CLASS_TCP_TRANSITORY] = config.tcpTransitoryTimeoutNs();
        timeoutNs[SessionTable.CLASS_TCP_ESTABLISHED] = config.tcpEstablishedTimeoutNs();
        timeoutNs[SessionTable.CLASS_ICMP] = config.icmpTimeoutNs();
    }

    /**
     * @return the result code for dropping with {@code reason}.
     */
    public static int drop(final DropReason reason)
    {
        return -reason.id() - 1;
    }

    /**
     * @return the drop reason of a negative result.
     */
    public static DropReason dropReason(final int result)
    {
        return DropReason.get(-result - 1);
    }

    /**
     * @return a copy of the public address pool.
     */
    public int[] publicAddresses()
    {
        return config.publicAddresses().clone();
    }

    /**
     * @return true when the address is one of the public pool's.
     */
    public boolean isPublicAddress(final int address)
    {
        return publicAddresses.contains(address);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Outbound: inside to outside
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Translates a packet from the inside. The IPv4 header must have been validated (version,
     * IHL, total length, header checksum) by the caller; {@code ipLength} is its total length.
     */
    public int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        if (ip.fragmentOffsetBytes() != 0)
        {
            return laterFragment(true, buffer, ipOffset, ipLength, ingressPort, nowNs);
        }

        final int protocol = ip.protocol();
        final int l4Offset = ipOffset + ip.headerLength();
        final int l4Length = ipLength - ip.headerLength();
        final int sourceBefore = ip.sourceAddress();
        final int result;
        if (protocol == Ipv4Protocols.TCP || protocol == Ipv4Protocols.UDP)
        {
            result = outboundTransport(buffer, protocol, l4Offset, l4Length, nowNs);
        }
        else if (protocol == Ipv4Protocols.ICMP)
        {
            result = outboundIcmp(buffer, l4Offset, l4Length, nowNs);
        }
        else
        {
            return drop(DropReason.UNSUPPORTED_PROTOCOL);
        }

        if (result == FORWARD)
        {
            if (ip.moreFragments())
            {
                trackFirstFragment(true, sourceBefore, nowNs);
            }
            if (config.hairpinning() && publicAddresses.contains(ip.destinationAddress()))
            {
                return hairpin(buffer, ipOffset, ipLength, ingressPort, nowNs);
            }
        }
        return result;
    }

    /**
     * Translates an outbound packet addressed to a public endpoint once more, inbound (RFC 4787
     * REQ-9). Fragments that came before its first fragment were held on the way out, so the
     * outbound flow stays the one whose held fragments {@link #pollReleasedFragment} releases.
     */
    private int hairpin(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final long heldKeyHigh = releaseKeyHigh;
        final long heldKeyLow = releaseKeyLow;
        final int result = inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        releaseKeyHigh = heldKeyHigh;
        releaseKeyLow = heldKeyLow;
        return result == FORWARD ? HAIRPIN : result;
    }

    private int outboundTransport(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (l4Length < minimumTransportHeader(protocol) ||
            (protocol == Ipv4Protocols.TCP && !isTcpHeaderLengthValid(buffer, l4Offset, l4Length)))
        {
            return drop(DropReason.TRUNCATED_L4_HEADER);
        }
        final Ipv4Packet ip = this.ip;
        final int source = ip.sourceAddress();
        final int destination = ip.destinationAddress();
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        final int tcpFlags = protocol == Ipv4Protocols.TCP ? buffer.getByte(l4Offset + 13) & 0xFF : 0;

        int session = sessions.findOutbound(protocol, source, sourcePort, destination, destinationPort);
        if (session == SessionTable.NONE)
        {
            if (protocol == Ipv4Protocols.TCP && (tcpFlags & TcpSegment.RST) != 0)
            {
                return drop(DropReason.NO_MAPPING);
            }
            if (!ip.isFragment() && !isTransportChecksumValid(buffer, protocol, l4Offset, l4Length))
            {
                return drop(DropReason.BAD_L4_CHECKSUM);
            }
            session = createOutboundSession(protocol, source, sourcePort, destination, destinationPort, nowNs);
            if (session < 0)
            {
                return session;
            }
            if (protocol == Ipv4Protocols.TCP && (tcpFlags & TcpSegment.SYN) == 0)
            {
                // picked up mid-stream (e.g. after a restart): treat as established
                sessions.tcpFlags(session, TCP_SYN_OUT | TCP_SYN_IN);
            }
        }
        else if (config.verifyChecksums() && !ip.isFragment() &&
            !isTransportChecksumValid(buffer, protocol, l4Offset, l4Length))
        {
            return drop(DropReason.BAD_L4_CHECKSUM);
        }

        ip.sourceAddress(sessions.publicAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), sessions.ipChecksumDelta(session)));
        buffer.putShort(l4Offset, (short)sessions.publicPort(session), NETWORK);
        rewriteTransportChecksum(buffer, protocol, l4Offset, sessions.l4ChecksumDelta(session));

        refresh(session, protocol, tcpFlags, true, nowNs);
        return FORWARD;
    }

    private int outboundIcmp(
        final MutableDirectBuffer buffer, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (l4Length < IcmpMessage.HEADER_LENGTH)
        {
            return drop(DropReason.TRUNCATED_L4_HEADER);
        }
        final IcmpMessage icmp = this.icmp;
        icmp.wrap(buffer, l4Offset);
        final int type = icmp.type();
        if (IcmpMessage.isError(type))
        {
            return outboundIcmpError(buffer, l4Offset, l4Length);
        }
        if (!IcmpMessage.isQuery(type))
        {
            return drop(DropReason.UNSUPPORTED_PROTOCOL);
        }

        final Ipv4Packet ip = this.ip;
        final int source = ip.sourceAddress();
        final int destination = ip.destinationAddress();
        final int identifier = icmp.identifier();
        int session = sessions.findOutbound(Ipv4Protocols.ICMP, source, identifier, destination, 0);
        if (session == SessionTable.NONE)
        {
            if (!IcmpMessage.isQueryRequest(type))
            {
                return drop(DropReason.NO_MAPPING);
            }
            if (!ip.isFragment() && Checksums.checksum(buffer, l4Offset, l4Length) != 0)
            {
                return drop(DropReason.BAD_L4_CHECKSUM);
            }
            session = createOutboundSession(Ipv4Protocols.ICMP, source, identifier, destination, 0, nowNs);
            if (session < 0)
            {
                return session;
            }
        }

        ip.sourceAddress(sessions.publicAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), sessions.ipChecksumDelta(session)));
        icmp.identifier(sessions.publicPort(session));
        icmp.checksum(Checksums.apply(icmp.checksum(), sessions.l4ChecksumDelta(session)));
        refresh(session, Ipv4Protocols.ICMP, 0, true, nowNs);
        return FORWARD;
    }

    /**
     * An inside host or router reports an error about a packet that came from outside (a TCP or
     * UDP segment, or the reply to an inside host's query): the embedded packet went remote to
     * inside endpoint, so its destination is rewritten to the public endpoint, the outer source
     * to the public address (RFC 5508 REQ-5).
     */
    private int outboundIcmpError(final MutableDirectBuffer buffer, final int icmpOffset, final int icmpLength)
    {
        final int innerL4Offset = embeddedTransportOffset(buffer, icmpOffset, icmpLength);
        if (innerL4Offset < 0)
        {
            return innerL4Offset;
        }
        final Ipv4Packet inner = innerIp;
        final int innerProtocol = inner.protocol();
        final int session;
        if (innerProtocol == Ipv4Protocols.TCP || innerProtocol == Ipv4Protocols.UDP)
        {
            session = sessions.findOutbound(
                innerProtocol, inner.destinationAddress(), buffer.getShort(innerL4Offset + 2, NETWORK) & 0xFFFF,
                inner.sourceAddress(), buffer.getShort(innerL4Offset, NETWORK) & 0xFFFF);
        }
        else if (innerProtocol == Ipv4Protocols.ICMP && isQueryReply(buffer.getByte(innerL4Offset) & 0xFF))
        {
            session = sessions.findOutbound(
                Ipv4Protocols.ICMP, inner.destinationAddress(), buffer.getShort(innerL4Offset + 4, NETWORK) & 0xFFFF,
                inner.sourceAddress(), 0);
        }
        else
        {
            session = SessionTable.NONE;
        }
        if (session == SessionTable.NONE)
        {
            return drop(DropReason.ICMP_ERROR_NO_MAPPING);
        }

        final int publicAddress = sessions.publicAddress(session);
        final Ipv4Packet ip = this.ip;
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), Checksums.delta32(ip.sourceAddress(), publicAddress)));
        ip.sourceAddress(publicAddress);

        inner.destinationAddress(publicAddress);
        inner.headerChecksum(Checksums.apply(inner.headerChecksum(), sessions.ipChecksumDelta(session)));
        buffer.putShort(innerL4Offset + (innerProtocol == Ipv4Protocols.ICMP ? 4 : 2),
            (short)sessions.publicPort(session), NETWORK);
        rewriteEmbeddedChecksum(buffer, innerProtocol, innerL4Offset, icmpOffset + icmpLength,
            sessions.l4ChecksumDelta(session));

        icmp.wrap(buffer, icmpOffset);
        icmp.updateChecksum(icmpLength);
        return FORWARD;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Burst prefetch
    // ------------------------------------------------------------------------------------------------------------

    /**
     * First step of prefetching a burst, for a packet from the inside: loads the session index
     * slot its lookup starts at. A worker holding a burst calls this (or {@link #prefetchInbound})
     * for each packet, then {@link #prefetchSessions()} once, then translates the packets, so the
     * burst's cache misses overlap instead of following one another: once the tables outgrow the
     * caches those misses are most of a translation's cost. It only reads; leaving it out changes
     * nothing but speed. TCP and UDP packets and first fragments only; beyond {@link #MAX_PREFETCH}
     * packets before {@link #prefetchSessions()} it does nothing. Same preconditions as {@link #outbound}.
     */
    public void prefetchOutbound(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        prefetch(true, buffer, ipOffset, ipLength);
    }

    /**
     * As {@link #prefetchOutbound}, for a packet from the outside.
     */
    public void prefetchInbound(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        prefetch(false, buffer, ipOffset, ipLength);
    }

    /**
     * Second step of prefetching a burst: loads the session records the slots loaded by
     * {@link #prefetchOutbound} and {@link #prefetchInbound} name, then forgets them.
     */
    public void prefetchSessions()
    {
        long sum = 0;
        for (int i = 0; i < prefetchCount; i++)
        {
            sum += sessions.prefetchRecord(prefetchSlots[i]);
        }
        prefetchSink += sum;
        prefetchCount = 0;
    }

    /**
     * Remembers the index slot of a TCP or UDP packet or first fragment whose ports lie within
     * {@code ipLength}; ignores anything else, and everything once {@link #MAX_PREFETCH} wait.
     */
    private void prefetch(
        final boolean outbound, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        if (ipLength < Ipv4Packet.MIN_HEADER_LENGTH || prefetchCount == MAX_PREFETCH)
        {
            return;
        }
        final int protocol = buffer.getByte(ipOffset + 9);
        final int l4Offset = ipOffset + ((buffer.getByte(ipOffset) & 0x0F) << 2);
        if ((protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP) || l4Offset + 4 > ipOffset + ipLength ||
            (buffer.getShort(ipOffset + 6, NETWORK) & Ipv4Packet.FRAGMENT_OFFSET_MASK) != 0)
        {
            return;
        }
        final int source = buffer.getInt(ipOffset + 12, NETWORK);
        final int destination = buffer.getInt(ipOffset + 16, NETWORK);
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        prefetchSlots[prefetchCount++] = outbound ?
            sessions.prefetchOutboundSlot(protocol, source, sourcePort, destination, destinationPort) :
            sessions.prefetchInboundSlot(protocol, source, sourcePort, destination, destinationPort);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inbound: outside to inside
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Translates a packet from the outside addressed to a public address. Same preconditions as
     * {@link #outbound}.
     */
    public int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        if (ip.fragmentOffsetBytes() != 0)
        {
            return laterFragment(false, buffer, ipOffset, ipLength, ingressPort, nowNs);
        }

        final int protocol = ip.protocol();
        final int l4Offset = ipOffset + ip.headerLength();
        final int l4Length = ipLength - ip.headerLength();
        final int destinationBefore = ip.destinationAddress();
        final int result;
        if (protocol == Ipv4Protocols.TCP || protocol == Ipv4Protocols.UDP)
        {
            result = inboundTransport(buffer, protocol, l4Offset, l4Length, nowNs);
        }
        else if (protocol == Ipv4Protocols.ICMP)
        {
            result = inboundIcmp(buffer, l4Offset, l4Length, nowNs);
        }
        else
        {
            return drop(DropReason.UNSUPPORTED_PROTOCOL);
        }

        if (result == FORWARD && ip.moreFragments())
        {
            trackFirstFragment(false, destinationBefore, nowNs);
        }
        return result;
    }

    private int inboundTransport(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (l4Length < minimumTransportHeader(protocol) ||
            (protocol == Ipv4Protocols.TCP && !isTcpHeaderLengthValid(buffer, l4Offset, l4Length)))
        {
            return drop(DropReason.TRUNCATED_L4_HEADER);
        }
        final Ipv4Packet ip = this.ip;
        final int source = ip.sourceAddress();
        final int destination = ip.destinationAddress();
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        final int tcpFlags = protocol == Ipv4Protocols.TCP ? buffer.getByte(l4Offset + 13) & 0xFF : 0;

        int session = sessions.findInbound(protocol, source, sourcePort, destination, destinationPort);
        if (session == SessionTable.NONE)
        {
            if (!ip.isFragment() && !isTransportChecksumValid(buffer, protocol, l4Offset, l4Length))
            {
                return drop(DropReason.BAD_L4_CHECKSUM);
            }
            session = createInboundSession(protocol, source, sourcePort, destination, destinationPort, tcpFlags, nowNs);
            if (session < 0)
            {
                return session;
            }
        }
        else if (config.verifyChecksums() && !ip.isFragment() &&
            !isTransportChecksumValid(buffer, protocol, l4Offset, l4Length))
        {
            return drop(DropReason.BAD_L4_CHECKSUM);
        }

        ip.destinationAddress(sessions.insideAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), Checksums.negate(sessions.ipChecksumDelta(session))));
        buffer.putShort(l4Offset + 2, (short)sessions.insidePort(session), NETWORK);
        rewriteTransportChecksum(buffer, protocol, l4Offset, Checksums.negate(sessions.l4ChecksumDelta(session)));

        refresh(session, protocol, tcpFlags, false, nowNs);
        return FORWARD;
    }

    private int inboundIcmp(final MutableDirectBuffer buffer, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (l4Length < IcmpMessage.HEADER_LENGTH)
        {
            return drop(DropReason.TRUNCATED_L4_HEADER);
        }
        final IcmpMessage icmp = this.icmp;
        icmp.wrap(buffer, l4Offset);
        final int type = icmp.type();
        if (IcmpMessage.isError(type))
        {
            return inboundIcmpError(buffer, l4Offset, l4Length);
        }
        if (!IcmpMessage.isQuery(type) || IcmpMessage.isQueryRequest(type))
        {
            return drop(DropReason.NO_MAPPING);
        }
        final Ipv4Packet ip = this.ip;
        final int session = sessions.findInbound(
            Ipv4Protocols.ICMP, ip.sourceAddress(), 0, ip.destinationAddress(), icmp.identifier());
        if (session == SessionTable.NONE)
        {
            return drop(DropReason.NO_MAPPING);
        }
        ip.destinationAddress(sessions.insideAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), Checksums.negate(sessions.ipChecksumDelta(session))));
        icmp.identifier(sessions.insidePort(session));
        icmp.checksum(Checksums.apply(icmp.checksum(), Checksums.negate(sessions.l4ChecksumDelta(session))));
        if (config.inboundRefresh())
        {
            refresh(session, Ipv4Protocols.ICMP, 0, false, nowNs);
        }
        return FORWARD;
    }

    /**
     * An outside host or router reports an error about a packet we sent out: the embedded packet
     * went public endpoint to remote, so its source is rewritten back to the inside endpoint and
     * the outer destination to the inside address (RFC 5508 REQ-4). It neither refreshes nor
     * removes the mapping.
     */
    private int inboundIcmpError(final MutableDirectBuffer buffer, final int icmpOffset, final int icmpLength)
    {
        final int innerL4Offset = embeddedTransportOffset(buffer, icmpOffset, icmpLength);
        if (innerL4Offset < 0)
        {
            return innerL4Offset;
        }
        final Ipv4Packet inner = innerIp;
        final int innerProtocol = inner.protocol();
        final int session;
        if (innerProtocol == Ipv4Protocols.TCP || innerProtocol == Ipv4Protocols.UDP)
        {
            session = sessions.findInbound(
                innerProtocol, inner.destinationAddress(), buffer.getShort(innerL4Offset + 2, NETWORK) & 0xFFFF,
                inner.sourceAddress(), buffer.getShort(innerL4Offset, NETWORK) & 0xFFFF);
        }
        else if (innerProtocol == Ipv4Protocols.ICMP &&
            IcmpMessage.isQueryRequest(buffer.getByte(innerL4Offset) & 0xFF))
        {
            session = sessions.findInbound(
                Ipv4Protocols.ICMP, inner.destinationAddress(), 0, inner.sourceAddress(),
                buffer.getShort(innerL4Offset + 4, NETWORK) & 0xFFFF);
        }
        else
        {
            session = SessionTable.NONE;
        }
        if (session == SessionTable.NONE || ip.destinationAddress() != sessions.publicAddress(session))
        {
            return drop(DropReason.ICMP_ERROR_NO_MAPPING);
        }

        final int insideAddress = sessions.insideAddress(session);
        final int ipDeltaBack = Checksums.negate(sessions.ipChecksumDelta(session));
        final Ipv4Packet ip = this.ip;
        ip.destinationAddress(insideAddress);
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), ipDeltaBack));

        inner.sourceAddress(insideAddress);
        inner.headerChecksum(Checksums.apply(inner.headerChecksum(), ipDeltaBack));
        if (innerProtocol == Ipv4Protocols.ICMP)
        {
            buffer.putShort(innerL4Offset + 4, (short)sessions.insidePort(session), NETWORK);
        }
        else
        {
            buffer.putShort(innerL4Offset, (short)sessions.insidePort(session), NETWORK);
        }
        rewriteEmbeddedChecksum(buffer, innerProtocol, innerL4Offset, icmpOffset + icmpLength,
            Checksums.negate(sessions.l4ChecksumDelta(session)));

        icmp.wrap(buffer, icmpOffset);
        icmp.updateChecksum(icmpLength);
        return FORWARD;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Slow path: session and mapping creation
    // ------------------------------------------------------------------------------------------------------------

    private int createOutboundSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final long nowNs)
    {
        if (!policy.allowOutbound(nowNs, protocol, insideAddress, insidePort, remoteAddress, remotePort))
        {
            return drop(DropReason.FILTERED_BY_POLICY);
        }
        reclaimIfFull(nowNs);
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return drop(DropReason.MAX_SESSIONS);
        }
        if (config.sessionsPerClient() > 0 && clients.sessions(client) >= config.sessionsPerClient())
        {
            clients.releaseIfEmpty(client);
            return drop(DropReason.CLIENT_SESSION_QUOTA);
        }

        int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        boolean newMapping = false;
        if (mapping == MappingTable.NONE)
        {
            if (config.portsPerClient() > 0 && clients.ports(client) >= config.portsPerClient())
            {
                clients.releaseIfEmpty(client);
                return drop(DropReason.CLIENT_PORT_QUOTA);
            }
            mapping = createMapping(
                protocol, insideAddress, insidePort, pairedAddressIndex(insideAddress), 0, MappingKind.DYNAMIC,
                client, nowNs);
            if (mapping < 0)
            {
                clients.releaseIfEmpty(client);
                return mapping;
            }
            newMapping = true;
        }

        final int session = addSession(mapping, remoteAddress, remotePort, client, nowNs);
        if (session < 0 && newMapping)
        {
            removeMapping(mapping, false, nowNs);
        }
        else if (session < 0)
        {
            clients.releaseIfEmpty(client);
        }
        else
        {
            sessionEvent(SESSION_CREATED, session, nowNs);
        }
        return session;
    }

    /**
     * A packet from outside matched a mapping but no session: the filtering behaviour decides
     * whether it may open one (RFC 4787 REQ-8; RFC 5382 REQ-3 for TCP), then the flow policy.
     */
    private int createInboundSession(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress,
        final int publicPort, final int tcpFlags, final long nowNs)
    {
        reclaimIfFull(nowNs);
        final int mapping = mappings.findByPublic(publicAddress, publicPort, protocol);
        if (mapping == MappingTable.NONE)
        {
            return drop(DropReason.NO_MAPPING);
        }
        if (protocol == Ipv4Protocols.TCP && (tcpFlags & (TcpSegment.SYN | TcpSegment.RST)) != TcpSegment.SYN)
        {
            // only a SYN may open an inbound TCP session; anything else is stray
            return drop(DropReason.FILTERED);
        }
        if (!isAdmitted(mapping, remoteAddress))
        {
            return drop(DropReason.FILTERED);
        }
        if (!policy.allowInbound(nowNs, protocol, remoteAddress, remotePort, mappings.insideAddress(mapping),
            mappings.insidePort(mapping), mappings.kind(mapping)))
        {
            return drop(DropReason.FILTERED_BY_POLICY);
        }

        final int client = clients.findOrCreate(mappings.insideAddress(mapping));
        if (client < 0)
        {
            return drop(DropReason.MAX_SESSIONS);
        }
        if (config.sessionsPerClient() > 0 && clients.sessions(client) >= config.sessionsPerClient())
        {
            clients.releaseIfEmpty(client);
            return drop(DropReason.CLIENT_SESSION_QUOTA);
        }
        final int session = addSession(mapping, remoteAddress, remotePort, client, nowNs);
        if (session < 0)
        {
            clients.releaseIfEmpty(client);
        }
        else
        {
            if (mappings.kind(mapping) != MappingKind.DYNAMIC)
            {
                sessions.admittedInbound(session);
            }
            sessionEvent(SESSION_CREATED, session, nowNs);
        }
        return session;
    }

    private boolean isAdmitted(final int mapping, final int remoteAddress)
    {
        final MappingKind kind = mappings.kind(mapping);
        if (kind == MappingKind.STATIC)
        {
            return true;
        }
        if (kind == MappingKind.INBOUND)
        {
            final int filter = mappings.remoteFilter(mapping);
            return filter == 0 || filter == remoteAddress;
        }
        switch (config.filtering())
        {
            case ENDPOINT_INDEPENDENT:
                return true;
            case ADDRESS_DEPENDENT:
                for (int s = mappings.firstSession(mapping); s != SessionTable.NONE; s = sessions.mappingNext(s))
                {
                    if (sessions.remoteAddress(s) == remoteAddress)
                    {
                        return true;
                    }
                }
                return false;
            default:
                return false; // an admitted remote endpoint would have matched its session exactly
        }
    }

    private int addSession(
        final int mapping, final int remoteAddress, final int remotePort, final int client, final long nowNs)
    {
        final int protocol = mappings.protocol(mapping);
        final int session = sessions.add(
            protocol, mappings.insideAddress(mapping), mappings.insidePort(mapping), remoteAddress, remotePort,
            mappings.publicAddress(mapping), mappings.publicPort(mapping), mapping);
        if (session == SessionTable.NONE)
        {
            return drop(DropReason.MAX_SESSIONS);
        }

        final int first = mappings.firstSession(mapping);
        sessions.mappingLinks(session, SessionTable.NONE, first);
        if (first != SessionTable.NONE)
        {
            sessions.mappingLinks(first, session, sessions.mappingNext(first));
        }
        mappings.firstSession(mapping, session);
        clients.addSessions(client, 1);
        sessions.touch(session, initialClass(protocol), nowNs + timeoutNs[initialClass(protocol)]);

        counters.increment(GlobalCounter.SESSIONS_CREATED);
        counters.set(GlobalCounter.SESSIONS_ACTIVE, sessions.size());
        return session;
    }

    private int createMapping(
        final int protocol, final int insideAddress, final int insidePort, final int addressIndex,
        final int wantedPublicPort, final MappingKind kind, final int client, final long nowNs)
    {
        if (addressIndex < 0)
        {
            return drop(DropReason.OUT_OF_PORTS);
        }
        final int publicPort;
        if (wantedPublicPort != 0)
        {
            if (!ports.tryAcquire(addressIndex, protocol, wantedPublicPort))
            {
                return drop(DropReason.OUT_OF_PORTS);
            }
            publicPort = wantedPublicPort;
        }
        else
        {
            publicPort = ports.acquire(
                addressIndex, protocol, insidePort, config.portPreservation(),
                config.portParity() && protocol != Ipv4Protocols.ICMP);
            if (publicPort < 0)
            {
                return drop(DropReason.OUT_OF_PORTS);
            }
        }
        final int publicAddress = publicAddresses.address(addressIndex);
        final int mapping = mappings.add(
            protocol, insideAddress, insidePort, publicAddress, publicPort, addressIndex, kind);
        if (mapping == MappingTable.NONE)
        {
            ports.release(addressIndex, protocol, publicPort);
            return drop(DropReason.MAX_SESSIONS);
        }
        clients.addPorts(client, 1);
        counters.set(GlobalCounter.MAPPINGS_ACTIVE, mappings.size());
        counters.set(GlobalCounter.PORTS_IN_USE, ports.portsInUse());
        if (!restoring)
        {
            events.onMappingCreated(nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind.id());
        }
        return mapping;
    }

    /**
     * Paired address pooling (RFC 4787 REQ-2): an inside address always gets the same public address.
     */
    private int pairedAddressIndex(final int insideAddress)
    {
        return (int)((HashIndex.hash(insideAddress, 0x2545F491L) & 0xFFFF_FFFFL) % publicAddresses.size());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refresh, TCP state and expiry
    // ------------------------------------------------------------------------------------------------------------

    private static int initialClass(final int protocol)
    {
        return switch (protocol)
        {
            case Ipv4Protocols.TCP -> SessionTable.CLASS_TCP_TRANSITORY;
            case Ipv4Protocols.UDP -> SessionTable.CLASS_UDP;
            default -> SessionTable.CLASS_ICMP;
        };
    }

    private void refresh(
        final int session, final int protocol, final int tcpFlags, final boolean outbound, final long nowNs)
    {
        int timeoutClass = initialClass(protocol);
        if (protocol == Ipv4Protocols.TCP)
        {
            final int before = sessions.tcpFlags(session);
            final int after = nextTcpState(before, tcpFlags, outbound);
            if (after != before)
            {
                sessions.tcpFlags(session, after);
            }
            timeoutClass = isEstablished(after) ? SessionTable.CLASS_TCP_ESTABLISHED : SessionTable.CLASS_TCP_TRANSITORY;
            if (!outbound && !config.inboundRefresh() && timeoutClass == sessions.timeoutClass(session))
            {
                return;
            }
        }
        else if (!outbound && !config.inboundRefresh())
        {
            return;
        }
        final long deadlineNs = nowNs + timeoutNs[timeoutClass];
        if (((deadlineNs ^ sessions.deadlineNs(session)) >>> REFRESH_EVENT_SHIFT) != 0)
        {
            sessionEvent(SESSION_REFRESHED, session, nowNs);
        }
        sessions.touch(session, timeoutClass, deadlineNs);
    }

    /**
     * TCP state as the flags seen each way (RFC 5382 section 5; RFC 7857 section 2.2): established
     * once both sides sent a SYN (simultaneous open included), transitory again after a FIN or RST;
     * a fresh SYN on a closed session starts it over.
     */
    static int nextTcpState(final int state, final int tcpFlags, final boolean outbound)
    {
        int next = state;
        if ((tcpFlags & TcpSegment.SYN) != 0 && (tcpFlags & TcpSegment.ACK) == 0 &&
            (state & (TCP_FIN_OUT | TCP_FIN_IN | TCP_RST)) != 0)
        {
            next = 0;
        }
        if ((tcpFlags & TcpSegment.SYN) != 0)
        {
            next |= outbound ? TCP_SYN_OUT : TCP_SYN_IN;
        }
        if ((tcpFlags & TcpSegment.FIN) != 0)
        {
            next |= outbound ? TCP_FIN_OUT : TCP_FIN_IN;
        }
        if ((tcpFlags & TcpSegment.RST) != 0)
        {
            next |= TCP_RST;
        }
        return next;
    }

    static boolean isEstablished(final int state)
    {
        return (state & (TCP_SYN_OUT | TCP_SYN_IN)) == (TCP_SYN_OUT | TCP_SYN_IN) &&
            (state & (TCP_FIN_OUT | TCP_FIN_IN | TCP_RST)) == 0;
    }

    /**
     * Expires sessions (and with them dynamic mappings), inbound mappings, fragment flows and held
     * fragments whose deadline has passed, at most {@code limit} sessions per call.
     *
     * @return the amount of work done.
     */
    public int expire(final long nowNs, final int limit)
    {
        int work = 0;
        for (int timeoutClass = 0; timeoutClass < SessionTable.CLASS_COUNT; timeoutClass++)
        {
            int session;
            while (work < limit && (session = sessions.oldest(timeoutClass)) != SessionTable.NONE &&
                sessions.deadlineNs(session) - nowNs <= 0)
            {
                removeSession(session, true, nowNs);
                counters.increment(GlobalCounter.SESSIONS_EXPIRED);
                work++;
            }
        }

        if (!inboundMappingScanStarted || nowNs - nextInboundMappingScanNs >= 0)
        {
            inboundMappingScanStarted = true;
            nextInboundMappingScanNs = nowNs + INBOUND_MAPPING_SCAN_INTERVAL_NS;
            for (int i = inboundMappingCount - 1; i >= 0; i--)
            {
                final int mapping = inboundMappings[i];
                if (mappings.deadlineNs(mapping) - nowNs <= 0)
                {
                    endMapping(mapping, true, nowNs);
                    work++;
                }
            }
            work += fragments.expire(nowNs, fragmentTimeoutsPerPort);
            for (int port = 0; port < fragmentTimeoutsPerPort.length; port++)
            {
                for (; fragmentTimeoutsPerPort[port] > 0; fragmentTimeoutsPerPort[port]--)
                {
                    counters.drop(port, DropReason.FRAGMENT_TIMEOUT);
                }
            }
        }
        return work;
    }

    /**
     * A full table reclaims sessions already past their deadline, and the dynamic mappings they
     * leave empty, before refusing a new one. It runs before anything is looked up, since the
     * mapping or client a new session would join may go with them.
     */
    private void reclaimIfFull(final long nowNs)
    {
        if (sessions.size() == sessions.capacity() || mappings.size() == mappings.capacity())
        {
            reclaimExpired(nowNs);
        }
    }

    private int reclaimExpired(final long nowNs)
    {
        int reclaimed = 0;
        for (int timeoutClass = 0; timeoutClass < SessionTable.CLASS_COUNT; timeoutClass++)
        {
            int session;
            while (reclaimed < 64 && (session = sessions.oldest(timeoutClass)) != SessionTable.NONE &&
                sessions.deadlineNs(session) - nowNs <= 0)
            {
                removeSession(session, true, nowNs);
                reclaimed++;
            }
        }
        counters.add(GlobalCounter.SESSIONS_RECLAIMED, reclaimed);
        return reclaimed;
    }

    private void removeSession(final int session, final boolean expired, final long nowNs)
    {
        sessionEvent(expired ? SESSION_EXPIRED : SESSION_REMOVED, session, nowNs);
        final int mapping = sessions.mapping(session);
        final int previous = sessions.mappingPrevious(session);
        final int next = sessions.mappingNext(session);
        if (previous == SessionTable.NONE)
        {
            mappings.firstSession(mapping, next);
        }
        else
        {
            sessions.mappingLinks(previous, sessions.mappingPrevious(previous), next);
        }
        if (next != SessionTable.NONE)
        {
            sessions.mappingLinks(next, previous, sessions.mappingNext(next));
        }

        final int client = clients.find(sessions.insideAddress(session));
        sessions.remove(session);
        if (client >= 0)
        {
            clients.addSessions(client, -1);
        }
        counters.set(GlobalCounter.SESSIONS_ACTIVE, sessions.size());

        if (mappings.firstSession(mapping) == SessionTable.NONE && mappings.kind(mapping) == MappingKind.DYNAMIC &&
            mappings.deadlineNs(mapping) == 0)
        {
            removeMapping(mapping, expired, nowNs);
        }
    }

    private void removeMapping(final int mapping, final boolean expired, final long nowNs)
    {
        final int protocol = mappings.protocol(mapping);
        final int insideAddress = mappings.insideAddress(mapping);
        final int insidePort = mappings.insidePort(mapping);
        final int publicAddress = mappings.publicAddress(mapping);
        final int publicPort = mappings.publicPort(mapping);
        if (mappings.kind(mapping) == MappingKind.INBOUND || mappings.deadlineNs(mapping) != 0)
        {
            forgetInboundMapping(mapping);
        }
        ports.release(mappings.publicAddressIndex(mapping), protocol, publicPort);
        mappings.remove(mapping);
        final int client = clients.find(insideAddress);
        if (client >= 0)
        {
            clients.addPorts(client, -1);
        }
        counters.set(GlobalCounter.MAPPINGS_ACTIVE, mappings.size());
        counters.set(GlobalCounter.PORTS_IN_USE, ports.portsInUse());
        if (expired)
        {
            events.onMappingExpired(nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
        else
        {
            events.onMappingRemoved(nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
    }

    /**
     * Ends a static or inbound mapping: the sessions that came in through it end with it, so nothing
     * new or old reaches the inside endpoint that way any more. When the inside endpoint also has
     * sessions it opened itself, the mapping stays for them as a dynamic one.
     */
    private void endMapping(final int mapping, final boolean expired, final long nowNs)
    {
        if (mappings.kind(mapping) == MappingKind.INBOUND || mappings.deadlineNs(mapping) != 0)
        {
            forgetInboundMapping(mapping);
        }
        mappings.kind(mapping, MappingKind.DYNAMIC);
        mappings.remoteFilter(mapping, 0);
        mappings.deadlineNs(mapping, 0);

        int outboundOpened = 0;
        for (int s = mappings.firstSession(mapping); s != SessionTable.NONE; s = sessions.mappingNext(s))
        {
            outboundOpened += sessions.isAdmittedInbound(s) ? 0 : 1;
        }
        if (mappings.firstSession(mapping) == SessionTable.NONE)
        {
            removeMapping(mapping, expired, nowNs);
            return;
        }
        // removing the last session removes the (now dynamic) mapping too
        int session = mappings.firstSession(mapping);
        while (session != SessionTable.NONE)
        {
            final int next = sessions.mappingNext(session);
            if (outboundOpened == 0 || sessions.isAdmittedInbound(session))
            {
                removeSession(session, expired, nowNs);
            }
            session = next;
        }
    }

    private void forgetInboundMapping(final int mapping)
    {
        for (int i = 0; i < inboundMappingCount; i++)
        {
            if (inboundMappings[i] == mapping)
            {
                inboundMappings[i] = inboundMappings[--inboundMappingCount];
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fragments
    // ------------------------------------------------------------------------------------------------------------

    private void trackFirstFragment(final boolean outbound, final int originalAddress, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        final int rewritten = outbound ? ip.sourceAddress() : ip.destinationAddress();
        final long high = outbound ?
            FragmentTable.keyHigh(originalAddress, ip.destinationAddress()) :
            FragmentTable.keyHigh(ip.sourceAddress(), originalAddress);
        final long low = FragmentTable.keyLow(outbound, ip.protocol(), ip.identification());
        if (fragments.track(high, low, rewritten, Checksums.delta32(originalAddress, rewritten),
            nowNs + config.fragmentTimeoutNs()))
        {
            releaseKeyHigh = high;
            releaseKeyLow = low;
        }
    }

    private int laterFragment(
        final boolean outbound, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final int ingressPort, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        final long high = FragmentTable.keyHigh(ip.sourceAddress(), ip.destinationAddress());
        final long low = FragmentTable.keyLow(outbound, ip.protocol(), ip.identification());
        final int flow = fragments.find(high, low);
        if (flow == FragmentTable.NONE)
        {
            if (fragments.hold(high, low, buffer, ipOffset, ipLength, ingressPort, nowNs + config.fragmentTimeoutNs()))
            {
                counters.increment(GlobalCounter.FRAGMENTS_BUFFERED);
                return HELD;
            }
            return drop(DropReason.FRAGMENT_BUFFER_FULL);
        }
        if (outbound)
        {
            ip.sourceAddress(fragments.newAddress(flow));
        }
        else
        {
            ip.destinationAddress(fragments.newAddress(flow));
        }
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), fragments.addressDelta(flow)));
        fragments.refresh(flow, nowNs + config.fragmentTimeoutNs());
        if (outbound && config.hairpinning() && publicAddresses.contains(ip.destinationAddress()))
        {
            return hairpin(buffer, ipOffset, ipLength, ingressPort, nowNs);
        }
        return FORWARD;
    }

    /**
     * After a first fragment was translated, hands back, one per call, the fragments of its datagram
     * that arrived before it, as IP packets, for the caller to translate now.
     *
     * @return the length copied to {@code destination}, or 0 when none is left.
     */
    public int pollReleasedFragment(final MutableDirectBuffer destination, final int offset)
    {
        if (releaseKeyLow == 0)
        {
            return 0;
        }
        final int length = fragments.release(releaseKeyHigh, releaseKeyLow, destination, offset);
        if (length == 0)
        {
            releaseKeyLow = 0;
        }
        return length;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Commands from the control plane
    // ------------------------------------------------------------------------------------------------------------

    public void addStaticMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        final long nowNs = commandTimeNs;
        reclaimIfFull(nowNs);
        final int addressIndex = publicAddresses.indexOf(publicAddress);
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || publicPort == 0)
        {
            completed(correlationId, CommandStatus.BAD_ARGUMENT, 0, 0);
            return;
        }
        if (addressIndex < 0)
        {
            completed(correlationId, CommandStatus.NOT_A_PUBLIC_ADDRESS, 0, 0);
            return;
        }
        if (mappings.findByInside(insideAddress, insidePort, protocol) != MappingTable.NONE ||
            !ports.isFree(addressIndex, protocol, publicPort))
        {
            completed(correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0);
            return;
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
            return;
        }
        final int mapping = createMapping(
            protocol, insideAddress, insidePort, addressIndex, publicPort, MappingKind.STATIC, client, nowNs);
        if (mapping < 0)
        {
            clients.releaseIfEmpty(client);
            completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
            return;
        }
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        final int mapping = mappings.findByPublic(publicAddress, publicPort, protocol);
        if (mapping == MappingTable.NONE || mappings.kind(mapping) != MappingKind.STATIC)
        {
            completed(correlationId, CommandStatus.NOT_FOUND, 0, 0);
            return;
        }
        endMapping(mapping, false, commandTimeNs);
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    public void openInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicPort, final int remoteAddress, final long lifetimeNs)
    {
        final long nowNs = commandTimeNs;
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || lifetimeNs <= 0)
        {
            completed(correlationId, CommandStatus.BAD_ARGUMENT, 0, 0);
            return;
        }
        reclaimIfFull(nowNs);
        int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping != MappingTable.NONE)
        {
            final MappingKind kind = mappings.kind(mapping);
            if (kind == MappingKind.STATIC)
            {
                completed(correlationId, CommandStatus.CONFLICTS_WITH_STATIC, 0, 0);
                return;
            }
            if (kind == MappingKind.DYNAMIC)
            {
                final boolean held = mappings.deadlineNs(mapping) != 0; // restored, already listed
                if (!held && inboundMappingCount == inboundMappings.length)
                {
                    completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                    return;
                }
                mappings.kind(mapping, MappingKind.INBOUND);
                if (!held)
                {
                    inboundMappings[inboundMappingCount++] = mapping;
                }
            }
        }
        else
        {
            if (inboundMappingCount == inboundMappings.length)
            {
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            final int client = clients.findOrCreate(insideAddress);
            if (client < 0)
            {
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            if (config.portsPerClient() > 0 && clients.ports(client) >= config.portsPerClient())
            {
                clients.releaseIfEmpty(client);
                completed(correlationId, CommandStatus.QUOTA_EXCEEDED, 0, 0);
                return;
            }
            final int addressIndex = pairedAddressIndex(insideAddress);
            final int wanted = publicPort != 0 && ports.isFree(addressIndex, protocol, publicPort) ? publicPort : 0;
            mapping = createMapping(
                protocol, insideAddress, insidePort, addressIndex, wanted, MappingKind.INBOUND, client, nowNs);
            if (mapping < 0)
            {
                clients.releaseIfEmpty(client);
                completed(correlationId, mapping == drop(DropReason.OUT_OF_PORTS) ?
                    CommandStatus.OUT_OF_PORTS : CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            inboundMappings[inboundMappingCount++] = mapping;
        }
        mappings.remoteFilter(mapping, remoteAddress);
        mappings.deadlineNs(mapping, nowNs + lifetimeNs);
        completed(correlationId, CommandStatus.OK, mappings.publicAddress(mapping), mappings.publicPort(mapping));
    }

    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        final int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping == MappingTable.NONE || mappings.kind(mapping) != MappingKind.INBOUND)
        {
            completed(correlationId, CommandStatus.NOT_FOUND, 0, 0);
            return;
        }
        final int publicAddress = mappings.publicAddress(mapping);
        final int publicPort = mappings.publicPort(mapping);
        endMapping(mapping, false, commandTimeNs);
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    /**
     * Replaces the policy new flows are checked against (existing sessions keep going). Worker thread
     * only, like every other call: the control plane swaps it in through a worker task.
     */
    public void flowPolicy(final FlowPolicy policy)
    {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Sets the time commands applied next are stamped with; the worker calls it once per duty cycle.
     */
    public void commandTimeNs(final long nowNs)
    {
        commandTimeNs = nowNs;
    }

    private void completed(
        final long correlationId, final CommandStatus status, final int publicAddress, final int publicPort)
    {
        counters.increment(status == CommandStatus.OK ? GlobalCounter.COMMANDS_APPLIED : GlobalCounter.COMMANDS_REJECTED);
        events.onCommandCompleted(commandTimeNs, correlationId, status.id(), publicAddress, publicPort);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Warm restart
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Puts back a mapping a journal says was live, before the first frame of a restart. Nothing is
     * reported: whoever restores journals what it restored. A dynamic mapping is held until
     * {@code holdUntilNs} even without sessions (its inside host may send again and find its public
     * endpoint unchanged), then lives by its sessions as any other. Inbound mappings belong to the
     * control-plane state that opened them and are not restored.
     *
     * @param holdUntilNs for a dynamic mapping, when it may go if it has no session (engine clock); ignored
     *                    for a static one.
     */
    public CommandStatus restoreMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final MappingKind kind, final long holdUntilNs)
    {
        final int addressIndex = publicAddresses.indexOf(publicAddress);
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || publicPort == 0 ||
            kind == MappingKind.INBOUND || (kind == MappingKind.DYNAMIC && holdUntilNs == 0))
        {
            return CommandStatus.BAD_ARGUMENT;
        }
        if (addressIndex < 0)
        {
            return CommandStatus.NOT_A_PUBLIC_ADDRESS;
        }
        if (mappings.findByInside(insideAddress, insidePort, protocol) != MappingTable.NONE ||
            !ports.isFree(addressIndex, protocol, publicPort))
        {
            return CommandStatus.PUBLIC_ENDPOINT_IN_USE;
        }
        if (kind == MappingKind.DYNAMIC && inboundMappingCount == inboundMappings.length)
        {
            return CommandStatus.TABLE_FULL;
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return CommandStatus.TABLE_FULL;
        }
        restoring = true;
        final int mapping;
        try
        {
            mapping = createMapping(
                protocol, insideAddress, insidePort, addressIndex, publicPort, kind, client, commandTimeNs);
        }
        finally
        {
            restoring = false;
        }
        if (mapping < 0)
        {
            clients.releaseIfEmpty(client);
            return CommandStatus.TABLE_FULL;
        }
        if (kind == MappingKind.DYNAMIC)
        {
            mappings.deadlineNs(mapping, holdUntilNs);
            inboundMappings[inboundMappingCount++] = mapping;
        }
        return CommandStatus.OK;
    }

    /**
     * Puts back a session a journal says was live, through the mapping of its inside endpoint, which
     * must have been restored (or configured) first. Sessions of one timeout class must come in
     * order of deadline, as expiry takes them oldest first. Nothing is reported.
     *
     * @param state      the TCP bits ({@link #TCP_SYN_OUT} ...) and {@link #SESSION_ADMITTED_INBOUND}, as
     *                   the session events carry them.
     * @param deadlineNs when it expires unless refreshed (engine clock).
     * @return {@link CommandStatus#NOT_FOUND} without the mapping, {@link CommandStatus#PUBLIC_ENDPOINT_IN_USE}
     * when the session exists already.
     */
    public CommandStatus restoreSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int state, final long deadlineNs)
    {
        final int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping == MappingTable.NONE)
        {
            return CommandStatus.NOT_FOUND;
        }
        if (sessions.findOutbound(protocol, insideAddress, insidePort, remoteAddress, remotePort) != SessionTable.NONE)
        {
            return CommandStatus.PUBLIC_ENDPOINT_IN_USE;
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return CommandStatus.TABLE_FULL;
        }
        final int session = addSession(mapping, remoteAddress, remotePort, client, commandTimeNs);
        if (session < 0)
        {
            clients.releaseIfEmpty(client);
            return CommandStatus.TABLE_FULL;
        }
        final int tcpState = state & 0xFF;
        if (protocol == Ipv4Protocols.TCP)
        {
            sessions.tcpFlags(session, tcpState);
        }
        if ((state & SESSION_ADMITTED_INBOUND) != 0 && mappings.kind(mapping) != MappingKind.DYNAMIC)
        {
            sessions.admittedInbound(session);
        }
        final int timeoutClass = protocol != Ipv4Protocols.TCP ? initialClass(protocol) :
            isEstablished(tcpState) ? SessionTable.CLASS_TCP_ESTABLISHED : SessionTable.CLASS_TCP_TRANSITORY;
        sessions.touch(session, timeoutClass, deadlineNs);
        return CommandStatus.OK;
    }

    /**
     * Reports a session event. Sessions are made and ended on the slow path, so an event each costs
     * one ring write there; refreshes are reported at most about once a minute a session.
     */
    private void sessionEvent(final int type, final int session, final long nowNs)
    {
        final SessionTable sessions = this.sessions;
        final int protocol = sessions.protocol(session);
        final int insideAddress = sessions.insideAddress(session);
        final int insidePort = sessions.insidePort(session);
        final int publicAddress = sessions.publicAddress(session);
        final int publicPort = sessions.publicPort(session);
        final int remoteAddress = sessions.remoteAddress(session);
        final int remotePort = sessions.remotePort(session);
        final int state =
            sessions.tcpFlags(session) | (sessions.isAdmittedInbound(session) ? SESSION_ADMITTED_INBOUND : 0);
        switch (type)
        {
            case SESSION_CREATED -> events.onSessionCreated(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            case SESSION_REFRESHED -> events.onSessionRefreshed(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            case SESSION_EXPIRED -> events.onSessionExpired(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            default -> events.onSessionRemoved(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inspection
    // ------------------------------------------------------------------------------------------------------------

    public int sessionCount()
    {
        return sessions.size();
    }

    public int mappingCount()
    {
        return mappings.size();
    }

    public int portsInUse()
    {
        return ports.portsInUse();
    }

    /**
     * @return the memory the tables take, all preallocated at construction.
     */
    public long tableCapacityBytes()
    {
        return sessions.capacityBytes() + mappings.capacityBytes() + clients.capacityBytes() + ports.capacityBytes();
    }

    /**
     * @return bytes of session and mapping tables per session of capacity: the cost of one session
     * with its own mapping (the worst case).
     */
    public double bytesPerSession()
    {
        return (double)(sessions.capacityBytes() + mappings.capacityBytes()) / sessions.capacity();
    }

    /**
     * Walks every session. Not for the fast path: the admin endpoint and tests use it.
     */
    public void forEachSession(final SessionVisitor visitor)
    {
        for (int s = 0; s < sessions.capacity(); s++)
        {
            if (sessions.isLive(s))
            {
                visitor.onSession(
                    sessions.protocol(s), sessions.insideAddress(s), sessions.insidePort(s), sessions.publicAddress(s),
                    sessions.publicPort(s), sessions.remoteAddress(s), sessions.remotePort(s), sessions.deadlineNs(s),
                    sessions.tcpFlags(s), mappings.kind(sessions.mapping(s)));
            }
        }
    }

    /**
     * Walks every mapping.
     */
    public void forEachMapping(final MappingVisitor visitor)
    {
        for (int m = 0; m < mappings.capacity(); m++)
        {
            if (mappings.isLive(m))
            {
                int count = 0;
                for (int s = mappings.firstSession(m); s != SessionTable.NONE; s = sessions.mappingNext(s))
                {
                    count++;
                }
                visitor.onMapping(
                    mappings.protocol(m), mappings.insideAddress(m), mappings.insidePort(m), mappings.publicAddress(m),
                    mappings.publicPort(m), mappings.kind(m), count, mappings.deadlineNs(m));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return true for the query replies, which an inside host receives through its query session.
     */
    private static boolean isQueryReply(final int type)
    {
        return IcmpMessage.isQuery(type) && !IcmpMessage.isQueryRequest(type);
    }

    private static int minimumTransportHeader(final int protocol)
    {
        return protocol == Ipv4Protocols.TCP ? TcpSegment.MIN_HEADER_LENGTH : UdpDatagram.HEADER_LENGTH;
    }

    private static boolean isTcpHeaderLengthValid(final MutableDirectBuffer buffer, final int l4Offset, final int l4Length)
    {
        final int dataOffset = ((buffer.getByte(l4Offset + 12) & 0xFF) >>> 4) << 2;
        return dataOffset >= TcpSegment.MIN_HEADER_LENGTH && dataOffset <= l4Length;
    }

    private boolean isTransportChecksumValid(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length)
    {
        int checkedLength = l4Length;
        if (protocol == Ipv4Protocols.UDP)
        {
            final int udpLength = buffer.getShort(l4Offset + 4, NETWORK) & 0xFFFF;
            if (udpLength < UdpDatagram.HEADER_LENGTH || udpLength > l4Length)
            {
                return false;
            }
            if (buffer.getShort(l4Offset + UdpDatagram.CHECKSUM_OFFSET) == 0)
            {
                return true;
            }
            checkedLength = udpLength; // bytes after the datagram are the IP payload's, not covered (RFC 768)
        }
        final Ipv4Packet ip = this.ip;
        final long sum = Checksums.sum(buffer, l4Offset, checkedLength,
            Checksums.pseudoHeaderSum(ip.sourceAddress(), ip.destinationAddress(), protocol, checkedLength));
        return Checksums.fold(sum) == 0xFFFF;
    }

    private static void rewriteTransportChecksum(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int delta)
    {
        if (protocol == Ipv4Protocols.TCP)
        {
            final int at = l4Offset + TcpSegment.CHECKSUM_OFFSET;
            buffer.putShort(at, (short)Checksums.apply(buffer.getShort(at, NETWORK) & 0xFFFF, delta), NETWORK);
        }
        else
        {
            final int at = l4Offset + UdpDatagram.CHECKSUM_OFFSET;
            buffer.putShort(at, (short)Checksums.applyUdp(buffer.getShort(at, NETWORK) & 0xFFFF, delta), NETWORK);
        }
    }

    /**
     * The embedded packet of an ICMP error carries at least 8 bytes of its transport header; its
     * checksum is updated when the field is inside what was quoted.
     */
    private static void rewriteEmbeddedChecksum(
        final MutableDirectBuffer buffer, final int protocol, final int innerL4Offset, final int end, final int delta)
    {
        final int at = innerL4Offset + switch (protocol)
        {
            case Ipv4Protocols.TCP -> TcpSegment.CHECKSUM_OFFSET;
            case Ipv4Protocols.UDP -> UdpDatagram.CHECKSUM_OFFSET;
            default -> IcmpMessage.CHECKSUM_OFFSET;
        };
        if (at + 2 <= end)
        {
            final int checksum = buffer.getShort(at, NETWORK) & 0xFFFF;
            final int updated = protocol == Ipv4Protocols.UDP ?
                Checksums.applyUdp(checksum, delta) : Checksums.apply(checksum, delta);
            buffer.putShort(at, (short)updated, NETWORK);
        }
    }

    /**
     * Checks an ICMP error as RFC 5508 REQ-3 asks before it is translated: its checksum verifies
     * (the translation recomputes it, which would otherwise pass on a corrupted message as sound);
     * the quote holds the IP header, options included (REQ-3b), and 8 bytes of transport header;
     * the quoted IP header's checksum verifies (REQ-3a). The quoted transport checksum is not
     * checked (REQ-3c). Wraps {@link #innerIp} on the quoted packet.
     *
     * @return the offset of the quoted transport header, or a drop code.
     */
    private int embeddedTransportOffset(final MutableDirectBuffer buffer, final int icmpOffset, final int icmpLength)
    {
        if (!ip.isFragment() && Checksums.checksum(buffer, icmpOffset, icmpLength) != 0)
        {
            return drop(DropReason.BAD_L4_CHECKSUM);
        }
        final int innerOffset = icmpOffset + IcmpMessage.EMBEDDED_OFFSET;
        final int quotedLength = icmpLength - IcmpMessage.EMBEDDED_OFFSET;
        if (quotedLength < Ipv4Packet.MIN_HEADER_LENGTH + 8)
        {
            return drop(DropReason.MALFORMED_ICMP);
        }
        final Ipv4Packet inner = innerIp;
        inner.wrap(buffer, innerOffset);
        final int headerLength = inner.headerLength();
        if (inner.version() != 4 || headerLength < Ipv4Packet.MIN_HEADER_LENGTH || quotedLength < headerLength + 8 ||
            !inner.isHeaderChecksumValid())
        {
            return drop(DropReason.MALFORMED_ICMP);
        }
        return innerOffset + headerLength;
    }
}
