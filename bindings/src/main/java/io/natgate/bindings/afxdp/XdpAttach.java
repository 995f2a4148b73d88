package io.natgate.bindings.afxdp;

/**
 * Where the XDP program that redirects a queue to its socket runs.
 */
public enum XdpAttach
{
    /**
     * In the driver ({@code XDP_FLAGS_DRV_MODE}): before an skb exists. veth has it; there the kernel
     * turns off the peer's TSO while a program is attached, so TCP arrives in MTU-sized segments.
     */
    NATIVE("native", LibXdp.XDP_FLAGS_DRV_MODE),
    /**
     * Generic XDP ({@code XDP_FLAGS_SKB_MODE}) after the skb is built: every device has it, slower.
     */
    SKB("skb", LibXdp.XDP_FLAGS_SKB_MODE),
    /** Native where the driver has it, else generic: the kernel's choice. */
    AUTO("auto", 0);

    private final String configName;
    private final int xdpFlags;

    XdpAttach(final String configName, final int xdpFlags)
    {
        this.configName = configName;
        this.xdpFlags = xdpFlags;
    }

    public String configName()
    {
        return configName;
    }

    /**
     * @return the {@code XDP_FLAGS_*} mode bits for attaching the program.
     */
    public int xdpFlags()
    {
        return xdpFlags;
    }

    /**
     * @return the attach mode with this configuration name, or null.
     */
    public static XdpAttach byConfigName(final String name)
    {
        for (final XdpAttach attach : values())
        {
            if (attach.configName.equals(name))
            {
                return attach;
            }
        }
        return null;
    }
}
