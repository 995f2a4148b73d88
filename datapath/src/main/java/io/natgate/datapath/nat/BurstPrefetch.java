package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Ipv4Packet;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Overlaps a burst's cache misses: first the index slot each packet's lookup starts at, then the
 * session records those slots name, so the misses of the burst are in flight together instead of
 * one after another. Only reads; leaving it out changes nothing but speed.
 */
final class BurstPrefetch
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final SessionTable sessions;
    private final int[] hashes = new int[NatEngine.MAX_PREFETCH];
    private final boolean[] outbounds = new boolean[NatEngine.MAX_PREFETCH];
    private int count;
    private long sink; // keeps the prefetching reads from being elided; never read

    BurstPrefetch(final NatTables tables)
    {
        this.sessions = tables.sessions;
    }

    /**
     * Loads and remembers the index slot of a TCP or UDP packet or first fragment whose ports lie within
     * {@code ipLength}; ignores anything else, and everything once {@link NatEngine#MAX_PREFETCH} wait.
     *
     * @return the packet's flow hash, or {@link NatEngine#NO_FLOW_HASH} for a packet ignored.
     */
    long slot(final boolean outbound, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        if (ipLength < Ipv4Packet.MIN_HEADER_LENGTH || count == NatEngine.MAX_PREFETCH)
        {
            return NatEngine.NO_FLOW_HASH;
        }
        final int protocol = buffer.getByte(ipOffset + 9);
        final int l4Offset = ipOffset + ((buffer.getByte(ipOffset) & 0x0F) << 2);
        if ((protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP) || l4Offset + 4 > ipOffset + ipLength ||
            (buffer.getShort(ipOffset + 6, NETWORK) & Ipv4Packet.FRAGMENT_OFFSET_MASK) != 0)
        {
            return NatEngine.NO_FLOW_HASH;
        }
        final int source = buffer.getInt(ipOffset + 12, NETWORK);
        final int destination = buffer.getInt(ipOffset + 16, NETWORK);
        final int sourcePort = buffer.getShort(l4Offset, NETWORK) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF;
        final int hash = outbound ?
            SessionTable.outboundHash(protocol, source, sourcePort, destination, destinationPort) :
            SessionTable.inboundHash(protocol, source, sourcePort, destination, destinationPort);
        hashes[count] = hash;
        outbounds[count++] = outbound;
        sink += sessions.prefetchSlot(outbound, hash);
        return hash & 0xFFFF_FFFFL;
    }

    /**
     * Loads the records the remembered slots name, then forgets them.
     */
    void records()
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += sessions.prefetchRecord(outbounds[i], hashes[i]);
        }
        sink += sum;
        count = 0;
    }
}
