package io.natgate.control.config;

import java.util.function.Function;

/**
 * A configuration or hardware-profile value was refused. The one-line message names the file
 * and line, the key path and the value, and why:
 * {@code natgate.yaml:14: nat.timeouts.udp=30s: RFC 4787 REQ-5: UDP mapping timeout at least 2 minutes}.
 * Commands that load configuration print it and exit with {@link #EXIT_STATUS}, starting nothing.
 */
public final class ConfigException extends RuntimeException
{
    /** The exit status of a command refused for its configuration (as for a usage error). */
    public static final int EXIT_STATUS = 2;

    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final String value;
    private final String reason;

    /**
     * @param value the refused value, or null to say none was given.
     */
    public ConfigException(final Location location, final String value, final String reason)
    {
        super(format(location, value, reason));
        this.location = location;
        this.value = value;
        this.reason = reason;
    }

    /**
     * Refuses the value written at {@code location}.
     */
    public ConfigException(final Location location, final String reason)
    {
        this(location, location.text(), reason);
    }

    /**
     * Turns a datapath configuration error ({@code io.natgate.datapath.ConfigurationException}, which
     * names a datapath key such as
     * {@code nat.timeout.udp}) into one naming the file, line and key path the value came from.
     *
     * @param locator the place each datapath key's value came from, or null when unknown.
     * @param fallback where to point when the locator does not know the key.
     * @return the located exception, or null when {@code error} is not a datapath configuration error.
     */
    public static ConfigException fromDatapath(
        final RuntimeException error, final Function<String, Location> locator, final Location fallback)
    {
        final String key;
        final String value;
        if (error instanceof io.natgate.datapath.ConfigurationException ex)
        {
            key = ex.key();
            value = ex.value();
        }
        else
        {
            return null;
        }
        final String prefix = key + "=" + value + ": ";
        final String message = error.getMessage();
        final String reason = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        final Location located = locator.apply(key);
        if (located == null)
        {
            return new ConfigException(fallback.derived(key, value), value, reason);
        }
        return new ConfigException(located, located.text() != null ? located.text() : value, reason);
    }

    public Location location()
    {
        return location;
    }

    /**
     * @return the refused value, or null when the key was missing.
     */
    public String value()
    {
        return value;
    }

    public String reason()
    {
        return reason;
    }

    private static String format(final Location location, final String value, final String reason)
    {
        final StringBuilder text = new StringBuilder();
        final String where = location.where();
        if (!where.isEmpty())
        {
            text.append(where).append(": ");
        }
        if (location.path() != null && !location.path().isEmpty())
        {
            text.append(location.path());
            if (value != null)
            {
                text.append('=').append(value);
            }
            text.append(": ");
        }
        return oneLine(text.append(reason).toString());
    }

    /**
     * @return {@code text} with its control characters (a quoted value's or key's line breaks, say) written as
     * escapes (backslash n, r or t, or backslash u and four hex digits), so the message stays one line.
     */
    static String oneLine(final String text)
    {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!Character.isISOControl(c))
            {
                if (escaped != null)
                {
                    escaped.append(c);
                }
                continue;
            }
            if (escaped == null)
            {
                escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            switch (c)
            {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(String.format("\\u%04x", (int)c));
            }
        }
        return escaped == null ? text : escaped.toString();
    }
}
