package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Checksums;

/**
 * Sessions: one per inside endpoint, remote endpoint and protocol, each belonging to a mapping,
 * found by two {@link HashIndex}es (outbound key and inbound key). What the fast path reads and
 * writes is one 64-byte record, a cache line of its own (the records start a cache line into their
 * array, and an array this large starts a heap region):
 * <pre>
 *   h0: insideAddress(32) | remoteAddress(32)
 *   h1: protocol(16) | insidePort(16) | remotePort(16) | publicPort(16)
 *   h2: publicAddress(32) | ipChecksumDelta(16) | l4ChecksumDelta(16)
 *   h3: deadlineNs
 *   h4: mapping(32) | linkEpoch(16) | tcpFlags(8) | . seenIn(1) seenOut(1) openedInbound(1) admittedInbound(1)
 *       inList(1) timeoutClass(2)
 *   h5: packetsOut(32) | packetsIn(32), each modulo 2^32
 *   h6: bytesOut
 *   h7: bytesIn
 * </pre>
 * The slow path's links live apart, 3 longs a session: {@code c0} LRU previous | next, {@code c1}
 * mapping previous | next, {@code c2} the time it was created (for its age; written once, never on the fast path).
 * <p>
 * Each session sits in the LRU list of its timeout class in order of the deadline it had when last
 * linked, so expiry looks at the head only. A refresh only writes the deadline; it moves the session to the
 * tail when the deadline left the second it was linked in ({@code linkEpoch}), so at most once a
 * second, as VPP does. A session's deadline is never before its linked one and less than about a
 * second after it unless it was relinked, so a head whose linked deadline is in the future ends
 * the search for expired sessions, and one past its linked deadline but not its own holds back
 * the sessions behind it for at most that second. A free record is threaded on the free list
 * through its LRU link. Checksum deltas are those of the outbound rewrite; inbound uses their negation.
 */
final class SessionTable
{
    static final int STRIDE = 8;
    static final int COLD_STRIDE = 3;
    static final int NONE = -1;

    static final int CLASS_UDP = 0;
    static final int CLASS_TCP_TRANSITORY = 1;
    static final int CLASS_TCP_ESTABLISHED = 2;
    static final int CLASS_ICMP = 3;
    static final int CLASS_COUNT = 4;

    /** A relink moves the session only when its deadline's 2^30 ns (about one second) epoch changed. */
    static final int LINK_EPOCH_SHIFT = 30;

    /** Records start here in their array: 16 bytes of array header and 48 of padding, a cache line. */
    private static final int FIRST = 6;
    private static final long CLASS_MASK = 0x03L;
    private static final long IN_LIST = 0x04L;
    private static final long ADMITTED_INBOUND = 0x08L;
    private static final long STATE_LINK = IN_LIST | CLASS_MASK;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final long OPENED_INBOUND = 0x10L;
    private static final long SEEN_OUTBOUND = 0x20L;
    private static final long SEEN_INBOUND = 0x40L;

    private final long[] records;
    private final long[] links;
    private final int capacity;
    private int freeHead;
    private int size;
    private final int[] lruHeads = new int[CLASS_COUNT];
    private final int[] lruTails = new int[CLASS_COUNT];
    private final HashIndex byOutboundKey;
    private final HashIndex byInboundKey;

    SessionTable(final int capacity)
    {
        this.capacity = capacity;
        records = new long[FIRST + capacity * STRIDE];
        links = new long[capacity * COLD_STRIDE];
        for (int i = 0; i < capacity; i++)
        {
            links[i * COLD_STRIDE] = (i + 1 < capacity ? i + 1 : NONE) & LOW;
        }
        freeHead = capacity > 0 ? 0 : NONE;
        java.util.Arrays.fill(lruHeads, NONE);
        java.util.Arrays.fill(lruTails, NONE);
        byOutboundKey = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                final int base = base(entry);
                return outboundHash(records[base], records[base + 1]);
            }
        };
        byInboundKey = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                final int base = base(entry);
                return inboundHash((int)records[base], (int)(records[base + 2] >>> 32), records[base + 1]);
            }
        };
    }

    private static int base(final int entry)
    {
        return FIRST + entry * STRIDE;
    }

    private static int outboundHash(final long h0, final long h1)
    {
        return HashIndex.hash(h0, h1 & 0xFFFF_FFFF_FFFF_0000L);
    }

    private static int inboundHash(final int remoteAddress, final int publicAddress, final long h1)
    {
        return HashIndex.hash(((long)remoteAddress << 32) | (publicAddress & LOW), h1 & 0xFFFF_0000_FFFF_FFFFL);
    }

    private static long outboundKey0(final int insideAddress, final int remoteAddress)
    {
        return ((long)insideAddress << 32) | (remoteAddress & LOW);
    }

    private static long outboundKey1(final int protocol, final int insidePort, final int remotePort)
    {
        return ((long)protocol << 48) | ((long)insidePort << 32) | ((long)remotePort << 16);
    }

    private static long inboundKey1(final int protocol, final int remotePort, final int publicPort)
    {
        return ((long)protocol << 48) | ((long)remotePort << 16) | publicPort;
    }

    static int outboundHash(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        return outboundHash(outboundKey0(insideAddress, remoteAddress), outboundKey1(protocol, insidePort, remotePort));
    }

    static int inboundHash(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress, final int publicPort)
    {
        return inboundHash(remoteAddress, publicAddress, inboundKey1(protocol, remotePort, publicPort));
    }

    int findOutbound(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        return findOutbound(
            protocol, insideAddress, insidePort, remoteAddress, remotePort,
            outboundHash(protocol, insideAddress, insidePort, remoteAddress, remotePort));
    }

    /**
     * @param hash {@link #outboundHash} of the same key.
     */
    int findOutbound(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort,
        final int hash)
    {
        final long h0 = outboundKey0(insideAddress, remoteAddress);
        final long h1 = outboundKey1(protocol, insidePort, remotePort);
        final HashIndex index = byOutboundKey;
        final int[] slots = index.slots;
        final int mask = index.mask;
        final int tagMask = index.tagMask;
        final int tag = hash & tagMask;
        final long[] records = this.records;
        int slot = hash & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            if ((value & tagMask) == tag)
            {
                final int entry = index.entry(value);
                final int base = base(entry);
                if (records[base] == h0 && (records[base + 1] & 0xFFFF_FFFF_FFFF_0000L) == h1)
                {
                    return entry;
                }
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    int findInbound(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress, final int publicPort)
    {
        return findInbound(
            protocol, remoteAddress, remotePort, publicAddress, publicPort,
            inboundHash(protocol, remoteAddress, remotePort, publicAddress, publicPort));
    }

    /**
     * @param hash {@link #inboundHash} of the same key.
     */
    int findInbound(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress, final int publicPort,
        final int hash)
    {
        final long h1 = inboundKey1(protocol, remotePort, publicPort);
        final HashIndex index = byInboundKey;
        final int[] slots = index.slots;
        final int mask = index.mask;
        final int tagMask = index.tagMask;
        final int tag = hash & tagMask;
        final long[] records = this.records;
        int slot = hash & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            if ((value & tagMask) == tag)
            {
                final int entry = index.entry(value);
                final int base = base(entry);
                if ((int)records[base] == remoteAddress && (int)(records[base + 2] >>> 32) == publicAddress &&
                    (records[base + 1] & 0xFFFF_0000_FFFF_FFFFL) == h1)
                {
                    return entry;
                }
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    /**
     * First step of prefetching a burst: reads the index slot a lookup by {@code hash} starts at.
     *
     * @return the slot's content, to keep the read from being elided.
     */
    int prefetchSlot(final boolean outbound, final int hash)
    {
        final HashIndex index = outbound ? byOutboundKey : byInboundKey;
        return index.slots[hash & index.mask];
    }

    /**
     * Second step: reads the record the lookup by {@code hash} will compare first (its slot is in
     * the cache by now), so the burst's record misses overlap.
     *
     * @return a value derived from the read, for the caller to keep so it is not elided.
     */
    long prefetchRecord(final boolean outbound, final int hash)
    {
        final HashIndex index = outbound ? byOutboundKey : byInboundKey;
        final int value = index.slots[index.candidate(hash)];
        return value == 0 ? 0 : records[base(index.entry(value))];
    }

    /**
     * @return the new session, or {@link #NONE} when the table is full. It is in no LRU list until
     * {@link #place}d.
     */
    int add(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int publicAddress, final int publicPort, final int mapping, final long nowNs)
    {
        if (freeHead == NONE)
        {
            return NONE;
        }
        final int entry = freeHead;
        final int base = base(entry);
        final int cold = entry * COLD_STRIDE;
        freeHead = (int)links[cold];
        size++;

        final int ipDelta = Checksums.delta32(insideAddress, publicAddress);
        final int portDelta = Checksums.delta16(insidePort, publicPort);
        final int l4Delta = protocol == Ipv4Protocols.ICMP ? portDelta : Checksums.add(ipDelta, portDelta);

        records[base] = ((long)insideAddress << 32) | (remoteAddress & LOW);
        records[base + 1] = ((long)protocol << 48) | ((long)insidePort << 32) | ((long)remotePort << 16) | publicPort;
        records[base + 2] = ((long)publicAddress << 32) | ((long)ipDelta << 16) | l4Delta;
        records[base + 3] = 0;
        records[base + 4] = (long)mapping << 32;
        records[base + 5] = 0;
        records[base + 6] = 0;
        records[base + 7] = 0;
        links[cold] = ((long)NONE << 32) | (NONE & LOW);
        links[cold + 1] = ((long)NONE << 32) | (NONE & LOW);
        links[cold + 2] = nowNs;
        byOutboundKey.insert(outboundHash(records[base], records[base + 1]), entry);
        byInboundKey.insert(inboundHash(remoteAddress, publicAddress, records[base + 1]), entry);
        return entry;
    }

    /**
     * Removes a session from the indexes and its LRU list; the caller unlinks it from its mapping first.
     */
    void remove(final int entry)
    {
        final int base = base(entry);
        unlinkLru(entry);
        byOutboundKey.remove(outboundHash(records[base], records[base + 1]), entry);
        byInboundKey.remove(inboundHash((int)records[base], (int)(records[base + 2] >>> 32), records[base + 1]), entry);
        records[base + 1] = 0;
        links[entry * COLD_STRIDE] = freeHead & LOW;
        freeHead = entry;
        size--;
    }

    /**
     * A packet refreshed the session: sets its deadline, and its timeout class. It moves to the tail
     * of that class's list only when the class changed or the deadline left its linked second.
     */
    void touch(final int entry, final int timeoutClass, final long deadlineNs)
    {
        final int base = base(entry);
        final long state = records[base + 4];
        if ((state & STATE_LINK) != (IN_LIST | timeoutClass) ||
            ((state >>> 16) & 0xFFFF) != ((deadlineNs >>> LINK_EPOCH_SHIFT) & 0xFFFF))
        {
            place(entry, timeoutClass, deadlineNs);
        }
        else
        {
            records[base + 3] = deadlineNs;
        }
    }

    /**
     * Sets the session's deadline and timeout class and moves it to the tail of that class's list:
     * a new or restored session, or a relink. Sessions of a class must be placed in order of deadline.
     */
    void place(final int entry, final int timeoutClass, final long deadlineNs)
    {
        final int base = base(entry);
        final int cold = entry * COLD_STRIDE;
        unlinkLru(entry);
        final int tail = lruTails[timeoutClass];
        links[cold] = ((long)tail << 32) | (NONE & LOW);
        if (tail == NONE)
        {
            lruHeads[timeoutClass] = entry;
        }
        else
        {
            final int tailLink = tail * COLD_STRIDE;
            links[tailLink] = (links[tailLink] & 0xFFFF_FFFF_0000_0000L) | (entry & LOW);
        }
        lruTails[timeoutClass] = entry;
        records[base + 3] = deadlineNs;
        records[base + 4] = (records[base + 4] & ~(0xFFFF_0000L | STATE_LINK)) |
            (((deadlineNs >>> LINK_EPOCH_SHIFT) & 0xFFFF) << 16) | IN_LIST | timeoutClass;
    }

    private void unlinkLru(final int entry)
    {
        final int base = base(entry);
        if ((records[base + 4] & IN_LIST) == 0)
        {
            return; // not in any list yet
        }
        final int timeoutClass = timeoutClass(entry);
        final int cold = entry * COLD_STRIDE;
        final int previous = (int)(links[cold] >>> 32);
        final int next = (int)links[cold];
        if (previous == NONE)
        {
            lruHeads[timeoutClass] = next;
        }
        else
        {
            final int b = previous * COLD_STRIDE;
            links[b] = (links[b] & 0xFFFF_FFFF_0000_0000L) | (next & LOW);
        }
        if (next == NONE)
        {
            lruTails[timeoutClass] = previous;
        }
        else
        {
            final int b = next * COLD_STRIDE;
            links[b] = ((long)previous << 32) | (links[b] & LOW);
        }
        links[cold] = ((long)NONE << 32) | (NONE & LOW);
        records[base + 4] &= ~STATE_LINK;
    }

    /**
     * @return the session linked longest ago in a timeout class's list (the least recently relinked), or NONE.
     */
    int oldest(final int timeoutClass)
    {
        return lruHeads[timeoutClass];
    }

    /**
     * @return the session of a timeout class to expire at {@code nowNs}: the head of its list when
     * its deadline has passed; else {@link #NONE}, when the head's linked deadline has not passed (no
     * session of the class has expired) or has but the head was refreshed since (see the class comment).
     */
    int expired(final int timeoutClass, final long nowNs)
    {
        final int head = lruHeads[timeoutClass];
        return head != NONE && records[base(head) + 3] - nowNs <= 0 ? head : NONE;
    }

    /**
     * Counts a translated packet of {@code ipLength} bytes on the session: an add or two.
     */
    void count(final int entry, final boolean outbound, final int ipLength)
    {
        final int base = base(entry);
        if (outbound)
        {
            records[base + 5] += 1L << 32;
            records[base + 6] += ipLength;
        }
        else
        {
            final long packets = records[base + 5];
            records[base + 5] = (packets & 0xFFFF_FFFF_0000_0000L) | ((packets + 1) & LOW);
            records[base + 7] += ipLength;
        }
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    boolean isLive(final int entry)
    {
        return records[base(entry) + 1] != 0;
    }

    int insideAddress(final int entry)
    {
        return (int)(records[base(entry)] >>> 32);
    }

    int remoteAddress(final int entry)
    {
        return (int)records[base(entry)];
    }

    int protocol(final int entry)
    {
        return (int)(records[base(entry) + 1] >>> 48);
    }

    int insidePort(final int entry)
    {
        return (int)(records[base(entry) + 1] >>> 32) & 0xFFFF;
    }

    int remotePort(final int entry)
    {
        return (int)(records[base(entry) + 1] >>> 16) & 0xFFFF;
    }

    int publicPort(final int entry)
    {
        return (int)records[base(entry) + 1] & 0xFFFF;
    }

    int publicAddress(final int entry)
    {
        return (int)(records[base(entry) + 2] >>> 32);
    }

    int ipChecksumDelta(final int entry)
    {
        return (int)(records[base(entry) + 2] >>> 16) & 0xFFFF;
    }

    int l4ChecksumDelta(final int entry)
    {
        return (int)records[base(entry) + 2] & 0xFFFF;
    }

    long deadlineNs(final int entry)
    {
        return records[base(entry) + 3];
    }

    int mapping(final int entry)
    {
        return (int)(records[base(entry) + 4] >>> 32);
    }

    int tcpFlags(final int entry)
    {
        return (int)(records[base(entry) + 4] >>> 8) & 0xFF;
    }

    void tcpFlags(final int entry, final int flags)
    {
        final int base = base(entry) + 4;
        records[base] = (records[base] & ~0xFF00L) | ((long)flags << 8);
    }

    /**
     * Marks a session as opened from outside through a static or inbound mapping.
     */
    void admittedInbound(final int entry)
    {
        records[base(entry) + 4] |= ADMITTED_INBOUND;
    }

    boolean isAdmittedInbound(final int entry)
    {
        return (records[base(entry) + 4] & ADMITTED_INBOUND) != 0;
    }

    /**
     * Marks a session as opened by a packet from outside (through any kind of mapping), which the inbound
     * limits count.
     */
    void openedInbound(final int entry)
    {
        records[base(entry) + 4] |= OPENED_INBOUND;
    }

    boolean isOpenedInbound(final int entry)
    {
        return (records[base(entry) + 4] & OPENED_INBOUND) != 0;
    }

    /**
     * Records that a packet went the given way; a session that has seen both ways has been replied to.
     */
    void seen(final int entry, final boolean outbound)
    {
        final int base = base(entry) + 4;
        final long bit = outbound ? SEEN_OUTBOUND : SEEN_INBOUND;
        final long record = records[base];
        if ((record & bit) == 0)
        {
            records[base] = record | bit;
        }
    }

    /**
     * @return true when packets went both ways (the session was replied to).
     */
    boolean isReplied(final int entry)
    {
        return (records[base(entry) + 4] & (SEEN_OUTBOUND | SEEN_INBOUND)) == (SEEN_OUTBOUND | SEEN_INBOUND);
    }

    /**
     * @return true for a session nobody answered yet, the kind early drop may give up: TCP not established (half-open
     * or closing, the transitory class), or UDP and ICMP that saw packets one way only.
     */
    boolean isEmbryonic(final int entry)
    {
        final int timeoutClass = timeoutClass(entry);
        return timeoutClass == CLASS_TCP_TRANSITORY || (timeoutClass != CLASS_TCP_ESTABLISHED && !isReplied(entry));
    }

    /**
     * @return the session refreshed next after this one in its timeout class's list, or NONE.
     */
    int newer(final int entry)
    {
        return (int)links[entry * COLD_STRIDE];
    }

    int timeoutClass(final int entry)
    {
        return (int)(records[base(entry) + 4] & CLASS_MASK);
    }

    /**
     * @return packets translated inside to outside, modulo 2^32.
     */
    long packetsOut(final int entry)
    {
        return records[base(entry) + 5] >>> 32;
    }

    /**
     * @return packets translated outside to inside, modulo 2^32.
     */
    long packetsIn(final int entry)
    {
        return records[base(entry) + 5] & LOW;
    }

    long bytesOut(final int entry)
    {
        return records[base(entry) + 6];
    }

    long bytesIn(final int entry)
    {
        return records[base(entry) + 7];
    }

    /**
     * @return when the session was created (or restored), on the engine's clock.
     */
    long createdNs(final int entry)
    {
        return links[entry * COLD_STRIDE + 2];
    }

    int mappingPrevious(final int entry)
    {
        return (int)(links[entry * COLD_STRIDE + 1] >>> 32);
    }

    int mappingNext(final int entry)
    {
        return (int)links[entry * COLD_STRIDE + 1];
    }

    void mappingLinks(final int entry, final int previous, final int next)
    {
        links[entry * COLD_STRIDE + 1] = ((long)previous << 32) | (next & LOW);
    }

    long capacityBytes()
    {
        return (long)records.length * Long.BYTES + (long)links.length * Long.BYTES + byOutboundKey.capacityBytes() +
            byInboundKey.capacityBytes();
    }
}
