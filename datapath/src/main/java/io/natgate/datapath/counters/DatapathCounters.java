package io.natgate.datapath.counters;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * All datapath counters in one buffer of longs: the global counters, then for each port its
 * {@link PortCounter}s and {@link DropReason}s. Every slot has exactly one writing thread (rx
 * agent, worker or tx agent), which increments with a release store; any thread reads with an
 * acquire load, so reading needs no lock. The slots each thread writes lie in blocks of their own,
 * {@link #BLOCK_BYTES} apart, so threads never write the same cache line (or its prefetched
 * neighbour): per port a block for the rx agent's counters, one for the tx agent's, then the
 * worker's. The buffer may be a memory-mapped file so another process can read it.
 */
public final class DatapathCounters
{
    /** Two cache lines: the unit one writer's slots are kept apart in. */
    public static final int BLOCK_BYTES = 128;
    private static final int BLOCK_SLOTS = BLOCK_BYTES / Long.BYTES;
    private static final int GLOBAL_SLOTS = align(GlobalCounter.values().length);
    private static final int[] PORT_COUNTER_SLOTS = new int[PortCounter.values().length];
    private static final int[] DROP_SLOTS = new int[DropReason.count()];
    private static final int SLOTS_PER_PORT;

    static
    {
        int rx = 0;
        int tx = BLOCK_SLOTS;
        int worker = 2 * BLOCK_SLOTS;
        for (final PortCounter counter : PortCounter.values())
        {
            PORT_COUNTER_SLOTS[counter.id()] = switch (counter)
            {
                case RX_FRAMES, RX_BYTES -> rx++;
                case TX_FRAMES, TX_BYTES -> tx++;
                default -> worker++;
            };
        }
        for (int id = 0; id < DROP_SLOTS.length; id++)
        {
            DROP_SLOTS[id] = switch (DropReason.get(id))
            {
                case FRAME_TOO_LARGE, RX_RING_FULL -> rx++;
                case TX_PORT_REFUSED -> tx++;
                default -> worker++;
            };
        }
        if (rx > BLOCK_SLOTS || tx > 2 * BLOCK_SLOTS)
        {
            throw new IllegalStateException("rx or tx counters overflow their block");
        }
        SLOTS_PER_PORT = align(worker);
    }

    private static int align(final int slots)
    {
        return (slots + BLOCK_SLOTS - 1) / BLOCK_SLOTS * BLOCK_SLOTS;
    }

    private final AtomicBuffer buffer;
    private final int portCount;

    public DatapathCounters(final int portCount)
    {
        this(new UnsafeBuffer(new byte[requiredCapacity(portCount)]), portCount);
    }

    public DatapathCounters(final AtomicBuffer buffer, final int portCount)
    {
        if (buffer.capacity() < requiredCapacity(portCount))
        {
            throw new IllegalArgumentException(
                "counters buffer too small: " + buffer.capacity() + " < " + requiredCapacity(portCount));
        }
        this.buffer = buffer;
        this.portCount = portCount;
    }

    public static int requiredCapacity(final int portCount)
    {
        return (GLOBAL_SLOTS + portCount * SLOTS_PER_PORT) * Long.BYTES;
    }

    public int portCount()
    {
        return portCount;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public void increment(final int portIndex, final PortCounter counter)
    {
        add(portSlot(portIndex, PORT_COUNTER_SLOTS[counter.id()]), 1);
    }

    public void add(final int portIndex, final PortCounter counter, final long delta)
    {
        add(portSlot(portIndex, PORT_COUNTER_SLOTS[counter.id()]), delta);
    }

    public void drop(final int portIndex, final DropReason reason)
    {
        add(portSlot(portIndex, DROP_SLOTS[reason.id()]), 1);
    }

    public void increment(final GlobalCounter counter)
    {
        add(counter.id(), 1);
    }

    public void add(final GlobalCounter counter, final long delta)
    {
        add(counter.id(), delta);
    }

    public void set(final GlobalCounter counter, final long value)
    {
        buffer.putLongRelease(counter.id() * Long.BYTES, value);
    }

    public long get(final int portIndex, final PortCounter counter)
    {
        return buffer.getLongAcquire(portSlot(portIndex, PORT_COUNTER_SLOTS[counter.id()]) * Long.BYTES);
    }

    public long get(final int portIndex, final DropReason reason)
    {
        return buffer.getLongAcquire(portSlot(portIndex, DROP_SLOTS[reason.id()]) * Long.BYTES);
    }

    public long get(final GlobalCounter counter)
    {
        return buffer.getLongAcquire(counter.id() * Long.BYTES);
    }

    /**
     * @return the sum of all drop reasons on a port.
     */
    public long totalDrops(final int portIndex)
    {
        long total = 0;
        for (int id = 0; id < DropReason.count(); id++)
        {
            total += buffer.getLongAcquire(portSlot(portIndex, DROP_SLOTS[id]) * Long.BYTES);
        }
        return total;
    }

    /**
     * Adds every slot of this set (counters and gauges alike) into {@code target}, e.g. to sum the sets of several
     * workers into one. Not for the hot path: it reads every slot. {@code target} must have a writer of its own
     * (typically a snapshot on the heap), as every slot has.
     *
     * @param target a set with at least as many ports as this one.
     */
    public void addTo(final DatapathCounters target)
    {
        if (target.portCount < portCount)
        {
            throw new IllegalArgumentException(
                "cannot add counters of " + portCount + " ports into a set of " + target.portCount);
        }
        final int slots = requiredCapacity(portCount) / Long.BYTES;
        for (int slot = 0; slot < slots; slot++)
        {
            target.add(slot, buffer.getLongAcquire(slot * Long.BYTES));
        }
    }

    private int portSlot(final int portIndex, final int slotInPort)
    {
        if (portIndex < 0 || portIndex >= portCount)
        {
            throw new IndexOutOfBoundsException("port index " + portIndex + " of " + portCount);
        }
        return GLOBAL_SLOTS + portIndex * SLOTS_PER_PORT + slotInPort;
    }

    private void add(final int slot, final long delta)
    {
        final int index = slot * Long.BYTES;
        buffer.putLongRelease(index, buffer.getLong(index) + delta);
    }
}
