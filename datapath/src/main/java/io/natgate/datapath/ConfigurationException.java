package io.natgate.datapath;

/**
 * A configuration value was refused. Names the key and the value, so the operator can find
 * and fix the line; the config loader adds the line number where it knows it.
 */
public class ConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    public ConfigurationException(final String key, final Object value, final String reason)
    {
        super(key + "=" + value + ": " + reason);
        this.key = key;
        this.value = String.valueOf(value);
    }

    public ConfigurationException(final String key, final Object value, final String reason, final Throwable cause)
    {
        super(key + "=" + value + ": " + reason, cause);
        this.key = key;
        this.value = String.valueOf(value);
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
