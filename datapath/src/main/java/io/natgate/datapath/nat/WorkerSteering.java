package io.natgate.datapath.nat;

/**
 * Which worker owns a flow, shared by every thread that steers frames and by the workers themselves
 * (a hairpinned packet crosses to the worker that owns its destination). Outbound, a client belongs to
 * the worker its inside address hashes to ({@link #insideWorker}), so its mappings, quotas, paired
 * address and sessions live on one worker. Inbound, a public endpoint belongs to the worker that owns
 * its port ({@link WorkerPorts}), except the endpoints of static mappings, whose port the operator chose:
 * those are listed here ({@link #addStatic}) and belong to their inside host's worker.
 * <p>
 * Reads allocate nothing and take no lock; the static list is replaced whole (copy on write) by the
 * control plane, which publishes the new list before it sends the mapping's command to the worker.
 */
public final class WorkerSteering
{
    /** One worker: every flow is worker 0's. */
    public static final WorkerSteering SINGLE = new WorkerSteering(WorkerPorts.SINGLE);
    /** Static mapping endpoints that may be listed. */
    public static final int MAX_STATIC = 65_536;

    static final int MULTIPLIER = 0x9E37_79B1;

    private final WorkerPorts ports;
    private final int workers;
    private volatile StaticTable statics = StaticTable.EMPTY;

    public WorkerSteering(final WorkerPorts ports)
    {
        this.ports = ports;
        this.workers = ports.workers();
    }

    public WorkerSteering(final int workers)
    {
        this(new WorkerPorts(workers));
    }

    public int workers()
    {
        return workers;
    }

    public WorkerPorts ports()
    {
        return ports;
    }

    /**
     * @return the worker of an inside host: {@code h = address * 0x9E3779B1 (mod 2^32); h ^= h >>> 16;
     * worker = (h & 0xFFFF) * n >>> 16}, 32-bit integer steps a classic BPF program can take.
     */
    public static int insideWorker(final int insideAddress, final int workers)
    {
        int h = insideAddress * MULTIPLIER;
        h ^= h >>> 16;
        return (int)(((h & 0xFFFFL) * workers) >>> 16);
    }

    public int insideWorker(final int insideAddress)
    {
        return workers == 1 ? 0 : insideWorker(insideAddress, workers);
    }

    /**
     * @return the worker that owns public endpoint {@code publicAddress:publicPort} of {@code protocol}
     * (an ICMP identifier for ICMP): a static mapping's inside host's worker, else the port's owner.
     */
    public int publicWorker(final int protocol, final int publicAddress, final int publicPort)
    {
        if (workers == 1)
        {
            return 0;
        }
        final StaticTable statics = this.statics;
        if (statics.size != 0)
        {
            final int worker = statics.find(StaticTable.key(protocol, publicAddress, publicPort));
            if (worker >= 0)
            {
                return worker;
            }
        }
        return ports.owner(publicPort);
    }

    /**
     * Lists a static mapping's public endpoint as its inside host's. Control plane only (one thread).
     *
     * @return false when {@link #MAX_STATIC} endpoints are listed already.
     */
    public synchronized boolean addStatic(
        final int protocol, final int publicAddress, final int publicPort, final int insideAddress)
    {
        final long key = StaticTable.key(protocol, publicAddress, publicPort);
        final StaticTable current = statics;
        if (current.find(key) < 0 && current.size >= MAX_STATIC)
        {
            return false;
        }
        statics = current.with(key, insideWorker(insideAddress));
        return true;
    }

    /**
     * Forgets a static mapping's public endpoint.
     */
    public synchronized void removeStatic(final int protocol, final int publicAddress, final int publicPort)
    {
        statics = statics.without(StaticTable.key(protocol, publicAddress, publicPort));
    }

    /**
     * @return the worker a static mapping's endpoint is listed for, or -1.
     */
    public int staticWorker(final int protocol, final int publicAddress, final int publicPort)
    {
        return statics.find(StaticTable.key(protocol, publicAddress, publicPort));
    }

    /**
     * An immutable open-addressing table of packed endpoint keys to workers.
     */
    private static final class StaticTable
    {
        static final StaticTable EMPTY = new StaticTable(new long[8], new int[8], 0);

        final long[] keys; // 0 is free: every key has protocol bits set
        final int[] values;
        final int size;

        StaticTable(final long[] keys, final int[] values, final int size)
        {
            this.keys = keys;
            this.values = values;
            this.size = size;
        }

        static long key(final int protocol, final int address, final int port)
        {
            return ((long)(protocol & 0xFF) + 1) << 48 | (address & 0xFFFF_FFFFL) << 16 | (port & 0xFFFF);
        }

        int find(final long key)
        {
            final int mask = keys.length - 1;
            for (int slot = slot(key, mask); ; slot = (slot + 1) & mask)
            {
                final long candidate = keys[slot];
                if (candidate == key)
                {
                    return values[slot];
                }
                if (candidate == 0)
                {
                    return -1;
                }
            }
        }

        StaticTable with(final long key, final int worker)
        {
            final StaticTable table = rebuilt(key, size + 1);
            table.put(key, worker);
            return new StaticTable(table.keys, table.values, table.count());
        }

        StaticTable without(final long key)
        {
            return rebuilt(key, size).compacted();
        }

        private StaticTable compacted()
        {
            return new StaticTable(keys, values, count());
        }

        /**
         * @return a copy with room for {@code entries}, leaving {@code skip} out.
         */
        private StaticTable rebuilt(final long skip, final int entries)
        {
            int capacity = 8;
            while (capacity < entries * 2)
            {
                capacity <<= 1;
            }
            final StaticTable table = new StaticTable(new long[capacity], new int[capacity], 0);
            for (int slot = 0; slot < keys.length; slot++)
            {
                if (keys[slot] != 0 && keys[slot] != skip)
                {
                    table.put(keys[slot], values[slot]);
                }
            }
            return table;
        }

        private void put(final long key, final int worker)
        {
            final int mask = keys.length - 1;
            int slot = slot(key, mask);
            while (keys[slot] != 0 && keys[slot] != key)
            {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = worker;
        }

        private int count()
        {
            int count = 0;
            for (final long key : keys)
            {
                count += key != 0 ? 1 : 0;
            }
            return count;
        }

        private static int slot(final long key, final int mask)
        {
            return (int)((key * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
        }
    }
}
