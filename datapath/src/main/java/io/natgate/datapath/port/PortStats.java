package io.natgate.datapath.port;

/**
 * What a port's device knows that the pipeline's counters cannot: frames lost below the port
 * (the kernel's capture ring or the interface was full) and frames that {@link Port#transmit}
 * accepted but the device later failed to send. Filled in place by {@link Port#stats}, so
 * polling allocates nothing; totals since the port was opened.
 */
public final class PortStats
{
    private long rxDropped;
    private long rxInterfaceDropped;
    private long txFailed;

    /**
     * @return frames the kernel dropped because the port's capture buffer or ring was full.
     */
    public long rxDropped()
    {
        return rxDropped;
    }

    /**
     * @return frames the interface or its driver dropped before capture, where the backend reports it.
     */
    public long rxInterfaceDropped()
    {
        return rxInterfaceDropped;
    }

    /**
     * @return frames accepted by {@link Port#transmit} that the device then failed to send.
     */
    public long txFailed()
    {
        return txFailed;
    }

    /**
     * @return this, with all three totals replaced.
     */
    public PortStats set(final long rxDropped, final long rxInterfaceDropped, final long txFailed)
    {
        this.rxDropped = rxDropped;
        this.rxInterfaceDropped = rxInterfaceDropped;
        this.txFailed = txFailed;
        return this;
    }

    @Override
    public String toString()
    {
        return "PortStats{rxDropped=" + rxDropped + ", rxInterfaceDropped=" + rxInterfaceDropped +
            ", txFailed=" + txFailed + '}';
    }
}
