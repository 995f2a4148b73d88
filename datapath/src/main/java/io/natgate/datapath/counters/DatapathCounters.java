package io.natgate.datapath.counters;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * All datapath counters in one buffer of longs: the global counters, then for each port
 * its {@link PortCounter}s followed by its {@link DropReason}s. Every slot has exactly one
 * writing thread (rx agent, worker or tx agent), which increments with a release store;
 * any thread reads with an acquire load, so reading needs no lock. The buffer may be a
 * memory-mapped file so another process can read it.
 */
public final class DatapathCounters
{
    private static final int SLOTS_PER_PORT = PortCounter.values().length + DropReason.count();
    private static final int GLOBAL_SLOTS = GlobalCounter.values().length;

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
        add(portSlot(portIndex, counter.id()), 1);
    }

    public void add(final int portIndex, final PortCounter counter, final long delta)
    {
        add(portSlot(portIndex, counter.id()), delta);
    }

    public void drop(final int portIndex, final DropReason reason)
    {
        add(portSlot(portIndex, PortCounter.values().length + reason.id()), 1);
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
        return buffer.getLongAcquire(portSlot(portIndex, counter.id()) * Long.BYTES);
    }

    public long get(final int portIndex, final DropReason reason)
    {
        return buffer.getLongAcquire(portSlot(portIndex, PortCounter.values().length + reason.id()) * Long.BYTES);
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
            total += buffer.getLongAcquire(portSlot(portIndex, PortCounter.values().length + id) * Long.BYTES);
        }
        return total;
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
