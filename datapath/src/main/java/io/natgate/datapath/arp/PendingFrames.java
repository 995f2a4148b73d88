package io.natgate.datapath.arp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * IP packets waiting for their next hop's MAC: a bounded pool of fixed slots, copied in when
 * ARP misses and handed back when the reply comes or the resolution fails. A full pool is a
 * return value, counted by the caller.
 */
public final class PendingFrames
{
    public static final int SLOT_BYTES = 9216;

    private final UnsafeBuffer slots;
    private final int[] ports;
    private final int[] nextHops;
    private final int[] lengths;
    private int count;

    public PendingFrames(final int capacity)
    {
        slots = new UnsafeBuffer(new byte[capacity * SLOT_BYTES]);
        ports = new int[capacity];
        nextHops = new int[capacity];
        lengths = new int[capacity];
    }

    /**
     * @return false when the pool is full or the packet too big for a slot.
     */
    public boolean add(final int port, final int nextHop, final DirectBuffer buffer, final int offset, final int length)
    {
        return add(port, nextHop, buffer, offset, length, Integer.MAX_VALUE);
    }

    /**
     * As {@link #add(int, int, DirectBuffer, int, int)}, refusing also when {@code maxPerKey} packets already wait
     * for the same port and address, so no one address takes the pool.
     */
    public boolean add(
        final int port, final int nextHop, final DirectBuffer buffer, final int offset, final int length,
        final int maxPerKey)
    {
        if (count == lengths.length || length > SLOT_BYTES)
        {
            return false;
        }
        if (maxPerKey < lengths.length)
        {
            int waiting = 0;
            for (int slot = 0; slot < lengths.length; slot++)
            {
                if (lengths[slot] != 0 && ports[slot] == port && nextHops[slot] == nextHop && ++waiting >= maxPerKey)
                {
                    return false;
                }
            }
        }
        for (int slot = 0; slot < lengths.length; slot++)
        {
            if (lengths[slot] == 0)
            {
                slots.putBytes(slot * SLOT_BYTES, buffer, offset, length);
                ports[slot] = port;
                nextHops[slot] = nextHop;
                lengths[slot] = length;
                count++;
                return true;
            }
        }
        return false;
    }

    public int size()
    {
        return count;
    }

    /**
     * Moves the next packet waiting for {@code nextHop} on {@code port} to {@code destination}.
     *
     * @return its length, 0 when none is waiting.
     */
    public int take(final int port, final int nextHop, final MutableDirectBuffer destination, final int offset)
    {
        if (count == 0)
        {
            return 0;
        }
        for (int slot = 0; slot < lengths.length; slot++)
        {
            if (lengths[slot] != 0 && ports[slot] == port && nextHops[slot] == nextHop)
            {
                final int length = lengths[slot];
                destination.putBytes(offset, slots, slot * SLOT_BYTES, length);
                lengths[slot] = 0;
                count--;
                return length;
            }
        }
        return 0;
    }

    /**
     * Visits the distinct (port, next hop) pairs with packets waiting, for retries.
     */
    public void forEachWaiting(final WaitingVisitor visitor)
    {
        for (int slot = 0; slot < lengths.length; slot++)
        {
            if (lengths[slot] != 0)
            {
                visitor.onWaiting(ports[slot], nextHops[slot]);
            }
        }
    }

    /**
     * Receives a waiting (port, next hop) pair.
     */
    @FunctionalInterface
    public interface WaitingVisitor
    {
        void onWaiting(int port, int nextHop);
    }
}
