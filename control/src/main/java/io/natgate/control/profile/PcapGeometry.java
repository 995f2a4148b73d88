package io.natgate.control.profile;

import io.natgate.bindings.pcap.PcapOptions;

/**
 * The pcap (libpcap, Npcap) capture settings of a profile ({@code pcap.*}), for each pcap port.
 */
public record PcapGeometry(int bufferSizeBytes, int snapLength, int timeoutMs)
{
    /**
     * Sets the buffer, snap length and timeout on a port's capture options (the device and the rest are the caller's).
     *
     * @return {@code options}.
     */
    public PcapOptions applyTo(final PcapOptions options)
    {
        return options.bufferSizeBytes(bufferSizeBytes).snapLength(snapLength).timeoutMs(timeoutMs);
    }
}
