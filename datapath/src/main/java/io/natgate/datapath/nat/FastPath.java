package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Checksums;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.datapath.nat.NatEngine.FORWARD;
import static io.natgate.datapath.nat.NatEngine.MISS;

/**
 * The fast path: an unfragmented TCP or UDP packet of an established session is looked up and
 * rewritten with the session's precomputed checksum deltas, and the session refreshed. Anything
 * else (no session, fragments, ICMP, hairpinning, checksum verification on) is a {@link NatEngine#MISS},
 * left untouched for {@link SlowPath}. Reads the headers straight from the buffer, once, and hashes the flow
 * only when the burst's prefetch did not (its hash is passed in).
 */
final class FastPath
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int MORE_FRAGMENTS_OR_OFFSET = 0x3FFF;
    /**
     * The header checksum delta of TTL minus one: the 16-bit word TTL | protocol drops by 0x0100,
     * whatever it was (RFC 1624: ~m + m' = 0xFFFF - 0x0100).
     */
    static final int TTL_DECREMENT_DELTA = 0xFEFF;

    private final NatTables tables;
    private final SessionTable sessions;
    private final SessionRefresh refresh;
    private final AddressSet publicAddresses;
    private final boolean enabled;
    private final boolean hairpinning;

    FastPath(final NatTables tables, final SessionRefresh refresh)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
        this.refresh = refresh;
        this.publicAddresses = tables.publicAddresses;
        this.enabled = !tables.config.verifyChecksums();
        this.hairpinning = tables.config.hairpinning();
    }

    /**
     * Translates a packet from the inside if its session exists. The IPv4 header must have been
     * validated by the caller.
     *
     * @param decrementTtl whether to decrement the TTL too (a forwarding hop whose TTL check passed).
     * @param flowHash     the packet's outbound hash from the burst's prefetch, or {@link NatEngine#NO_FLOW_HASH}.
     * @return {@link NatEngine#FORWARD}, or {@link NatEngine#MISS} with the packet unchanged.
     */
    int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs, final long flowHash)
    {
        final int protocol = buffer.getByte(ipOffset + 9);
        final int l4Offset = ipOffset + ((buffer.getByte(ipOffset) & 0x0F) << 2);
        if (!isCandidate(buffer, protocol, ipOffset, l4Offset, ipLength))
        {
            return MISS;
        }
        final int source = buffer.getInt(ipOffset + 12, NETWORK);
        final int destination = buffer.getInt(ipOffset + 16, NETWORK);
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        final SessionTable sessions = this.sessions;
        final int session = sessions.findOutbound(protocol, source, sourcePort, destination, destinationPort,
            flowHash != NatEngine.NO_FLOW_HASH ? (int)flowHash :
                SessionTable.outboundHash(protocol, source, sourcePort, destination, destinationPort));
        if (session == SessionTable.NONE || (hairpinning && publicAddresses.contains(destination)))
        {
            return MISS;
        }

        buffer.putInt(ipOffset + 12, sessions.publicAddress(session), NETWORK);
        patchIpHeader(buffer, ipOffset, sessions.ipChecksumDelta(session), decrementTtl);
        buffer.putShort(l4Offset, (short)sessions.publicPort(session), NETWORK);
        TransportChecks.rewriteTransportChecksum(buffer, protocol, l4Offset, sessions.l4ChecksumDelta(session),
            sessions.ipChecksumDelta(session), tables.frameOffload);
        refresh.refresh(session, protocol, tcpFlags(buffer, protocol, l4Offset), true, ipLength, nowNs);
        return FORWARD;
    }

    /**
     * Translates a packet from the outside if its session exists. Same preconditions as {@link #outbound}.
     *
     * @param flowHash the packet's inbound hash from the burst's prefetch, or {@link NatEngine#NO_FLOW_HASH}.
     * @return {@link NatEngine#FORWARD}, or {@link NatEngine#MISS} with the packet unchanged.
     */
    int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs, final long flowHash)
    {
        final int protocol = buffer.getByte(ipOffset + 9);
        final int l4Offset = ipOffset + ((buffer.getByte(ipOffset) & 0x0F) << 2);
        if (!isCandidate(buffer, protocol, ipOffset, l4Offset, ipLength))
        {
            return MISS;
        }
        final int source = buffer.getInt(ipOffset + 12, NETWORK);
        final int destination = buffer.getInt(ipOffset + 16, NETWORK);
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        final SessionTable sessions = this.sessions;
        final int session = sessions.findInbound(protocol, source, sourcePort, destination, destinationPort,
            flowHash != NatEngine.NO_FLOW_HASH ? (int)flowHash :
                SessionTable.inboundHash(protocol, source, sourcePort, destination, destinationPort));
        if (session == SessionTable.NONE)
        {
            return MISS;
        }

        buffer.putInt(ipOffset + 16, sessions.insideAddress(session), NETWORK);
        patchIpHeader(buffer, ipOffset, Checksums.negate(sessions.ipChecksumDelta(session)), decrementTtl);
        buffer.putShort(l4Offset + 2, (short)sessions.insidePort(session), NETWORK);
        TransportChecks.rewriteTransportChecksum(buffer, protocol, l4Offset,
            Checksums.negate(sessions.l4ChecksumDelta(session)), Checksums.negate(sessions.ipChecksumDelta(session)),
            tables.frameOffload);
        refresh.refresh(session, protocol, tcpFlags(buffer, protocol, l4Offset), false, ipLength, nowNs);
        return FORWARD;
    }

    private boolean isCandidate(
        final MutableDirectBuffer buffer, final int protocol, final int ipOffset, final int l4Offset, final int ipLength)
    {
        return enabled && (protocol == Ipv4Protocols.TCP || protocol == Ipv4Protocols.UDP) &&
            (buffer.getShort(ipOffset + 6, NETWORK) & MORE_FRAGMENTS_OR_OFFSET) == 0 &&
            TransportChecks.isHeaderWhole(buffer, protocol, l4Offset, ipLength - (l4Offset - ipOffset));
    }

    private static int tcpFlags(final MutableDirectBuffer buffer, final int protocol, final int l4Offset)
    {
        return protocol == Ipv4Protocols.TCP ? buffer.getByte(l4Offset + 13) & 0xFF : 0;
    }

    /**
     * Patches the header checksum for the address rewrite, and for the TTL when this hop decrements
     * it too: one checksum update for both.
     */
    private static void patchIpHeader(
        final MutableDirectBuffer buffer, final int ipOffset, final int addressDelta, final boolean decrementTtl)
    {
        int delta = addressDelta;
        if (decrementTtl)
        {
            buffer.putByte(ipOffset + 8, (byte)(buffer.getByte(ipOffset + 8) - 1));
            delta = Checksums.add(delta, TTL_DECREMENT_DELTA);
        }
        final int at = ipOffset + 10;
        buffer.putShort(at, (short)Checksums.apply(buffer.getShort(at, NETWORK) & 0xFFFF, delta), NETWORK);
    }
}
