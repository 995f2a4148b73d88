package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import org.agrona.MutableDirectBuffer;

import static io.natgate.datapath.nat.NatEngine.FORWARD;
import static io.natgate.datapath.nat.NatEngine.drop;

/**
 * Fragments (RFC 4787 REQ-14): a translated first fragment records its datagram's address
 * rewrite; later fragments take that rewrite, or wait (bounded) until their first fragment
 * comes, which then releases them one per {@link #pollReleased} call.
 */
final class FragmentTranslation
{
    private final NatTables tables;
    private final FragmentTable fragments;
    private final long timeoutNs;

    /** The flow the last fragment translated belongs to (first or later), or {@link FragmentTable#NONE}. */
    private int lastFlow = FragmentTable.NONE;

    FragmentTranslation(final NatTables tables)
    {
        this.tables = tables;
        this.fragments = tables.fragments;
        this.timeoutNs = tables.config.fragmentTimeoutNs();
    }

    /**
     * A first fragment was translated: its later fragments take the same address rewrite.
     *
     * @param ip              wraps the translated first fragment.
     * @param originalAddress the address it had before (source outbound, destination inbound).
     */
    void trackFirst(final boolean outbound, final Ipv4Packet ip, final int originalAddress, final long nowNs)
    {
        final int rewritten = outbound ? ip.sourceAddress() : ip.destinationAddress();
        final long high = outbound ?
            FragmentTable.keyHigh(originalAddress, ip.destinationAddress()) :
            FragmentTable.keyHigh(ip.sourceAddress(), originalAddress);
        final long low = FragmentTable.keyLow(outbound, ip.protocol(), ip.identification());
        if (fragments.track(high, low, rewritten, Checksums.delta32(originalAddress, rewritten), nowNs + timeoutNs))
        {
            fragments.releaseKey(high, low);
            lastFlow = fragments.find(high, low);
        }
    }

    /**
     * Forgets the last fragment's flow: a packet that is no fragment is being translated.
     */
    void clearLastFlow()
    {
        lastFlow = FragmentTable.NONE;
    }

    /**
     * @return the worker the last fragment's hairpinned datagram is handed to, or -1 for none.
     */
    int lastFlowHandoff()
    {
        return lastFlow == FragmentTable.NONE ? -1 : fragments.handoffWorker(lastFlow);
    }

    /**
     * Hands the later fragments of the last first fragment's hairpinned datagram to {@code worker} too.
     */
    void lastFlowHandoff(final int worker)
    {
        if (lastFlow != FragmentTable.NONE)
        {
            fragments.handoffWorker(lastFlow, worker);
        }
    }

    /**
     * @param ip wraps a first fragment, not yet translated.
     * @return true when a first fragment of its datagram was translated already: a second one overlaps it
     * (and would open a session of its own), so it is dropped.
     */
    boolean isRepeatedFirst(final boolean outbound, final Ipv4Packet ip)
    {
        return fragments.find(FragmentTable.keyHigh(ip.sourceAddress(), ip.destinationAddress()),
            FragmentTable.keyLow(outbound, ip.protocol(), ip.identification())) != FragmentTable.NONE;
    }

    /**
     * Translates a fragment other than the first, or holds it until its first fragment comes. A TCP
     * fragment that would overwrite the TCP header (offset below 20, RFC 1858) is an overlap.
     *
     * @param ip wraps the fragment.
     * @return {@link NatEngine#FORWARD}, {@link NatEngine#HELD} or a drop code.
     */
    int translateLater(
        final boolean outbound, final Ipv4Packet ip, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final int ingressPort, final long nowNs)
    {
        if (ip.protocol() == Ipv4Protocols.TCP && ip.fragmentOffsetBytes() < TcpSegment.MIN_HEADER_LENGTH)
        {
            return drop(DropReason.FRAGMENT_OVERLAP);
        }
        final long high = FragmentTable.keyHigh(ip.sourceAddress(), ip.destinationAddress());
        final long low = FragmentTable.keyLow(outbound, ip.protocol(), ip.identification());
        final int flow = fragments.find(high, low);
        lastFlow = flow;
        if (flow == FragmentTable.NONE)
        {
            return fragments.holdOrDrop(high, low, buffer, ipOffset, ipLength, ingressPort, nowNs + timeoutNs,
                tables.counters);
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
        fragments.refresh(flow, nowNs + timeoutNs);
        return FORWARD;
    }

    /**
     * @return the datagram whose held fragments {@link #pollReleased} hands back next: its key's high word.
     */
    long releaseKeyHigh()
    {
        return fragments.releaseKeyHigh();
    }

    /**
     * @return its key's low word; 0 when none.
     */
    long releaseKeyLow()
    {
        return fragments.releaseKeyLow();
    }

    /**
     * Puts back what {@link #releaseKeyHigh} and {@link #releaseKeyLow} said (a hairpin translates twice).
     */
    void releaseKey(final long high, final long low)
    {
        fragments.releaseKey(high, low);
    }

    /**
     * @return whether {@link #pollReleased} has a fragment to hand back.
     */
    boolean hasReleased()
    {
        return fragments.releaseKeyLow() != 0;
    }

    /**
     * After a first fragment was translated, hands back, one per call, the fragments of its datagram
     * that arrived before it, as IP packets, for the caller to translate now.
     *
     * @return the length copied to {@code destination}, or 0 when none is left.
     */
    int pollReleased(final MutableDirectBuffer destination, final int offset)
    {
        return fragments.pollReleased(destination, offset);
    }
}
