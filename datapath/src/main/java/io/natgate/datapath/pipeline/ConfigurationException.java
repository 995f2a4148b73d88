package io.natgate.datapath.pipeline;

/**
 * A configuration value is unusable. The message names the key and the value so the
 * operator can find the line to fix; thrown once, when a configuration is concluded.
 */
public final class ConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    public ConfigurationException(final String key, final String value, final String reason)
    {
        super(key + "=" + value + ": " + reason);
        this.key = key;
        this.value = value;
    }

    public ConfigurationException(final String key, final String value, final String reason, final Throwable cause)
    {
        super(key + "=" + value + ": " + reason, cause);
        this.key = key;
        this.value = value;
    }

    /**
     * @return the configuration key whose value was refused.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the refused value as it was given.
     */
    public String value()
    {
        return value;
    }
}
