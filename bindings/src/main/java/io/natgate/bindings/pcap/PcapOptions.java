package io.natgate.bindings.pcap;

/**
 * How {@link Pcap#openLive(PcapOptions)} creates and activates a capture handle. Setters
 * return this; {@link #validate()} runs once at open and names a bad setting and its value.
 */
public final class PcapOptions
{
    public static final int DEFAULT_SNAP_LENGTH = 65535;
    public static final int DEFAULT_BUFFER_SIZE_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_TIMEOUT_MS = 1;

    private String device;
    private int snapLength = DEFAULT_SNAP_LENGTH;
    private boolean promiscuous = true;
    private boolean immediate = true;
    private int bufferSizeBytes = DEFAULT_BUFFER_SIZE_BYTES;
    private int timeoutMs = DEFAULT_TIMEOUT_MS;
    private boolean nonBlocking = true;
    private int direction = LibPcap.PCAP_D_INOUT;
    private String filter;

    public PcapOptions device(final String device)
    {
        this.device = device;
        return this;
    }

    public String device()
    {
        return device;
    }

    /**
     * Bytes kept of each packet. In immediate mode on Linux each ring slot is this large, so the
     * ring holds about {@link #bufferSizeBytes()} / snapLength frames: a port sets it to its
     * largest frame rather than keeping the 64 KiB default.
     */
    public PcapOptions snapLength(final int snapLength)
    {
        this.snapLength = snapLength;
        return this;
    }

    public int snapLength()
    {
        return snapLength;
    }

    public PcapOptions promiscuous(final boolean promiscuous)
    {
        this.promiscuous = promiscuous;
        return this;
    }

    public boolean promiscuous()
    {
        return promiscuous;
    }

    /**
     * Deliver each packet as it arrives rather than when a buffer fills or the timeout expires
     * (on Linux this makes libpcap use TPACKET_V2 frames instead of V3 blocks).
     */
    public PcapOptions immediate(final boolean immediate)
    {
        this.immediate = immediate;
        return this;
    }

    public boolean immediate()
    {
        return immediate;
    }

    /**
     * Size of the kernel capture buffer (the mapped ring on Linux); 0 keeps libpcap's default.
     */
    public PcapOptions bufferSizeBytes(final int bufferSizeBytes)
    {
        this.bufferSizeBytes = bufferSizeBytes;
        return this;
    }

    public int bufferSizeBytes()
    {
        return bufferSizeBytes;
    }

    public PcapOptions timeoutMs(final int timeoutMs)
    {
        this.timeoutMs = timeoutMs;
        return this;
    }

    public int timeoutMs()
    {
        return timeoutMs;
    }

    /**
     * Non-blocking handles return "no packet" from {@link Pcap#next()} at once instead of waiting.
     */
    public PcapOptions nonBlocking(final boolean nonBlocking)
    {
        this.nonBlocking = nonBlocking;
        return this;
    }

    public boolean nonBlocking()
    {
        return nonBlocking;
    }

    /**
     * {@link LibPcap#PCAP_D_IN} captures only frames arriving on the device, so a port does not
     * receive its own transmissions; {@link LibPcap#PCAP_D_INOUT} (the default) captures both.
     */
    public PcapOptions direction(final int direction)
    {
        this.direction = direction;
        return this;
    }

    public int direction()
    {
        return direction;
    }

    /**
     * A BPF filter expression in tcpdump syntax, or null for none.
     */
    public PcapOptions filter(final String filter)
    {
        this.filter = filter;
        return this;
    }

    public String filter()
    {
        return filter;
    }

    /**
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public PcapOptions validate()
    {
        if (device == null || device.isEmpty())
        {
            throw new IllegalArgumentException("pcap device must be set: device=" + device);
        }
        if (snapLength < 64 || snapLength > 262144)
        {
            throw new IllegalArgumentException("pcap snapLength must be in [64, 262144]: snapLength=" + snapLength);
        }
        if (bufferSizeBytes < 0)
        {
            throw new IllegalArgumentException("pcap bufferSizeBytes must be >= 0: bufferSizeBytes=" + bufferSizeBytes);
        }
        if (timeoutMs < 0)
        {
            throw new IllegalArgumentException("pcap timeoutMs must be >= 0: timeoutMs=" + timeoutMs);
        }
        if (direction < LibPcap.PCAP_D_INOUT || direction > LibPcap.PCAP_D_OUT)
        {
            throw new IllegalArgumentException("pcap direction must be PCAP_D_INOUT, _IN or _OUT: direction=" + direction);
        }
        return this;
    }

    @Override
    public String toString()
    {
        return "PcapOptions{device=" + device + ", snapLength=" + snapLength + ", promiscuous=" + promiscuous +
            ", immediate=" + immediate + ", bufferSizeBytes=" + bufferSizeBytes + ", timeoutMs=" + timeoutMs +
            ", nonBlocking=" + nonBlocking + ", direction=" + direction + ", filter=" + filter + '}';
    }
}
