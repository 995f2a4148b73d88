package io.natgate.control.cp;

import java.util.Locale;
import java.util.Set;

/**
 * How register names an interface: the default name with the lowest free number, a given name
 * truncated to {@link RegisterOptions#MAX_FRIENDLY_NAME_LENGTH}, and a numeric suffix when another
 * interface has the name already. Names compare ignoring case.
 */
final class FriendlyNames
{
    private FriendlyNames()
    {
    }

    /**
     * @param requested the name asked for; null or empty for the default.
     * @param taken     the names in use, in {@link #key} form.
     */
    static String resolve(final String requested, final Set<String> taken)
    {
        if (requested == null || requested.isEmpty())
        {
            for (int number = 1; ; number++)
            {
                final String name = RegisterOptions.DEFAULT_FRIENDLY_NAME + " #" + number;
                if (!taken.contains(key(name)))
                {
                    return name;
                }
            }
        }
        final String name = truncate(requested, RegisterOptions.MAX_FRIENDLY_NAME_LENGTH);
        if (!taken.contains(key(name)))
        {
            return name;
        }
        for (int number = 2; ; number++)
        {
            final String suffix = " #" + number;
            final String suffixed = truncate(requested, RegisterOptions.MAX_FRIENDLY_NAME_LENGTH - suffix.length()) + suffix;
            if (!taken.contains(key(suffixed)))
            {
                return suffixed;
            }
        }
    }

    static String key(final String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String truncate(final String name, final int maxLength)
    {
        if (name.length() <= maxLength)
        {
            return name;
        }
        final int end = Character.isHighSurrogate(name.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
        return name.substring(0, end);
    }
}
