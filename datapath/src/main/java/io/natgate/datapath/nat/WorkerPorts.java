package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;

/**
 * The public port space split between workers, one contiguous range per worker in each of the two
 * ranges RFC 4787 REQ-3 keeps apart: the privileged ports 1-1023 and the others, 1024-65535 (ICMP
 * identifiers follow the same split). A worker allocates only from its own ranges, so an inbound packet
 * belongs to the worker that owns its destination port ({@link #owner}) and no two workers ever hand out
 * the same public endpoint. The split is a pure function of the worker count: the same configuration
 * gives the same ranges after a restart, so a restored mapping's port still names its worker.
 * <p>
 * {@code owner(p) = (p - 1) * n / 1023} below 1024 and {@code (p - 1024) * n / 64512} above, integer
 * arithmetic a classic BPF program can do as well.
 */
public final class WorkerPorts
{
    /** Workers the split allows: every worker keeps at least a few privileged ports. */
    public static final int MAX_WORKERS = 256;
    public static final int FIRST_DYNAMIC_PORT = 1024;
    static final int PRIVILEGED_PORTS = 1023;
    static final int DYNAMIC_PORTS = 65_536 - FIRST_DYNAMIC_PORT;

    /** One worker owning every port. */
    public static final WorkerPorts SINGLE = new WorkerPorts(1);

    private final int workers;

    public WorkerPorts(final int workers)
    {
        if (workers < 1 || workers > MAX_WORKERS)
        {
            throw new ConfigurationException("workers", workers, "must be between 1 and " + MAX_WORKERS);
        }
        this.workers = workers;
    }

    public int workers()
    {
        return workers;
    }

    /**
     * @return the worker that owns public port (or ICMP identifier) {@code port}; port 0 is worker 0's.
     */
    public int owner(final int port)
    {
        if (port >= FIRST_DYNAMIC_PORT)
        {
            return (int)((long)(port - FIRST_DYNAMIC_PORT) * workers / DYNAMIC_PORTS);
        }
        return port == 0 ? 0 : (int)((long)(port - 1) * workers / PRIVILEGED_PORTS);
    }

    /**
     * @return the first privileged port (1-1023) of {@code worker}.
     */
    public int privilegedLow(final int worker)
    {
        return 1 + ceilDiv(worker * PRIVILEGED_PORTS, workers);
    }

    public int privilegedHigh(final int worker)
    {
        return privilegedLow(worker + 1) - 1;
    }

    /**
     * @return the first port at or above 1024 of {@code worker}.
     */
    public int dynamicLow(final int worker)
    {
        return FIRST_DYNAMIC_PORT + ceilDiv(worker * DYNAMIC_PORTS, workers);
    }

    public int dynamicHigh(final int worker)
    {
        return dynamicLow(worker + 1) - 1;
    }

    /**
     * @return the ranges as text, e.g. "1-511,1024-33279".
     */
    public String describe(final int worker)
    {
        return privilegedLow(worker) + "-" + privilegedHigh(worker) + "," + dynamicLow(worker) + "-" +
            dynamicHigh(worker);
    }

    private static int ceilDiv(final int dividend, final int divisor)
    {
        return (int)(((long)dividend + divisor - 1) / divisor);
    }
}
