package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fragmented datagrams (RFC 4787 REQ-14, RFC 5508 section 3.5): the first fragment carries
 * the transport header and is translated like any packet; it records a flow keyed by
 * (direction, source, destination, protocol, identification) holding the address rewrite,
 * which later fragments follow. Fragments that arrive before their first fragment are
 * held in a bounded buffer and released when it arrives, or dropped at the timeout. The buffer is
 * shared fairly: each side (inside, outside) may fill half of it, one source address a
 * {@link #SOURCE_SHARE_DIVISOR}th of its side's half, so no one sender can keep it full for everyone.
 */
final class FragmentTable
{
    static final int NONE = -1;
    static final int HELD_SLOT_BYTES = 9216;
    /** {@link #hold}: the fragment was copied. */
    static final int HELD = 0;
    /** {@link #hold}: the buffer is full, or the fragment too big for a slot. */
    static final int BUFFER_FULL = 1;
    /** {@link #hold}: its side or its source has all the slots it may have. */
    static final int SHARE_USED = 2;
    static final int SOURCE_SHARE_DIVISOR = 4;

    private final int capacity;
    private final long[] keyHigh;  // source(32) | destination(32)
    private final long[] keyLow;   // direction(8) | protocol(8) | identification(16), +1 so 0 is free
    private final int[] newAddress;
    private final int[] addressDelta;
    /** Per flow: the worker a hairpinned datagram's destination belongs to, or -1 for this one. */
    private final int[] handoffWorker;
    private final long[] deadlineNs;
    private final HashIndex index;
    private final int[] freeList;
    private int freeCount;

    private final UnsafeBuffer heldFrames;
    private final long[] heldKeyHigh;
    private final long[] heldKeyLow;
    private final int[] heldLengths;
    private final int[] heldPorts;
    private final long[] heldDeadlineNs;
    private int heldCount;
    private long releaseKeyHigh;
    private long releaseKeyLow;
    private final int sideShare;
    private final int sourceShare;

    FragmentTable(final int maxFlows, final int maxHeld)
    {
        capacity = maxFlows;
        keyHigh = new long[maxFlows];
        keyLow = new long[maxFlows];
        newAddress = new int[maxFlows];
        addressDelta = new int[maxFlows];
        handoffWorker = new int[maxFlows];
        deadlineNs = new long[maxFlows];
        freeList = new int[maxFlows];
        for (int i = 0; i < maxFlows; i++)
        {
            freeList[i] = maxFlows - 1 - i;
        }
        freeCount = maxFlows;
        index = new HashIndex(maxFlows)
        {
            int hashOf(final int entry)
            {
                return HashIndex.hash(keyHigh[entry], keyLow[entry]);
            }
        };

        heldFrames = new UnsafeBuffer(new byte[maxHeld * HELD_SLOT_BYTES]);
        heldKeyHigh = new long[maxHeld];
        heldKeyLow = new long[maxHeld];
        heldLengths = new int[maxHeld];
        heldPorts = new int[maxHeld];
        heldDeadlineNs = new long[maxHeld];
        sideShare = Math.max(1, maxHeld / 2);
        sourceShare = Math.max(1, sideShare / SOURCE_SHARE_DIVISOR);
    }

    private static boolean isOutbound(final long low)
    {
        return ((low - 1) >>> 24) == 1;
    }

    static long keyHigh(final int source, final int destination)
    {
        return ((long)source << 32) | (destination & 0xFFFF_FFFFL);
    }

    static long keyLow(final boolean outbound, final int protocol, final int identification)
    {
        return (((outbound ? 1L : 2L) << 24) | ((long)protocol << 16) | identification) + 1;
    }

    int find(final long high, final long low)
    {
        final int[] slots = index.slots;
        final int mask = index.mask;
        int slot = HashIndex.hash(high, low) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int entry = index.entry(value);
            if (keyHigh[entry] == high && keyLow[entry] == low)
            {
                return entry;
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    /**
     * Records (or refreshes) the rewrite for a fragmented datagram's later fragments.
     *
     * @return false when the flow table is full.
     */
    boolean track(
        final long high, final long low, final int rewrittenAddress, final int delta, final long deadline)
    {
        int entry = find(high, low);
        if (entry == NONE)
        {
            if (freeCount == 0)
            {
                return false;
            }
            entry = freeList[--freeCount];
            handoffWorker[entry] = -1;
            keyHigh[entry] = high;
            keyLow[entry] = low;
            index.insert(HashIndex.hash(high, low), entry);
        }
        newAddress[entry] = rewrittenAddress;
        addressDelta[entry] = delta;
        deadlineNs[entry] = deadline;
        return true;
    }

    int newAddress(final int entry)
    {
        return newAddress[entry];
    }

    int addressDelta(final int entry)
    {
        return addressDelta[entry];
    }

    /**
     * @return the worker a hairpinned datagram's later fragments go on to, or -1 for none.
     */
    int handoffWorker(final int entry)
    {
        return handoffWorker[entry];
    }

    void handoffWorker(final int entry, final int worker)
    {
        handoffWorker[entry] = worker;
    }

    void refresh(final int entry, final long deadline)
    {
        deadlineNs[entry] = deadline;
    }

    /**
     * Copies a fragment that arrived before its first fragment.
     *
     * @return {@link #HELD}, {@link #BUFFER_FULL} or {@link #SHARE_USED}.
     */
    int hold(
        final long high, final long low, final DirectBuffer buffer, final int offset, final int length,
        final int port, final long deadline)
    {
        if (heldCount == heldLengths.length || length > HELD_SLOT_BYTES)
        {
            return BUFFER_FULL;
        }
        final boolean outbound = isOutbound(low);
        final int source = (int)(high >>> 32);
        int sameSide = 0;
        int sameSource = 0;
        for (int slot = 0; slot < heldLengths.length && heldCount > 0; slot++)
        {
            if (heldLengths[slot] != 0 && isOutbound(heldKeyLow[slot]) == outbound)
            {
                sameSide++;
                sameSource += (int)(heldKeyHigh[slot] >>> 32) == source ? 1 : 0;
            }
        }
        if (sameSide >= sideShare || sameSource >= sourceShare)
        {
            return SHARE_USED;
        }
        for (int slot = 0; slot < heldLengths.length; slot++)
        {
            if (heldLengths[slot] == 0)
            {
                heldFrames.putBytes(slot * HELD_SLOT_BYTES, buffer, offset, length);
                heldKeyHigh[slot] = high;
                heldKeyLow[slot] = low;
                heldLengths[slot] = length;
                heldPorts[slot] = port;
                heldDeadlineNs[slot] = deadline;
                heldCount++;
                return HELD;
            }
        }
        return BUFFER_FULL;
    }

    /**
     * {@link #hold}, counted: {@link NatEngine#HELD} (and {@link GlobalCounter#FRAGMENTS_BUFFERED}), or the drop
     * code of why not.
     */
    int holdOrDrop(
        final long high, final long low, final DirectBuffer buffer, final int offset, final int length,
        final int port, final long deadline, final DatapathCounters counters)
    {
        switch (hold(high, low, buffer, offset, length, port, deadline))
        {
            case HELD ->
            {
                counters.increment(GlobalCounter.FRAGMENTS_BUFFERED);
                return NatEngine.HELD;
            }
            case SHARE_USED ->
            {
                return NatEngine.drop(DropReason.FRAGMENT_SHARE);
            }
            default ->
            {
                return NatEngine.drop(DropReason.FRAGMENT_BUFFER_FULL);
            }
        }
    }

    int heldCount()
    {
        return heldCount;
    }

    /**
     * Moves one held fragment of the given flow into {@code destination}.
     *
     * @return its length, or 0 when none is held.
     */
    int release(final long high, final long low, final MutableDirectBuffer destination, final int offset)
    {
        if (heldCount == 0)
        {
            return 0;
        }
        for (int slot = 0; slot < heldLengths.length; slot++)
        {
            if (heldLengths[slot] != 0 && heldKeyHigh[slot] == high && heldKeyLow[slot] == low)
            {
                final int length = heldLengths[slot];
                destination.putBytes(offset, heldFrames, slot * HELD_SLOT_BYTES, length);
                heldLengths[slot] = 0;
                heldCount--;
                return length;
            }
        }
        return 0;
    }

    /**
     * Names the datagram whose held fragments {@link #pollReleased} hands back next (0, 0 for none).
     */
    void releaseKey(final long high, final long low)
    {
        releaseKeyHigh = high;
        releaseKeyLow = low;
    }

    long releaseKeyHigh()
    {
        return releaseKeyHigh;
    }

    long releaseKeyLow()
    {
        return releaseKeyLow;
    }

    /**
     * Hands back, one per call, the held fragments of the datagram {@link #releaseKey} named.
     *
     * @return the length copied to {@code destination}, or 0 when none is left.
     */
    int pollReleased(final MutableDirectBuffer destination, final int offset)
    {
        if (releaseKeyLow == 0)
        {
            return 0;
        }
        final int length = release(releaseKeyHigh, releaseKeyLow, destination, offset);
        if (length == 0)
        {
            releaseKeyLow = 0;
        }
        return length;
    }

    /**
     * Forgets flows and held fragments past their deadline.
     *
     * @param timedOutPorts receives, per port index, the number of held fragments dropped.
     * @return the amount of work done.
     */
    int expire(final long nowNs, final int[] timedOutPorts)
    {
        int work = 0;
        if (heldCount > 0)
        {
            for (int slot = 0; slot < heldLengths.length; slot++)
            {
                if (heldLengths[slot] != 0 && heldDeadlineNs[slot] - nowNs <= 0)
                {
                    heldLengths[slot] = 0;
                    heldCount--;
                    if (heldPorts[slot] < timedOutPorts.length)
                    {
                        timedOutPorts[heldPorts[slot]]++;
                    }
                    work++;
                }
            }
        }
        if (freeCount < capacity)
        {
            for (int entry = 0; entry < capacity; entry++)
            {
                if (keyLow[entry] != 0 && deadlineNs[entry] - nowNs <= 0)
                {
                    index.remove(HashIndex.hash(keyHigh[entry], keyLow[entry]), entry);
                    keyLow[entry] = 0;
                    freeList[freeCount++] = entry;
                    work++;
                }
            }
        }
        return work;
    }
}
