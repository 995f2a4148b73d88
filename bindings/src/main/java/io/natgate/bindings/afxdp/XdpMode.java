package io.natgate.bindings.afxdp;

/**
 * How an AF_XDP socket moves frames between the driver and the UMEM.
 */
public enum XdpMode
{
    /** The kernel copies each frame into (rx) and out of (tx) the UMEM: every driver, veth included. */
    COPY("copy"),
    /** The driver DMAs straight into and out of the UMEM: only drivers with AF_XDP zero-copy support. */
    ZERO_COPY("zero-copy"),
    /** Zero-copy where the driver has it, else copy (the kernel's choice, reported by {@code XDP_OPTIONS}). */
    AUTO("auto");

    private final String configName;

    XdpMode(final String configName)
    {
        this.configName = configName;
    }

    public String configName()
    {
        return configName;
    }

    /**
     * @return the mode with this configuration name, or null.
     */
    public static XdpMode byConfigName(final String name)
    {
        for (final XdpMode mode : values())
        {
            if (mode.configName.equals(name))
            {
                return mode;
            }
        }
        return null;
    }
}
