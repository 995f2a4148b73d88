package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.datapath.nat.NatEngine.FORWARD;
import static io.natgate.datapath.nat.NatEngine.HAIRPIN;
import static io.natgate.datapath.nat.NatEngine.HANDOFF;
import static io.natgate.datapath.nat.NatEngine.drop;

/**
 * The complete translation of a packet, for whatever {@link FastPath} leaves: the first packet
 * of a flow (which makes its session), fragments, ICMP queries and errors, hairpinning, and
 * packets whose checksum the configuration verifies. Correct for any packet, the fast path's
 * included: it looks the session up again.
 */
final class SlowPath
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final NatTables tables;
    private final NatConfig config;
    private final AddressSet publicAddresses;
    private final SessionTable sessions;
    private final SessionFactory factory;
    private final SessionRefresh refresh;
    private final FragmentTranslation fragments;
    private final IcmpErrorTranslation icmpErrors;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private int ipLength; // of the packet being translated, counted on its session
    private int handoffWorker;

    SlowPath(
        final NatTables tables, final SessionFactory factory, final SessionRefresh refresh,
        final FragmentTranslation fragments, final IcmpErrorTranslation icmpErrors)
    {
        this.tables = tables;
        this.config = tables.config;
        this.publicAddresses = tables.publicAddresses;
        this.sessions = tables.sessions;
        this.factory = factory;
        this.refresh = refresh;
        this.fragments = fragments;
        this.icmpErrors = icmpErrors;
    }

    int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        this.ipLength = ipLength;
        fragments.clearLastFlow();
        if (ip.fragmentOffsetBytes() != 0)
        {
            final int result = fragments.translateLater(true, ip, buffer, ipOffset, ipLength, ingressPort, nowNs);
            if (result == FORWARD && isHairpin(ip.destinationAddress()))
            {
                return hairpin(buffer, ipOffset, ipLength, ingressPort, nowNs);
            }
            return result;
        }
        if (ip.moreFragments() && fragments.isRepeatedFirst(true, ip))
        {
            return drop(DropReason.FRAGMENT_OVERLAP);
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
                fragments.trackFirst(true, ip, sourceBefore, nowNs);
            }
            if (isHairpin(ip.destinationAddress()))
            {
                return hairpin(buffer, ipOffset, ipLength, ingressPort, nowNs);
            }
        }
        return result;
    }

    int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        this.ipLength = ipLength;
        if (ip.fragmentOffsetBytes() != 0)
        {
            return fragments.translateLater(false, ip, buffer, ipOffset, ipLength, ingressPort, nowNs);
        }
        if (ip.moreFragments() && fragments.isRepeatedFirst(false, ip))
        {
            return drop(DropReason.FRAGMENT_OVERLAP);
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
            fragments.trackFirst(false, ip, destinationBefore, nowNs);
        }
        return result;
    }

    private boolean isHairpin(final int destination)
    {
        return config.hairpinning() && publicAddresses.contains(destination);
    }

    /**
     * Translates an outbound packet addressed to a public endpoint once more, inbound (RFC 4787
     * REQ-9). Fragments that came before its first fragment were held on the way out, so the
     * outbound flow stays the one whose held fragments are released.
     */
    private int hairpin(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final int owner = destinationWorker(buffer, ipOffset, ipLength);
        if (owner != config.workerIndex())
        {
            if (ip.moreFragments() && ip.fragmentOffsetBytes() == 0)
            {
                fragments.lastFlowHandoff(owner); // its later fragments follow it there
            }
            handoffWorker = owner;
            return HANDOFF;
        }
        final long heldKeyHigh = fragments.releaseKeyHigh();
        final long heldKeyLow = fragments.releaseKeyLow();
        final int result = inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        fragments.releaseKey(heldKeyHigh, heldKeyLow);
        return result == FORWARD ? HAIRPIN : result;
    }

    int handoffWorker()
    {
        return handoffWorker;
    }

    /**
     * @return the worker that owns a hairpinned packet's destination: for a later fragment, where its first
     * fragment went; this one for ICMP, which is translated or dropped here.
     */
    private int destinationWorker(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        final WorkerSteering steering = tables.steering;
        final Ipv4Packet ip = this.ip;
        final int protocol = ip.protocol();
        if (ip.fragmentOffsetBytes() != 0)
        {
            final int handoff = fragments.lastFlowHandoff();
            return handoff < 0 ? config.workerIndex() : handoff;
        }
        if (steering.workers() == 1 || (protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP) || ipLength < ip.headerLength() + 4)
        {
            return config.workerIndex();
        }
        final int port = buffer.getShort(ipOffset + ip.headerLength() + 2, NETWORK) & 0xFFFF;
        return steering.publicWorker(protocol, ip.destinationAddress(), port);
    }

    private int outboundTransport(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (!TransportChecks.isHeaderWhole(buffer, protocol, l4Offset, l4Length))
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
            if (!ip.isFragment() &&
                !TransportChecks.isTransportChecksumValid(buffer, source, destination, protocol, l4Offset, l4Length,
                tables.frameOffload))
            {
                return drop(DropReason.BAD_L4_CHECKSUM);
            }
            session = factory.createOutbound(protocol, source, sourcePort, destination, destinationPort, nowNs);
            if (session < 0)
            {
                return session;
            }
            if (protocol == Ipv4Protocols.TCP && (tcpFlags & TcpSegment.SYN) == 0)
            {
                // picked up mid-stream (e.g. after a restart): treat as established
                sessions.tcpFlags(session, NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN | NatEngine.TCP_ACKED);
            }
        }
        else if (config.verifyChecksums() && !ip.isFragment() &&
            !TransportChecks.isTransportChecksumValid(buffer, source, destination, protocol, l4Offset, l4Length,
                tables.frameOffload))
        {
            return drop(DropReason.BAD_L4_CHECKSUM);
        }

        ip.sourceAddress(sessions.publicAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), sessions.ipChecksumDelta(session)));
        buffer.putShort(l4Offset, (short)sessions.publicPort(session), NETWORK);
        TransportChecks.rewriteTransportChecksum(buffer, protocol, l4Offset, sessions.l4ChecksumDelta(session),
            sessions.ipChecksumDelta(session), tables.frameOffload);

        refresh.refresh(session, protocol, tcpFlags, true, ipLength, nowNs);
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
        final Ipv4Packet ip = this.ip;
        if (IcmpMessage.isError(type))
        {
            return icmpErrors.outbound(buffer, ip, l4Offset, l4Length);
        }
        if (!IcmpMessage.isQuery(type))
        {
            return drop(DropReason.UNSUPPORTED_PROTOCOL);
        }

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
            session = factory.createOutbound(Ipv4Protocols.ICMP, source, identifier, destination, 0, nowNs);
            if (session < 0)
            {
                return session;
            }
        }

        ip.sourceAddress(sessions.publicAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), sessions.ipChecksumDelta(session)));
        icmp.identifier(sessions.publicPort(session));
        icmp.checksum(Checksums.apply(icmp.checksum(), sessions.l4ChecksumDelta(session)));
        refresh.refresh(session, Ipv4Protocols.ICMP, 0, true, ipLength, nowNs);
        return FORWARD;
    }

    private int inboundTransport(
        final MutableDirectBuffer buffer, final int protocol, final int l4Offset, final int l4Length, final long nowNs)
    {
        if (!TransportChecks.isHeaderWhole(buffer, protocol, l4Offset, l4Length))
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
            if (!ip.isFragment() &&
                !TransportChecks.isTransportChecksumValid(buffer, source, destination, protocol, l4Offset, l4Length,
                tables.frameOffload))
            {
                return drop(DropReason.BAD_L4_CHECKSUM);
            }
            session = factory.createInbound(
                protocol, source, sourcePort, destination, destinationPort, tcpFlags, nowNs);
            if (session < 0)
            {
                return session;
            }
        }
        else if (config.verifyChecksums() && !ip.isFragment() &&
            !TransportChecks.isTransportChecksumValid(buffer, source, destination, protocol, l4Offset, l4Length,
                tables.frameOffload))
        {
            return drop(DropReason.BAD_L4_CHECKSUM);
        }

        ip.destinationAddress(sessions.insideAddress(session));
        ip.headerChecksum(Checksums.apply(ip.headerChecksum(), Checksums.negate(sessions.ipChecksumDelta(session))));
        buffer.putShort(l4Offset + 2, (short)sessions.insidePort(session), NETWORK);
        TransportChecks.rewriteTransportChecksum(buffer, protocol, l4Offset,
            Checksums.negate(sessions.l4ChecksumDelta(session)), Checksums.negate(sessions.ipChecksumDelta(session)),
            tables.frameOffload);

        refresh.refresh(session, protocol, tcpFlags, false, ipLength, nowNs);
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
        final Ipv4Packet ip = this.ip;
        if (IcmpMessage.isError(type))
        {
            return icmpErrors.inbound(buffer, ip, l4Offset, l4Length);
        }
        if (!IcmpMessage.isQuery(type) || IcmpMessage.isQueryRequest(type))
        {
            return drop(DropReason.NO_MAPPING);
        }
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
        refresh.refresh(session, Ipv4Protocols.ICMP, 0, false, ipLength, nowNs); // counts; refreshes if configured
        return FORWARD;
    }
}
