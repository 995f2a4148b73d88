package io.natgate.bindings.windivert;

/**
 * How {@link WinDivertHandle#open(WinDivertOptions)} opens a handle: the filter, layer, priority,
 * flags, batch geometry and queue parameters. Setters return this; {@link #validate()} runs once
 * at open and names a bad setting and its value.
 */
public final class WinDivertOptions
{
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final int DEFAULT_MAX_PACKET_LENGTH = 1600;

    private String filter = "true";
    private int layer = WinDivert.WINDIVERT_LAYER_NETWORK;
    private int priority;
    private long flags;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int maxPacketLength = DEFAULT_MAX_PACKET_LENGTH;
    private long queueLength;
    private long queueTimeMs;
    private long queueSizeBytes;

    /**
     * The WinDivert filter language, e.g. {@code "ip and inbound and ifIdx == 7"}.
     */
    public WinDivertOptions filter(final String filter)
    {
        this.filter = filter;
        return this;
    }

    public String filter()
    {
        return filter;
    }

    /**
     * {@link WinDivert#WINDIVERT_LAYER_NETWORK} for the host's own traffic, or
     * {@link WinDivert#WINDIVERT_LAYER_NETWORK_FORWARD} for traffic the host forwards.
     */
    public WinDivertOptions layer(final int layer)
    {
        this.layer = layer;
        return this;
    }

    public int layer()
    {
        return layer;
    }

    public WinDivertOptions priority(final int priority)
    {
        this.priority = priority;
        return this;
    }

    public int priority()
    {
        return priority;
    }

    /**
     * {@code WINDIVERT_FLAG_*} bits, e.g. {@link WinDivert#WINDIVERT_FLAG_SNIFF}.
     */
    public WinDivertOptions flags(final long flags)
    {
        this.flags = flags;
        return this;
    }

    public long flags()
    {
        return flags;
    }

    /**
     * Packets per receive and send call, 1 to {@link WinDivert#WINDIVERT_BATCH_MAX}.
     */
    public WinDivertOptions batchSize(final int batchSize)
    {
        this.batchSize = batchSize;
        return this;
    }

    public int batchSize()
    {
        return batchSize;
    }

    /**
     * The largest IP packet expected; batch buffers hold {@code batchSize} of them.
     */
    public WinDivertOptions maxPacketLength(final int maxPacketLength)
    {
        this.maxPacketLength = maxPacketLength;
        return this;
    }

    public int maxPacketLength()
    {
        return maxPacketLength;
    }

    /**
     * WINDIVERT_PARAM_QUEUE_LENGTH (packets), 0 keeps the driver's default.
     */
    public WinDivertOptions queueLength(final long queueLength)
    {
        this.queueLength = queueLength;
        return this;
    }

    public long queueLength()
    {
        return queueLength;
    }

    /**
     * WINDIVERT_PARAM_QUEUE_TIME (ms), 0 keeps the driver's default.
     */
    public WinDivertOptions queueTimeMs(final long queueTimeMs)
    {
        this.queueTimeMs = queueTimeMs;
        return this;
    }

    public long queueTimeMs()
    {
        return queueTimeMs;
    }

    /**
     * WINDIVERT_PARAM_QUEUE_SIZE (bytes), 0 keeps the driver's default.
     */
    public WinDivertOptions queueSizeBytes(final long queueSizeBytes)
    {
        this.queueSizeBytes = queueSizeBytes;
        return this;
    }

    public long queueSizeBytes()
    {
        return queueSizeBytes;
    }

    /**
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public WinDivertOptions validate()
    {
        if (filter == null || filter.isBlank())
        {
            throw new IllegalArgumentException("WinDivert filter must be set: filter=" + filter);
        }
        if (layer < WinDivert.WINDIVERT_LAYER_NETWORK || layer > WinDivert.WINDIVERT_LAYER_REFLECT)
        {
            throw new IllegalArgumentException("WinDivert layer must be 0..4: layer=" + layer);
        }
        if (priority < WinDivert.WINDIVERT_PRIORITY_LOWEST || priority > WinDivert.WINDIVERT_PRIORITY_HIGHEST)
        {
            throw new IllegalArgumentException("WinDivert priority must be in [-30000, 30000]: priority=" + priority);
        }
        if (batchSize < 1 || batchSize > WinDivert.WINDIVERT_BATCH_MAX)
        {
            throw new IllegalArgumentException("WinDivert batchSize must be in [1, 255]: batchSize=" + batchSize);
        }
        if (maxPacketLength < 68 || maxPacketLength > WinDivert.WINDIVERT_MTU_MAX)
        {
            throw new IllegalArgumentException("WinDivert maxPacketLength must be in [68, " + WinDivert.WINDIVERT_MTU_MAX +
                "]: maxPacketLength=" + maxPacketLength);
        }
        if (queueLength < 0 || queueTimeMs < 0 || queueSizeBytes < 0)
        {
            throw new IllegalArgumentException("WinDivert queue parameters must be >= 0: queueLength=" + queueLength +
                ", queueTimeMs=" + queueTimeMs + ", queueSizeBytes=" + queueSizeBytes);
        }
        return this;
    }
}
