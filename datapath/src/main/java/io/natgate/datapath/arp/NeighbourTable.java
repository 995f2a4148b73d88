package io.natgate.datapath.arp;

/**
 * The ARP cache of one Ethernet port: next-hop address to MAC. An address lives in one of the
 * {@link #WAYS} slots from its hash's slot on (a set-associative cache: neighbours whose hashes
 * collide each keep an entry, where a direct-mapped table made them evict each other and ARP
 * without end); only when all of those are taken does a new address evict one, the entry closest
 * to expiry. An entry is incomplete (MAC 0) while its ARP request is outstanding; the owner
 * retries and gives up by the timestamps kept here.
 * <p>
 * What ARP may change is decided here ({@link #observe}): an entry is learned only from a reply to
 * a request the gateway sent, refreshed by anything from the same MAC, and a different MAC for a
 * known neighbour is only a candidate until confirmed: it must still answer after a confirmation
 * window in which the known MAC stayed silent. An entry {@link #pin pinned} by configuration (a static
 * binding) is never changed by ARP, never expires and is never evicted.
 */
public final class NeighbourTable
{
    /** Slots an address may occupy, from its hash's slot on. */
    public static final int WAYS = 16;

    /** {@link #observe}: no entry for the address, nothing learned (an unsolicited reply when it was one). */
    public static final int UNKNOWN = 0;
    /** {@link #observe}: the reply to our request resolved the entry. */
    public static final int LEARNED = 1;
    /** {@link #observe}: the known MAC spoke again; the entry lives on. */
    public static final int REFRESHED = 2;
    /** {@link #observe}: a MAC other than the known one; kept as a candidate, the caller asks for confirmation. */
    public static final int CHANGED = 3;
    /** {@link #observe}: the candidate MAC answered after the window with the known one silent: now it is the entry. */
    public static final int ADOPTED = 4;

    private final int[] addresses;
    private final long[] macs;
    private final long[] expiresNs;
    private final long[] lastRequestNs;
    private final int[] requestsSent;
    private final boolean[] used;
    private final long[] candidateMacs;
    private final long[] candidateSinceNs;
    private final boolean[] pinned;
    private final int mask;
    /** How long a pinned entry is valid after each lookup: it never expires, but callers cache by expiry. */
    private static final long PINNED_VALIDITY_NS = 3_600_000_000_000L;

    public NeighbourTable(final int capacity)
    {
        final int size = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1);
        addresses = new int[size];
        macs = new long[size];
        expiresNs = new long[size];
        lastRequestNs = new long[size];
        requestsSent = new int[size];
        used = new boolean[size];
        candidateMacs = new long[size];
        candidateSinceNs = new long[size];
        pinned = new boolean[size];
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
        int victim = -1;
        for (int i = 0; i < WAYS; i++)
        {
            final int slot = (home + i) & mask;
            if (!used[slot])
            {
                return slot;
            }
            if (!pinned[slot] && (victim < 0 || expiresNs[slot] - expiresNs[victim] < 0))
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
        if (slot >= 0 && pinned[slot])
        {
            expiresNs[slot] = nowNs + PINNED_VALIDITY_NS;
            return macs[slot];
        }
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
     * @return the MAC the address is resolved to, expired or not, or 0 when it has none.
     */
    public long macOf(final int address)
    {
        final int slot = find(address);
        return slot >= 0 ? macs[slot] : 0;
    }

    /**
     * Applies what an ARP packet from {@code address} at {@code mac} says, as the gateway's rules allow.
     *
     * @param replyToUs the packet is a reply addressed to the gateway: the only kind that resolves an entry.
     * @param windowNs  how long the known MAC has to speak up before a changed one is adopted.
     * @return {@link #UNKNOWN}, {@link #LEARNED}, {@link #REFRESHED}, {@link #CHANGED} or {@link #ADOPTED}.
     */
    public int observe(
        final int address, final long mac, final boolean replyToUs, final long nowNs, final long expiresAtNs,
        final long windowNs)
    {
        final int slot = find(address);
        if (slot < 0)
        {
            return UNKNOWN;
        }
        final long known = macs[slot];
        if (pinned[slot])
        {
            return known == mac ? REFRESHED : CHANGED; // bound by configuration: a claim is counted, never taken
        }
        if (known == 0)
        {
            if (!replyToUs)
            {
                return UNKNOWN;
            }
            learn(address, mac, expiresAtNs);
            return LEARNED;
        }
        if (known == mac)
        {
            expiresNs[slot] = expiresAtNs;
            candidateMacs[slot] = 0; // the known host is alive: whoever claimed otherwise was not it
            return REFRESHED;
        }
        if (candidateMacs[slot] == mac && replyToUs && nowNs - candidateSinceNs[slot] >= windowNs)
        {
            learn(address, mac, expiresAtNs);
            return ADOPTED;
        }
        if (candidateMacs[slot] != mac)
        {
            candidateMacs[slot] = mac;
            candidateSinceNs[slot] = nowNs;
        }
        return CHANGED;
    }

    /**
     * Decides whether to ask a known neighbour again while its MAC stays in use, and records it: at most
     * once a retry interval.
     */
    public boolean shouldRefresh(final int address, final long nowNs, final long retryIntervalNs)
    {
        final int slot = find(address);
        if (slot >= 0 && nowNs - lastRequestNs[slot] >= retryIntervalNs)
        {
            lastRequestNs[slot] = nowNs;
            return true;
        }
        return false;
    }

    /**
     * Records a neighbour's MAC. The caller decided it may ({@link #observe} does for ARP).
     */
    public void learn(final int address, final long mac, final long expiresAtNs)
    {
        int slot = find(address);
        if (slot >= 0 && pinned[slot])
        {
            return;
        }
        if (slot < 0)
        {
            slot = victim(address);
            if (slot < 0)
            {
                return; // every way pinned by configuration
            }
        }
        used[slot] = true;
        addresses[slot] = address;
        macs[slot] = mac;
        expiresNs[slot] = expiresAtNs;
        requestsSent[slot] = 0;
        candidateMacs[slot] = 0;
    }

    /**
     * Decides whether to send an ARP request for an unresolved address now, and records it.
     *
     * @return true when a request should be sent (first try, or the retry interval has passed).
     */
    public boolean shouldRequest(final int address, final long nowNs, final long retryIntervalNs, final int maxRequests)
    {
        int slot = find(address);
        if (slot >= 0 && pinned[slot])
        {
            return false;
        }
        if (slot < 0 || macs[slot] != 0 && expiresNs[slot] - nowNs <= 0)
        {
            if (slot < 0)
            {
                slot = victim(address);
                if (slot < 0)
                {
                    return false; // every way pinned by configuration
                }
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
        if (slot >= 0 && !pinned[slot])
        {
            used[slot] = false;
        }
    }

    /**
     * Binds the address to the MAC for good (a static binding from the configuration): ARP never changes it, it
     * never expires and is never evicted.
     *
     * @return false when all the address's ways are pinned already.
     */
    public boolean pin(final int address, final long mac)
    {
        int slot = find(address);
        if (slot < 0)
        {
            slot = victim(address);
            if (slot < 0)
            {
                return false;
            }
        }
        used[slot] = true;
        addresses[slot] = address;
        macs[slot] = mac;
        requestsSent[slot] = 0;
        candidateMacs[slot] = 0;
        pinned[slot] = true;
        return true;
    }
}
