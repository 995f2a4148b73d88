package io.natgate.datapath.arp;

/**
 * The ARP cache of one Ethernet port: next-hop address to MAC. Direct-mapped by a hash of the
 * address, a colliding address evicting the older entry, so lookups are one probe and the
 * table never needs deleting. An entry is incomplete (MAC 0) while its ARP request is
 * outstanding; the owner retries and gives up by the timestamps kept here.
 */
public final class NeighbourTable
{
    public static final int NOT_FOUND = -1;

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
        int h = address * 0x9E37_79B9;
        h ^= h >>> 16;
        return h & mask;
    }

    /**
     * @return the MAC of a reachable, unexpired neighbour, or 0.
     */
    public long lookup(final int address, final long nowNs)
    {
        final int slot = slotOf(address);
        if (used[slot] && addresses[slot] == address && macs[slot] != 0 && expiresNs[slot] - nowNs > 0)
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
        return expiresNs[slotOf(address)];
    }

    /**
     * @return true when the address has an entry, resolved or still being resolved.
     */
    public boolean contains(final int address)
    {
        final int slot = slotOf(address);
        return used[slot] && addresses[slot] == address;
    }

    /**
     * Records a neighbour's MAC (from an ARP request or reply it sent).
     */
    public void learn(final int address, final long mac, final long expiresAtNs)
    {
        final int slot = slotOf(address);
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
        final int slot = slotOf(address);
        if (!used[slot] || addresses[slot] != address || macs[slot] != 0 && expiresNs[slot] - nowNs <= 0)
        {
            used[slot] = true;
            addresses[slot] = address;
            macs[slot] = 0;
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
        final int slot = slotOf(address);
        return used[slot] && addresses[slot] == address && macs[slot] == 0 && requestsSent[slot] >= maxRequests &&
            nowNs - lastRequestNs[slot] >= retryIntervalNs;
    }

    /**
     * Forgets an unanswered address so a later frame starts a fresh resolution.
     */
    public void forget(final int address)
    {
        final int slot = slotOf(address);
        if (used[slot] && addresses[slot] == address)
        {
            used[slot] = false;
        }
    }
}
