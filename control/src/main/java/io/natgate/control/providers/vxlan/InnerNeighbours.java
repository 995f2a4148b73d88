package io.natgate.control.providers.vxlan;

import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tunnel's ARP table for the remote subnet: inner MACs learned from what the peer sends (ARP and
 * IPv4 source addresses), and the few packets waiting for an address to be resolved. Thread-safe (the
 * platform's sender thread sends, the local UDP thread learns); every operation is short.
 */
final class InnerNeighbours
{
    static final int MAX_HELD_PER_ADDRESS = 8;
    static final int MAX_HELD_ADDRESSES = 64;
    /** An address unresolved is asked for at most this often. */
    static final long REQUEST_INTERVAL_NS = 500_000_000L;
    /** Packets for an address asked for this long ago without an answer make room for others. */
    static final long GIVE_UP_NS = 5_000_000_000L;

    private final Long2LongHashMap macs = new Long2LongHashMap(0);
    private final Map<Integer, Held> held = new HashMap<>();

    private static final class Held
    {
        final ArrayDeque<byte[]> packets = new ArrayDeque<>(MAX_HELD_PER_ADDRESS);
        long requestedNs;
    }

    /**
     * @return the MAC of an address, 0 when unknown.
     */
    synchronized long lookup(final int address)
    {
        return macs.get(address & 0xFFFF_FFFFL);
    }

    /**
     * Learns (or relearns) an address's MAC.
     *
     * @return the packets that were waiting for it, oldest first; empty when none.
     */
    synchronized List<byte[]> learn(final int address, final long mac)
    {
        macs.put(address & 0xFFFF_FFFFL, mac);
        final Held waiting = held.isEmpty() ? null : held.remove(address);
        return waiting == null ? List.of() : List.copyOf(waiting.packets);
    }

    /**
     * Keeps a packet until its destination is resolved (dropping the oldest beyond the limit).
     *
     * @return whether to send an ARP request for it now.
     */
    synchronized boolean hold(final int address, final byte[] packet, final long nowNs)
    {
        Held waiting = held.get(address);
        if (waiting == null)
        {
            if (held.size() >= MAX_HELD_ADDRESSES)
            {
                held.values().removeIf(unanswered -> nowNs - unanswered.requestedNs > GIVE_UP_NS);
                if (held.size() >= MAX_HELD_ADDRESSES)
                {
                    return false;
                }
            }
            waiting = new Held();
            waiting.requestedNs = nowNs - REQUEST_INTERVAL_NS;
            held.put(address, waiting);
        }
        if (waiting.packets.size() == MAX_HELD_PER_ADDRESS)
        {
            waiting.packets.removeFirst();
        }
        waiting.packets.addLast(packet);
        if (nowNs - waiting.requestedNs >= REQUEST_INTERVAL_NS)
        {
            waiting.requestedNs = nowNs;
            return true;
        }
        return false;
    }

    synchronized int size()
    {
        return macs.size();
    }

    /**
     * Forgets everything: the session ended, and the peer may come back another device.
     */
    synchronized void clear()
    {
        macs.clear();
        held.clear();
    }
}
