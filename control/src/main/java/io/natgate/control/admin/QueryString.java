package io.natgate.control.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request's query arguments, each name once.
 */
final class QueryString
{
    private QueryString()
    {
    }

    /**
     * @throws IllegalArgumentException when a name is given twice.
     */
    static Map<String, String> parse(final String rawQuery)
    {
        final Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty())
        {
            for (final String pair : rawQuery.split("&"))
            {
                final int equals = pair.indexOf('=');
                final String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                final String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (query.put(key, value) != null)
                {
                    throw new IllegalArgumentException(key + " given twice");
                }
            }
        }
        return query;
    }
}
