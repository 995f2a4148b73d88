package io.natgate.datapath.nat;

/**
 * Open-addressing index from a key to an entry number of a record table, with linear probing
 * and backward-shift deletion (no tombstones). A slot holds, from the low bits up: {@code entry + 1}
 * in {@link #entryBits} bits (0 = empty); the entry's distance from its home slot in 4 bits (15 =
 * that far or farther, read by rehashing the record), so deletion moves entries without reading
 * their records; and in the bits left the same bits of the key's hash as a fingerprint, so a probe
 * reads a record only when the fingerprint matches and a lookup costs the index line and the one
 * record it finds (7 fingerprint bits at a million entries: a needless record read in 1 of 128
 * probes past the first). Keys live in the records; the index costs 4 bytes a slot. Capacity is a
 * power of two at least twice the entries, so probe sequences stay short.
 */
abstract class HashIndex
{
    /** Entries an index holds at most: the 2^26 configuration allows. */
    static final int MAX_ENTRIES = 1 << 26;

    final int[] slots;
    final int mask;
    /** Bits of a slot holding {@code entry + 1}. */
    final int entryBits;
    /** The fingerprint bits of a slot and of a hash: compare {@code (slot & tagMask) == (hash & tagMask)}. */
    final int tagMask;
    private final int entryMask;
    private static final int DISTANCE_BITS = 4;
    private static final int FAR = (1 << DISTANCE_BITS) - 1;

    HashIndex(final int maxEntries)
    {
        if (maxEntries > MAX_ENTRIES)
        {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " entries: " + maxEntries);
        }
        final int capacity = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        slots = new int[capacity];
        mask = capacity - 1;
        entryBits = Integer.SIZE - Integer.numberOfLeadingZeros(Math.max(1, maxEntries));
        entryMask = (1 << entryBits) - 1;
        tagMask = ~((1 << (entryBits + DISTANCE_BITS)) - 1);
    }

    /**
     * @return the hash of the key stored in {@code entry}'s record.
     */
    abstract int hashOf(int entry);

    static int hash(final long a, final long b)
    {
        long h = a * 0x9E37_79B9_7F4A_7C15L + b;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 32;
        return (int)h;
    }

    /**
     * @return the entry a non-empty slot's content names.
     */
    final int entry(final int slotValue)
    {
        return (slotValue & entryMask) - 1;
    }

    /**
     * @return the slot of the first entry from the key's home slot on whose fingerprint matches
     * {@code hash}, or of the empty slot that ends the probe: for a lookup, and for prefetching the
     * record it will read.
     */
    final int candidate(final int hash)
    {
        final int[] slots = this.slots;
        final int tag = hash & tagMask;
        int slot = hash & mask;
        int value;
        while ((value = slots[slot]) != 0 && (value & tagMask) != tag)
        {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    final void insert(final int hash, final int entry)
    {
        int slot = hash & mask;
        int distance = 0;
        while (slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
            distance++;
        }
        slots[slot] = withDistance((hash & tagMask) | (entry + 1), distance);
    }

    private int withDistance(final int value, final int distance)
    {
        return (value & ~(FAR << entryBits)) | (Math.min(distance, FAR) << entryBits);
    }

    /**
     * Removes {@code entry}, whose key hashes to {@code hash}.
     */
    final void remove(final int hash, final int entry)
    {
        int slot = hash & mask;
        while ((slots[slot] & entryMask) != entry + 1)
        {
            if (slots[slot] == 0)
            {
                throw new IllegalStateException("entry " + entry + " not in index");
            }
            slot = (slot + 1) & mask;
        }

        int hole = slot;
        int next = (hole + 1) & mask;
        int value;
        while ((value = slots[next]) != 0)
        {
            int distance = (value >>> entryBits) & FAR;
            if (distance == FAR)
            {
                distance = (next - hashOf(entry(value))) & mask;
            }
            // move next into the hole unless its home lies cyclically in (hole, next]
            final int shift = (next - hole) & mask;
            if (distance >= shift)
            {
                slots[hole] = withDistance(value, distance - shift);
                hole = next;
            }
            next = (next + 1) & mask;
        }
        slots[hole] = 0;
    }

    final long capacityBytes()
    {
        return (long)slots.length * Integer.BYTES;
    }
}
