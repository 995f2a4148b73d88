package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.frame.UdpDatagram;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.datapath.nat.NatEngine.FORWARD;
import static io.natgate.datapath.nat.NatEngine.drop;

/**
 * ICMP errors about translated packets (RFC 5508): the quoted packet is translated back as well
 * as the outer header, through the session the quoted packet belongs to. Neither refreshes nor
 * removes the session.
 */
final class IcmpErrorTranslation
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final SessionTable sessions;
    private final Ipv4Packet innerIp = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();

    IcmpErrorTranslation(final NatTables tables)
    {
        this.sessions = tables.sessions;
    }

    /**
     * An inside host or router reports an error about a packet that came from outside (a TCP or
     * UDP segment, or the reply to an inside host's query): the embedded packet went remote to
     * inside endpoint, so its destination is rewritten to the public endpoint, the outer source
     * to the public address (RFC 5508 REQ-5).
     *
     * @param ip wraps the outer packet.
     */
    int outbound(final MutableDirectBuffer buffer, final Ipv4Packet ip, final int icmpOffset, final int icmpLength)
    {
        final int innerL4Offset = embeddedTransportOffset(buffer, ip, icmpOffset, icmpLength);
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
        else if (innerProtocol == Ipv4Protocols.ICMP &&
            TransportChecks.isQueryReply(buffer.getByte(innerL4Offset) & 0xFF))
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

    /**
     * An outside host or router reports an error about a packet we sent out: the embedded packet
     * went public endpoint to remote, so its source is rewritten back to the inside endpoint and
     * the outer destination to the inside address (RFC 5508 REQ-4).
     *
     * @param ip wraps the outer packet.
     */
    int inbound(final MutableDirectBuffer buffer, final Ipv4Packet ip, final int icmpOffset, final int icmpLength)
    {
        final int innerL4Offset = embeddedTransportOffset(buffer, ip, icmpOffset, icmpLength);
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
    private int embeddedTransportOffset(
        final MutableDirectBuffer buffer, final Ipv4Packet ip, final int icmpOffset, final int icmpLength)
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
