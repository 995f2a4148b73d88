package io.natgate.datapath.nat;

import io.natgate.datapath.frame.Checksums;

/**
 * Sessions: one per inside endpoint, remote endpoint and protocol, each belonging to a
 * mapping. Records are 7 longs in one array, found by two {@link HashIndex}es (outbound
 * key and inbound key). Each session sits in the LRU list of its timeout class, so the
 * list is in deadline order and expiry costs O(1) a session; a free record is threaded
 * on the free list through its LRU link.
 * <pre>
 *   s0: insideAddress(32) | remoteAddress(32)
 *   s1: protocol(16) | insidePort(16) | remotePort(16) | publicPort(16)
 *   s2: publicAddress(32) | mapping(32)
 *   s3: deadlineNs
 *   s4: lruPrevious(32) | lruNext(32)
 *   s5: mappingPrevious(32) | mappingNext(32)
 *   s6: ipChecksumDelta(16) | l4ChecksumDelta(16) | flags(16) | tcpFlags(8) | inList(1) timeoutClass(7)
 * </pre>
 * Checksum deltas are those of the outbound rewrite; inbound uses their negation.
 */
final class SessionTable
{
    static final int STRIDE = 7;
    static final int NONE = -1;

    static final int CLASS_UDP = 0;
    static final int CLASS_TCP_TRANSITORY = 1;
    static final int CLASS_TCP_ESTABLISHED = 2;
    static final int CLASS_ICMP = 3;
    static final int CLASS_COUNT = 4;

    private static final long ADMITTED_INBOUND = 1L << 16;

    private final long[] records;
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
        records = new long[capacity * STRIDE];
        for (int i = 0; i < capacity; i++)
        {
            records[i * STRIDE + 4] = (i + 1 < capacity ? i + 1 : NONE) & 0xFFFF_FFFFL;
        }
        freeHead = capacity > 0 ? 0 : NONE;
        java.util.Arrays.fill(lruHeads, NONE);
        java.util.Arrays.fill(lruTails, NONE);
        byOutboundKey = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                final int base = entry * STRIDE;
                return outboundHash(records[base], records[base + 1]);
            }
        };
        byInboundKey = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                final int base = entry * STRIDE;
                return inboundHash((int)records[base], (int)(records[base + 2] >>> 32), records[base + 1]);
            }
        };
    }

    private static int outboundHash(final long s0, final long s1)
    {
        return HashIndex.hash(s0, s1 & 0xFFFF_FFFF_FFFF_0000L);
    }

    private static int inboundHash(final int remoteAddress, final int publicAddress, final long s1)
    {
        return HashIndex.hash(
            ((long)remoteAddress << 32) | (publicAddress & 0xFFFF_FFFFL), s1 & 0xFFFF_0000_FFFF_FFFFL);
    }

    private static long outboundKey0(final int insideAddress, final int remoteAddress)
    {
        return ((long)insideAddress << 32) | (remoteAddress & 0xFFFF_FFFFL);
    }

    private static long outboundKey1(final int protocol, final int insidePort, final int remotePort)
    {
        return ((long)protocol << 48) | ((long)insidePort << 32) | ((long)remotePort << 16);
    }

    private static long inboundKey1(final int protocol, final int remotePort, final int publicPort)
    {
        return ((long)protocol << 48) | ((long)remotePort << 16) | publicPort;
    }

    int findOutbound(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        final long s0 = outboundKey0(insideAddress, remoteAddress);
        final long s1 = outboundKey1(protocol, insidePort, remotePort);
        final int[] slots = byOutboundKey.slots;
        final int mask = byOutboundKey.mask;
        int slot = outboundHash(s0, s1) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int base = HashIndex.entry(value) * STRIDE;
            if (records[base] == s0 && (records[base + 1] & 0xFFFF_FFFF_FFFF_0000L) == s1)
            {
                return HashIndex.entry(value);
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    int findInbound(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress, final int publicPort)
    {
        final long s1 = inboundKey1(protocol, remotePort, publicPort);
        final int[] slots = byInboundKey.slots;
        final int mask = byInboundKey.mask;
        int slot = inboundHash(remoteAddress, publicAddress, s1) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int base = HashIndex.entry(value) * STRIDE;
            if ((int)records[base] == remoteAddress && (int)(records[base + 2] >>> 32) == publicAddress &&
                (records[base + 1] & 0xFFFF_0000_FFFF_FFFFL) == s1)
            {
                return HashIndex.entry(value);
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    /**
     * First step of prefetching a burst: reads the index slot {@link #findOutbound} starts at.
     *
     * @return the slot's content, for {@link #prefetchRecord}.
     */
    int prefetchOutboundSlot(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        final int hash =
            outboundHash(outboundKey0(insideAddress, remoteAddress), outboundKey1(protocol, insidePort, remotePort));
        return byOutboundKey.slots[hash & byOutboundKey.mask];
    }

    /**
     * As {@link #prefetchOutboundSlot}, for {@link #findInbound}.
     */
    int prefetchInboundSlot(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress, final int publicPort)
    {
        final int hash = inboundHash(remoteAddress, publicAddress, inboundKey1(protocol, remotePort, publicPort));
        return byInboundKey.slots[hash & byInboundKey.mask];
    }

    /**
     * Second step: reads the first and last word of the record a slot's content names, so both
     * cache lines a record may straddle are loaded.
     *
     * @return a value derived from the reads, for the caller to keep so they are not elided.
     */
    long prefetchRecord(final int slotValue)
    {
        if (slotValue == 0)
        {
            return 0;
        }
        final int base = HashIndex.entry(slotValue) * STRIDE;
        return records[base] ^ records[base + STRIDE - 1];
    }

    /**
     * @return the new session, or {@link #NONE} when the table is full.
     */
    int add(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int publicAddress, final int publicPort, final int mapping)
    {
        if (freeHead == NONE)
        {
            return NONE;
        }
        final int entry = freeHead;
        final int base = entry * STRIDE;
        freeHead = (int)records[base + 4];
        size++;

        final int ipDelta = Checksums.delta32(insideAddress, publicAddress);
        final int portDelta = Checksums.delta16(insidePort, publicPort);
        final int l4Delta = protocol == Ipv4Protocols.ICMP ?
            portDelta : Checksums.add(ipDelta, portDelta);

        records[base] = ((long)insideAddress << 32) | (remoteAddress & 0xFFFF_FFFFL);
        records[base + 1] = ((long)protocol << 48) | ((long)insidePort << 32) | ((long)remotePort << 16) | publicPort;
        records[base + 2] = ((long)publicAddress << 32) | (mapping & 0xFFFF_FFFFL);
        records[base + 3] = 0;
        records[base + 4] = ((long)NONE << 32) | (NONE & 0xFFFF_FFFFL);
        records[base + 5] = ((long)NONE << 32) | (NONE & 0xFFFF_FFFFL);
        records[base + 6] = ((long)ipDelta << 48) | ((long)l4Delta << 32);
        byOutboundKey.insert(outboundHash(records[base], records[base + 1]), entry);
        byInboundKey.insert(inboundHash(remoteAddress, publicAddress, records[base + 1]), entry);
        return entry;
    }

    /**
     * Removes a session from the indexes and its LRU list; the caller unlinks it from its mapping first.
     */
    void remove(final int entry)
    {
        final int base = entry * STRIDE;
        unlinkLru(entry);
        byOutboundKey.remove(outboundHash(records[base], records[base + 1]), entry);
        byInboundKey.remove(inboundHash((int)records[base], (int)(records[base + 2] >>> 32), records[base + 1]), entry);
        records[base + 1] = 0;
        records[base + 4] = freeHead & 0xFFFF_FFFFL;
        freeHead = entry;
        size--;
    }

    /**
     * Sets the session's deadline and timeout class and moves it to the tail of that class's list.
     */
    void touch(final int entry, final int timeoutClass, final long deadlineNs)
    {
        final int base = entry * STRIDE;
        if (lruTails[timeoutClass] != entry || timeoutClass(entry) != timeoutClass)
        {
            unlinkLru(entry);
            final int tail = lruTails[timeoutClass];
            records[base + 4] = ((long)tail << 32) | (NONE & 0xFFFF_FFFFL);
            if (tail == NONE)
            {
                lruHeads[timeoutClass] = entry;
            }
            else
            {
                final int tailBase = tail * STRIDE + 4;
                records[tailBase] = (records[tailBase] & 0xFFFF_FFFF_0000_0000L) | (entry & 0xFFFF_FFFFL);
            }
            lruTails[timeoutClass] = entry;
            records[base + 6] = (records[base + 6] & ~0xFFL) | timeoutClass | 0x80;
        }
        records[base + 3] = deadlineNs;
    }

    private void unlinkLru(final int entry)
    {
        final int base = entry * STRIDE;
        if ((records[base + 6] & 0x80) == 0)
        {
            return; // not in any list yet
        }
        final int timeoutClass = timeoutClass(entry);
        final int previous = (int)(records[base + 4] >>> 32);
        final int next = (int)records[base + 4];
        if (previous == NONE)
        {
            lruHeads[timeoutClass] = next;
        }
        else
        {
            final int b = previous * STRIDE + 4;
            records[b] = (records[b] & 0xFFFF_FFFF_0000_0000L) | (next & 0xFFFF_FFFFL);
        }
        if (next == NONE)
        {
            lruTails[timeoutClass] = previous;
        }
        else
        {
            final int b = next * STRIDE + 4;
            records[b] = ((long)previous << 32) | (records[b] & 0xFFFF_FFFFL);
        }
        records[base + 4] = ((long)NONE << 32) | (NONE & 0xFFFF_FFFFL);
        records[base + 6] &= ~0xFFL;
    }

    /**
     * @return the least recently refreshed session of a timeout class (earliest deadline), or NONE.
     */
    int oldest(final int timeoutClass)
    {
        return lruHeads[timeoutClass];
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
        return records[entry * STRIDE + 1] != 0;
    }

    int insideAddress(final int entry)
    {
        return (int)(records[entry * STRIDE] >>> 32);
    }

    int remoteAddress(final int entry)
    {
        return (int)records[entry * STRIDE];
    }

    int protocol(final int entry)
    {
        return (int)(records[entry * STRIDE + 1] >>> 48);
    }

    int insidePort(final int entry)
    {
        return (int)(records[entry * STRIDE + 1] >>> 32) & 0xFFFF;
    }

    int remotePort(final int entry)
    {
        return (int)(records[entry * STRIDE + 1] >>> 16) & 0xFFFF;
    }

    int publicPort(final int entry)
    {
        return (int)records[entry * STRIDE + 1] & 0xFFFF;
    }

    int publicAddress(final int entry)
    {
        return (int)(records[entry * STRIDE + 2] >>> 32);
    }

    int mapping(final int entry)
    {
        return (int)records[entry * STRIDE + 2];
    }

    long deadlineNs(final int entry)
    {
        return records[entry * STRIDE + 3];
    }

    int ipChecksumDelta(final int entry)
    {
        return (int)(records[entry * STRIDE + 6] >>> 48);
    }

    int l4ChecksumDelta(final int entry)
    {
        return (int)(records[entry * STRIDE + 6] >>> 32) & 0xFFFF;
    }

    int tcpFlags(final int entry)
    {
        return (int)(records[entry * STRIDE + 6] >>> 8) & 0xFF;
    }

    void tcpFlags(final int entry, final int flags)
    {
        final int base = entry * STRIDE + 6;
        records[base] = (records[base] & ~0xFF00L) | ((long)flags << 8);
    }

    /**
     * Marks a session as opened from outside through a static or inbound mapping.
     */
    void admittedInbound(final int entry)
    {
        records[entry * STRIDE + 6] |= ADMITTED_INBOUND;
    }

    boolean isAdmittedInbound(final int entry)
    {
        return (records[entry * STRIDE + 6] & ADMITTED_INBOUND) != 0;
    }

    int timeoutClass(final int entry)
    {
        return (int)records[entry * STRIDE + 6] & 0x7F;
    }

    int mappingPrevious(final int entry)
    {
        return (int)(records[entry * STRIDE + 5] >>> 32);
    }

    int mappingNext(final int entry)
    {
        return (int)records[entry * STRIDE + 5];
    }

    void mappingLinks(final int entry, final int previous, final int next)
    {
        records[entry * STRIDE + 5] = ((long)previous << 32) | (next & 0xFFFF_FFFFL);
    }

    long capacityBytes()
    {
        return (long)records.length * Long.BYTES + byOutboundKey.capacityBytes() + byInboundKey.capacityBytes();
    }
}
