package io.natgate.datapath.nat;

/**
 * Endpoint-independent mappings (RFC 4787 REQ-1): inside endpoint and protocol to public
 * endpoint, found from either side. Records are 4 longs in one array; two {@link HashIndex}es
 * find them by inside and by public endpoint. Each mapping heads a list of its sessions.
 * <pre>
 *   m0: insideAddress(32) | publicAddress(32)
 *   m1: protocol(16) | insidePort(16) | publicPort(16) | kind(4) | publicAddressIndex(12)
 *   m2: firstSession(32) | remoteFilterAddress(32)
 *   m3: deadlineNs of an INBOUND mapping, else 0; next free entry while free
 * </pre>
 */
final class MappingTable
{
    static final int STRIDE = 4;
    static final int NONE = -1;

    private final long[] records;
    private int freeHead;
    private int size;
    private final int capacity;
    private final HashIndex byInside;
    private final HashIndex byPublic;

    MappingTable(final int capacity)
    {
        this.capacity = capacity;
        records = new long[capacity * STRIDE];
        for (int i = 0; i < capacity; i++)
        {
            records[i * STRIDE + 3] = i + 1 < capacity ? i + 1 : NONE;
        }
        freeHead = capacity > 0 ? 0 : NONE;
        byInside = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                return insideHash(insideAddress(entry), insidePort(entry), protocol(entry));
            }
        };
        byPublic = new HashIndex(capacity)
        {
            int hashOf(final int entry)
            {
                return publicHash(publicAddress(entry), publicPort(entry), protocol(entry));
            }
        };
    }

    static int insideHash(final int address, final int port, final int protocol)
    {
        return HashIndex.hash(((long)address << 32) | ((long)port << 16) | protocol, 0x1L);
    }

    static int publicHash(final int address, final int port, final int protocol)
    {
        return HashIndex.hash(((long)address << 32) | ((long)port << 16) | protocol, 0x2L);
    }

    int findByInside(final int address, final int port, final int protocol)
    {
        final int[] slots = byInside.slots;
        final int mask = byInside.mask;
        final long m0High = (long)address << 32;
        final long m1Key = ((long)protocol << 48) | ((long)port << 32);
        int slot = insideHash(address, port, protocol) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int base = byInside.entry(value) * STRIDE;
            if ((records[base] & 0xFFFF_FFFF_0000_0000L) == m0High &&
                (records[base + 1] & 0xFFFF_FFFF_0000_0000L) == m1Key)
            {
                return byInside.entry(value);
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    int findByPublic(final int address, final int port, final int protocol)
    {
        final int[] slots = byPublic.slots;
        final int mask = byPublic.mask;
        final long m1Key = ((long)protocol << 48) | ((long)port << 16);
        int slot = publicHash(address, port, protocol) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int base = byPublic.entry(value) * STRIDE;
            if ((int)records[base] == address && (records[base + 1] & 0xFFFF_0000_FFFF_0000L) == m1Key)
            {
                return byPublic.entry(value);
            }
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    /**
     * @return the new mapping, or {@link #NONE} when the table is full.
     */
    int add(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int publicAddressIndex, final MappingKind kind)
    {
        if (freeHead == NONE)
        {
            return NONE;
        }
        final int entry = freeHead;
        final int base = entry * STRIDE;
        freeHead = (int)records[base + 3];
        size++;
        records[base] = ((long)insideAddress << 32) | (publicAddress & 0xFFFF_FFFFL);
        records[base + 1] = ((long)protocol << 48) | ((long)insidePort << 32) | ((long)publicPort << 16) |
            ((long)kind.id() << 12) | publicAddressIndex;
        records[base + 2] = ((long)NONE << 32);
        records[base + 3] = 0;
        byInside.insert(insideHash(insideAddress, insidePort, protocol), entry);
        byPublic.insert(publicHash(publicAddress, publicPort, protocol), entry);
        return entry;
    }

    void remove(final int entry)
    {
        byInside.remove(insideHash(insideAddress(entry), insidePort(entry), protocol(entry)), entry);
        byPublic.remove(publicHash(publicAddress(entry), publicPort(entry), protocol(entry)), entry);
        records[entry * STRIDE + 1] = 0;
        records[entry * STRIDE + 3] = freeHead;
        freeHead = entry;
        size--;
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    int insideAddress(final int entry)
    {
        return (int)(records[entry * STRIDE] >>> 32);
    }

    int publicAddress(final int entry)
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

    int publicPort(final int entry)
    {
        return (int)(records[entry * STRIDE + 1] >>> 16) & 0xFFFF;
    }

    MappingKind kind(final int entry)
    {
        return MappingKind.get((int)(records[entry * STRIDE + 1] >>> 12) & 0xF);
    }

    void kind(final int entry, final MappingKind kind)
    {
        final int base = entry * STRIDE + 1;
        records[base] = (records[base] & ~0xF000L) | ((long)kind.id() << 12);
    }

    int publicAddressIndex(final int entry)
    {
        return (int)records[entry * STRIDE + 1] & 0xFFF;
    }

    int firstSession(final int entry)
    {
        return (int)(records[entry * STRIDE + 2] >>> 32);
    }

    void firstSession(final int entry, final int session)
    {
        final int base = entry * STRIDE + 2;
        records[base] = ((long)session << 32) | (records[base] & 0xFFFF_FFFFL);
    }

    int remoteFilter(final int entry)
    {
        return (int)records[entry * STRIDE + 2];
    }

    void remoteFilter(final int entry, final int remoteAddress)
    {
        final int base = entry * STRIDE + 2;
        records[base] = (records[base] & 0xFFFF_FFFF_0000_0000L) | (remoteAddress & 0xFFFF_FFFFL);
    }

    long deadlineNs(final int entry)
    {
        return records[entry * STRIDE + 3];
    }

    void deadlineNs(final int entry, final long deadlineNs)
    {
        records[entry * STRIDE + 3] = deadlineNs;
    }

    boolean isLive(final int entry)
    {
        return records[entry * STRIDE + 1] != 0;
    }

    long capacityBytes()
    {
        return (long)records.length * Long.BYTES + byInside.capacityBytes() + byPublic.capacityBytes();
    }
}
