package io.natgate.control.profile;

import io.natgate.control.config.Units;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * What a gateway's tables and rings take, computed from their sizes without allocating them, to
 * hold a profile to its {@code memoryBudget} before anything starts. Every worker counts:
 * <ul>
 *   <li>NAT tables, as {@code NatEngine.tableCapacityBytes()} counts them once allocated, for each
 *       worker its share ({@code NatConfig.forWorker}: a ceiling of the total divided by the workers): sessions
 *       (a 64-byte record and 3 cold longs each, links and creation time, the records a cache line into their array,
 *       indexed by two open-addressing hash indexes), mappings (4 longs, two indexes),
 *       clients (5 ints, one index), and each worker's own port bitmaps (65,536 bits per public address and
 *       protocol, for TCP, UDP and ICMP). A hash index is a power of two of 4-byte slots, at least twice its
 *       entries. A test holds this to the engines' own count.</li>
 *   <li>Pipeline rings, each with Agrona's trailer: per worker an rx and a tx ring per port, a command
 *       ring and an event ring, and with more than one worker a handoff ring of the rx ring's size.</li>
 *   <li>Backend rings per port: AF_PACKET rx blocks and tx ring, the pcap buffer, or the WinDivert
 *       queue (kernel memory, but the host's all the same).</li>
 * </ul>
 * Not counted: the JVM itself, per-agent burst buffers (burst size x max frame length) and the
 * fragment buffer, which are small beside these.
 *
 * @param workers the NAT workers the tables and rings are counted for.
 */
public record MemoryEstimate(
    long tableBytes, long pipelineRingBytes, long backendBytes, int ports, int workers, long budgetBytes)
{
    private static final int SESSION_LONGS = 8 + 3;
    private static final int SESSION_RECORDS_OFFSET_LONGS = 6;
    private static final int MAPPING_LONGS = 4;
    private static final int CLIENT_INTS = 5;
    private static final int PORT_PROTOCOLS = 3;
    private static final int PORTS_PER_ADDRESS = 65_536;
    /**
     * The gateway's heap beside its NAT tables: the control plane (admin endpoint, journal writer and
     * warm restart, providers, firewall) and the JVM's own. The pipeline's rings are direct memory.
     */
    public static final long CONTROL_PLANE_HEAP_BYTES = 256L << 20;

    public long totalBytes()
    {
        return tableBytes + pipelineRingBytes + backendBytes;
    }

    public boolean fits()
    {
        return totalBytes() <= budgetBytes;
    }

    /**
     * @return the heap the gateway runs with: its NAT tables (on the heap, preallocated) and
     * {@link #CONTROL_PLANE_HEAP_BYTES}, rounded up to a MiB.
     */
    public long heapBytes()
    {
        final long mib = 1L << 20;
        return (tableBytes + CONTROL_PLANE_HEAP_BYTES + mib - 1) / mib * mib;
    }

    /**
     * @return the JVM option that bounds the heap to {@link #heapBytes()}, e.g. {@code -Xmx266m}: what
     * the launcher starts {@code natgate run} with (see {@code natgate run --jvm-heap}).
     */
    public String jvmHeapOption()
    {
        return "-Xmx" + (heapBytes() >> 20) + "m";
    }

    /**
     * @return e.g. {@code tables 8.1 MiB + pipeline rings 5.1 MiB + backend rings 20.1 MiB (2 ports) = 33.3 MiB},
     * with {@code (2 ports, 4 workers)} when there are several workers.
     */
    public String describe()
    {
        return "tables " + Units.humanSize(tableBytes) + " + pipeline rings " + Units.humanSize(pipelineRingBytes) +
            " + backend rings " + Units.humanSize(backendBytes) + " (" + ports + " ports" +
            (workers > 1 ? ", " + workers + " workers" : "") + ") = " + Units.humanSize(totalBytes());
    }

    /**
     * @param maxMappings 0 for as many as sessions.
     * @return the bytes of {@code workers} NAT engines' preallocated tables, each with its share of the
     * totals ({@code NatConfig.forWorker}) and its own port bitmaps.
     */
    public static long tableBytes(
        final int maxSessions, final int maxMappings, final int maxClients, final int publicAddresses,
        final int workers)
    {
        if (workers == 1)
        {
            return tableBytes(maxSessions, maxMappings, maxClients, publicAddresses);
        }
        final int mappings = maxMappings == 0 ? maxSessions : maxMappings;
        return workers * tableBytes(Math.ceilDiv(maxSessions, workers), Math.ceilDiv(mappings, workers),
            Math.ceilDiv(maxClients, workers), publicAddresses);
    }

    /**
     * @param maxMappings 0 for as many as sessions.
     * @return the bytes of one NAT engine's preallocated tables.
     */
    public static long tableBytes(
        final int maxSessions, final int maxMappings, final int maxClients, final int publicAddresses)
    {
        final int mappings = maxMappings == 0 ? maxSessions : maxMappings;
        final long sessionBytes = ((long)maxSessions * SESSION_LONGS + SESSION_RECORDS_OFFSET_LONGS) * Long.BYTES +
            2 * hashIndexBytes(maxSessions);
        final long mappingBytes = (long)mappings * MAPPING_LONGS * Long.BYTES + 2 * hashIndexBytes(mappings);
        final long clientBytes = (long)maxClients * CLIENT_INTS * Integer.BYTES + hashIndexBytes(maxClients);
        // a bitmap and a cursor per address and protocol, and a count of ports in use per address
        final long portBytes = (long)publicAddresses * PORT_PROTOCOLS * (PORTS_PER_ADDRESS / Byte.SIZE + Integer.BYTES) +
            (long)publicAddresses * Integer.BYTES;
        return sessionBytes + mappingBytes + clientBytes + portBytes;
    }

    /**
     * @return the bytes of the pipeline's rings for {@code ports} ports and {@code workers} workers: per
     * worker an rx and a tx ring per port, a command and an event ring, and with several workers a
     * handoff ring as large as an rx ring.
     */
    public static long pipelineRingBytes(
        final int ports, final int workers, final long rxRingBytes, final long txRingBytes,
        final long commandRingBytes, final long eventRingBytes)
    {
        final long trailer = RingBufferDescriptor.TRAILER_LENGTH;
        final long handoffBytes = workers > 1 ? rxRingBytes + trailer : 0;
        return (long)workers * (ports * (rxRingBytes + trailer + txRingBytes + trailer) + commandRingBytes + trailer +
            eventRingBytes + trailer + handoffBytes);
    }

    private static long hashIndexBytes(final int entries)
    {
        return (long)(Integer.highestOneBit(Math.max(2, entries) * 2 - 1) << 1) * Integer.BYTES;
    }
}
