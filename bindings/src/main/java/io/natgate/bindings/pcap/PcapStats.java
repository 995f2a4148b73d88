package io.natgate.bindings.pcap;

/**
 * {@code struct pcap_stat}, filled in place by {@link Pcap#stats(PcapStats)} so that polling
 * statistics allocates nothing.
 */
public final class PcapStats
{
    long received;
    long dropped;
    long interfaceDropped;

    /**
     * @return packets received since the handle was activated ({@code ps_recv}).
     */
    public long received()
    {
        return received;
    }

    /**
     * @return packets dropped because the capture buffer was full ({@code ps_drop}).
     */
    public long dropped()
    {
        return dropped;
    }

    /**
     * @return packets dropped by the interface or its driver ({@code ps_ifdrop}).
     */
    public long interfaceDropped()
    {
        return interfaceDropped;
    }

    @Override
    public String toString()
    {
        return "PcapStats{received=" + received + ", dropped=" + dropped + ", interfaceDropped=" + interfaceDropped + '}';
    }
}
