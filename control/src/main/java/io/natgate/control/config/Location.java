package io.natgate.control.config;

/**
 * Where a configuration value was written: the file (or {@code null} for the command line), its
 * line (1-based; 0 when unknown), the key path ({@code nat.timeouts.udp}, {@code ports[0].mtu})
 * and the value as written there (or as derived, e.g. {@code 65536 (interface lo)}).
 */
public record Location(String source, int line, String path, String text)
{
    /**
     * @return a location for a value given on the command line, e.g. {@code --profile}.
     */
    public static Location commandLine(final String option, final String text)
    {
        return new Location(null, 0, option, text);
    }

    /**
     * @return this place with another key path and value text, e.g. a value derived from this one.
     */
    public Location derived(final String path, final String text)
    {
        return new Location(source, line, path, text);
    }

    /**
     * @return {@code file:line} (or {@code file}, or empty for the command line), for messages.
     */
    public String where()
    {
        if (source == null)
        {
            return "";
        }
        return line > 0 ? source + ":" + line : source;
    }
}
