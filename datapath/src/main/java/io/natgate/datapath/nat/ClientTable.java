package io.natgate.datapath.nat;

/**
 * Per inside address (client): public ports and sessions it holds, for the per-client
 * quotas (RFC 6888 REQ-4, RFC 7857 section 4), and of those sessions the ones outsiders opened through
 * its inbound mappings (forwards, PCP, firewall), which have a budget of their own: an outsider's flood
 * through a port forward must not use up the quota of the host behind it. An entry lives while it holds
 * anything.
 */
final class ClientTable
{
    private final int[] addresses;
    private final int[] ports;
    private final int[] sessions;
    private final int[] inboundSessions;
    private final int[] freeList;
    private int freeCount;
    private final HashIndex index;

    ClientTable(final int maxClients)
    {
        addresses = new int[maxClients];
        ports = new int[maxClients];
        sessions = new int[maxClients];
        inboundSessions = new int[maxClients];
        freeList = new int[maxClients];
        for (int i = 0; i < maxClients; i++)
        {
            freeList[i] = maxClients - 1 - i;
        }
        freeCount = maxClients;
        index = new HashIndex(maxClients)
        {
            int hashOf(final int entry)
            {
                return addressHash(addresses[entry]);
            }
        };
    }

    private static int addressHash(final int address)
    {
        return HashIndex.hash(address, 0x5bd1e995L);
    }

    /**
     * @return the client's entry, or -1.
     */
    int find(final int address)
    {
        final int[] slots = index.slots;
        final int mask = index.mask;
        int slot = addressHash(address) & mask;
        int value;
        while ((value = slots[slot]) != 0)
        {
            final int entry = index.entry(value);
            if (addresses[entry] == address)
            {
                return entry;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * @return the client's entry, created if needed, or -1 when the table is full.
     */
    int findOrCreate(final int address)
    {
        final int existing = find(address);
        if (existing >= 0 || freeCount == 0)
        {
            return existing;
        }
        final int entry = freeList[--freeCount];
        addresses[entry] = address;
        ports[entry] = 0;
        sessions[entry] = 0;
        inboundSessions[entry] = 0;
        index.insert(addressHash(address), entry);
        return entry;
    }

    /**
     * @return the clients holding ports or sessions.
     */
    int size()
    {
        return addresses.length - freeCount;
    }

    int capacity()
    {
        return addresses.length;
    }

    /**
     * @return true when the entry is a client holding ports or sessions (a free entry holds neither).
     */
    boolean isLive(final int entry)
    {
        return ports[entry] > 0 || sessions[entry] > 0;
    }

    int address(final int entry)
    {
        return addresses[entry];
    }

    int ports(final int entry)
    {
        return ports[entry];
    }

    int sessions(final int entry)
    {
        return sessions[entry];
    }

    /**
     * @return of its {@link #sessions}, those opened from outside through its inbound mappings.
     */
    int inboundSessions(final int entry)
    {
        return inboundSessions[entry];
    }

    /**
     * Counts a session opened from outside through an inbound mapping, or one closing, among its {@link #sessions}
     * (which count it too).
     */
    void addInboundSessions(final int entry, final int delta)
    {
        inboundSessions[entry] += delta;
    }

    void addPorts(final int entry, final int delta)
    {
        ports[entry] += delta;
        releaseIfEmpty(entry);
    }

    void addSessions(final int entry, final int delta)
    {
        sessions[entry] += delta;
        releaseIfEmpty(entry);
    }

    /**
     * Frees the entry when it holds nothing (after a refused quota check, say).
     */
    void releaseIfEmpty(final int entry)
    {
        if (ports[entry] <= 0 && sessions[entry] <= 0)
        {
            index.remove(addressHash(addresses[entry]), entry);
            freeList[freeCount++] = entry;
        }
    }

    long capacityBytes()
    {
        return (long)addresses.length * Integer.BYTES * 5 + index.capacityBytes();
    }
}
