package io.natgate.datapath.arp;

/**
 * The ARP cache of one Ethernet port: next-hop address to MAC. An address lives in one of the
 * {@link #WAYS} slots from its hash's slot on (a set-associative cache: neighbours whose hashes
 * collide each keep an entry, where a direct-mapped table made them evict each other and ARP
 * without end); only when all of those are taken does a new address evict one, the entry closest
 * to expiry. An entry is incomplete (MAC 0) while its ARP request is outstanding; the owner
 * retries and gives up by the timestamps kept here.
 */
public final class NeighbourTable
{
    public static final int NOT_FOUND = -1;
    /** Slots an address may occupy, from its hash's slot on. */
    public static final int WAYS = 16;

    private final int[] addresses;
    private final long[] macs;
    private final long[] expiresNs;
    private final long[] lastRequestNs;
    private final int[] requestsSent;
    private final boolean[] used;
    private final int mask;

    public NeighbourTable(final int capacity)
    {
        final int size = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1);
        addresses = new int[size];
        macs = new long[size];
        expiresNs = new long[size];
        lastRequestNs = new long[size];
        requestsSent = new int[size];
        used = new boolean[size];
        mask = size - 1;
    }

    private int slotOf(final int address)
    {
        int h = address; // MurmurHash3's finalizer: consecutive addresses spread over the whole table
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h & mask;
    }

    /**
     * @return the slot holding the address, or -1.
     */
    private int find(final int address)
    {
        final int home = slotOf(address);
        for (int i = 0; i < WAYS; i++)
        {
            final int slot = (home + i) & mask;
            if (used[slot] && addresses[slot] == address)
            {
                return slot;
            }
        }
        return -1;
    }

    /**
     * @return a slot for a new address: a free one of its ways, else the one expiring first.
     */
    private int victim(final int address)
    {
        final int home = slotOf(address);
        int victim = home;
        for (int i = 0; i < WAYS; i++)
        {
            final int slot = (home + i) & mask;
            if (!used[slot])
            {
                return slot;
            }
            if (expiresNs[slot] - expiresNs[victim] < 0)
            {
                victim = slot;
            }
        }
        return victim;
    }

    /**
     * @return the MAC of a reachable, unexpired neighbour, or 0.
     */
    public long lookup(final int address, final long nowNs)
    {
        final int slot = find(address);
        if (slot >= 0 && macs[slot] != 0 && expiresNs[slot] - nowNs > 0)
        {
            return macs[slot];
        }
        return 0;
    }

    /**
     * @return when the entry {@link #lookup} found for the address stops being reachable.
     */
    public long expiresAtNs(final int address)
    {
        final int slot = find(address);
        return slot >= 0 ? expiresNs[slot] : 0;
    }

    /**
     * @return true when the address has an entry, resolved or still being resolved.
     */
    public boolean contains(final int address)
    {
        return find(address) >= 0;
    }

    /**
     * Records a neighbour's MAC (from an ARP request or reply it sent).
     */
    public void learn(final int address, final long mac, final long expiresAtNs)
    {
        int slot = find(address);
        if (slot < 0)
        {
            slot = victim(address);
        }
        used[slot] = true;
        addresses[slot] = address;
        macs[slot] = mac;
        expiresNs[slot] = expiresAtNs;
        requestsSent[slot] = 0;
    }

    /**
     * Decides whether to send an ARP request for an unresolved address now, and records it.
     *
     * @return true when a request should be sent (first try, or the retry interval has passed).
     */
    public boolean shouldRequest(final int address, final long nowNs, final long retryIntervalNs, final int maxRequests)
    {
        int slot = find(address);
        if (slot < 0 || macs[slot] != 0 && expiresNs[slot] - nowNs <= 0)
        {
            if (slot < 0)
            {
                slot = victim(address);
            }
            used[slot] = true;
            addresses[slot] = address;
            macs[slot] = 0;
            expiresNs[slot] = nowNs;
            requestsSent[slot] = 1;
            lastRequestNs[slot] = nowNs;
            return true;
        }
        if (macs[slot] == 0 && requestsSent[slot] < maxRequests && nowNs - lastRequestNs[slot] >= retryIntervalNs)
        {
            requestsSent[slot]++;
            lastRequestNs[slot] = nowNs;
            return true;
        }
        return false;
    }

    /**
     * @return true when the address has had all its requests and the last one timed out unanswered.
     */
    public boolean hasFailed(final int address, final long nowNs, final long retryIntervalNs, final int maxRequests)
    {
        final int slot = find(address);
        return slot >= 0 && macs[slot] == 0 && requestsSent[slot] >= maxRequests &&
            nowNs - lastRequestNs[slot] >= retryIntervalNs;
    }

    /**
     * Forgets an unanswered address so a later frame starts a fresh resolution.
     */
    public void forget(final int address)
    {
        final int slot = find(address);
        if (slot >= 0)
        {
            used[slot] = false;
        }
    }
}
