package io.natgate.datapath.nat;

/**
 * Open-addressing index from a key to an entry number of a record table, with linear
 * probing and backward-shift deletion (no tombstones). A slot holds {@code entry + 1} in its
 * low {@link #ENTRY_BITS} bits (0 = empty) and the entry's distance from its home slot in the
 * bits above, so deletion shifts entries back without reading their records to rehash them;
 * keys live in the records, so a probe compares against the record and the index costs 4
 * bytes a slot. Read a slot's entry with {@link #entry}. Capacity is a power of two at least
 * twice the entries, so probe sequences stay short.
 */
abstract class HashIndex
{
    /** Bits of a slot holding {@code entry + 1}: room for the 2^26 entries configuration allows. */
    static final int ENTRY_BITS = 27;
    private static final int ENTRY_MASK = (1 << ENTRY_BITS) - 1;
    /** A distance this large or larger is stored as this, and read back by rehashing the record. */
    private static final int FAR = (1 << (Integer.SIZE - ENTRY_BITS)) - 1;

    final int[] slots;
    final int mask;

    HashIndex(final int maxEntries)
    {
        if (maxEntries >= ENTRY_MASK)
        {
            throw new IllegalArgumentException("at most " + (ENTRY_MASK - 1) + " entries: " + maxEntries);
        }
        final int capacity = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        slots = new int[capacity];
        mask = capacity - 1;
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
    static int entry(final int slotValue)
    {
        return (slotValue & ENTRY_MASK) - 1;
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
        slots[slot] = slotValue(entry + 1, distance);
    }

    /**
     * Removes {@code entry}, whose key hashes to {@code hash}.
     */
    final void remove(final int hash, final int entry)
    {
        int slot = hash & mask;
        while ((slots[slot] & ENTRY_MASK) != entry + 1)
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
            int distance = value >>> ENTRY_BITS;
            if (distance == FAR)
            {
                distance = (next - hashOf(entry(value))) & mask;
            }
            // move next into the hole unless its home lies cyclically in (hole, next]
            final int shift = (next - hole) & mask;
            if (distance >= shift)
            {
                slots[hole] = slotValue(value & ENTRY_MASK, distance - shift);
                hole = next;
            }
            next = (next + 1) & mask;
        }
        slots[hole] = 0;
    }

    private static int slotValue(final int entryPlusOne, final int distance)
    {
        return (Math.min(distance, FAR) << ENTRY_BITS) | entryPlusOne;
    }

    final void clear()
    {
        java.util.Arrays.fill(slots, 0);
    }

    final long capacityBytes()
    {
        return (long)slots.length * Integer.BYTES;
    }
}
