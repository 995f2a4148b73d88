package io.natgate.datapath.nat;

/**
 * Open-addressing index from a key to an entry number of a record table, with linear
 * probing and backward-shift deletion (no tombstones). Slots hold only {@code entry + 1}
 * (0 = empty); keys live in the records, so a probe compares against the record and the
 * index costs 4 bytes a slot. Capacity is a power of two at least twice the entries, so
 * probe sequences stay short.
 */
abstract class HashIndex
{
    final int[] slots;
    final int mask;

    HashIndex(final int maxEntries)
    {
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

    final void insert(final int hash, final int entry)
    {
        int slot = hash & mask;
        while (slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }
        slots[slot] = entry + 1;
    }

    /**
     * Removes {@code entry}, whose key hashes to {@code hash}.
     */
    final void remove(final int hash, final int entry)
    {
        int slot = hash & mask;
        while (slots[slot] != entry + 1)
        {
            if (slots[slot] == 0)
            {
                throw new IllegalStateException("entry " + entry + " not in index");
            }
            slot = (slot + 1) & mask;
        }

        int hole = slot;
        int next = (hole + 1) & mask;
        while (slots[next] != 0)
        {
            final int home = hashOf(slots[next] - 1) & mask;
            // move next into the hole unless its home lies cyclically in (hole, next]
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                slots[hole] = slots[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        slots[hole] = 0;
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
