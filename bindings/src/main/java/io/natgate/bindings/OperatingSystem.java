package io.natgate.bindings;

import java.util.Locale;

/**
 * The operating system the JVM runs on, decided once: bindings pick library names and
 * structure layouts (e.g. the size of {@code struct timeval}) by it.
 */
public enum OperatingSystem
{
    LINUX,
    WINDOWS,
    MAC_OS,
    OTHER;

    private static final OperatingSystem CURRENT = detect(System.getProperty("os.name", ""));

    public static OperatingSystem current()
    {
        return CURRENT;
    }

    static OperatingSystem detect(final String osName)
    {
        final String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux"))
        {
            return LINUX;
        }
        if (name.startsWith("windows"))
        {
            return WINDOWS;
        }
        if (name.startsWith("mac") || name.startsWith("darwin"))
        {
            return MAC_OS;
        }
        return OTHER;
    }
}
