package io.natgate.datapath.nat;

/**
 * A small set of IPv4 addresses mapping each to its position in the configured list;
 * open addressing over an int array, so membership on the fast path allocates nothing.
 */
final class AddressSet
{
    private final int[] keys;
    private final int[] values;
    private final int mask;
    private final int[] addresses;

    AddressSet(final int[] addresses)
    {
        this.addresses = addresses.clone();
        final int capacity = Integer.highestOneBit(Math.max(2, addresses.length) * 4 - 1) << 1;
        keys = new int[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(values, -1);
        for (int i = 0; i < addresses.length; i++)
        {
            int slot = HashIndex.hash(addresses[i], 7) & mask;
            while (values[slot] != -1)
            {
                slot = (slot + 1) & mask;
            }
            keys[slot] = addresses[i];
            values[slot] = i;
        }
    }

    /**
     * @return the address's index in the list, or -1 when it is not in the set.
     */
    int indexOf(final int address)
    {
        int slot = HashIndex.hash(address, 7) & mask;
        int value;
        while ((value = values[slot]) != -1)
        {
            if (keys[slot] == address)
            {
                return value;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    boolean contains(final int address)
    {
        return indexOf(address) >= 0;
    }

    int address(final int index)
    {
        return addresses[index];
    }

    int size()
    {
        return addresses.length;
    }
}
