package io.natgate.datapath.pipeline;

/**
 * How the pipeline's agents are placed on threads: one thread each when cores are plenty,
 * composite agents sharing a thread when they are few.
 */
public enum ThreadingMode
{
    /** One thread per agent: an rx and a tx thread per port and one worker thread. */
    DEDICATED("dedicated"),
    /** The rx and tx agents of every port share one thread; the worker has its own. */
    SHARED_NETWORK("shared-network"),
    /** Every agent on one thread. */
    SHARED("shared"),
    /**
     * One thread does everything, as VPP's workers do: it receives a burst from each port, processes
     * the frames where they lie (an AF_PACKET port's rx ring) and writes each forwarded frame once,
     * straight into the egress port's transmit slot, kicking each port once per burst. No rings
     * between; one copy per frame. With several workers each drives ports of its own (its socket in the
     * device's fanout group) on a thread of its own.
     */
    RUN_TO_COMPLETION("run-to-completion"),
    /** No threads: the caller drives every agent through {@link Pipeline#invoker()}. */
    INVOKER("invoker");

    private final String configName;

    ThreadingMode(final String configName)
    {
        this.configName = configName;
    }

    /**
     * @return the name used in configuration.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * @return the mode with this configuration name, or null when there is none.
     */
    public static ThreadingMode byConfigName(final String configName)
    {
        for (final ThreadingMode mode : values())
        {
            if (mode.configName.equals(configName))
            {
                return mode;
            }
        }
        return null;
    }
}
