package io.natgate.control.config;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The readers every config section uses: a value parsed at its node (an error names the node's line),
 * an optional value with its default, a sub-section with its keys checked, and a datapath check whose
 * error is traced back to the line of the key it names.
 */
final class ConfigReads
{
    static final Function<ConfigNode, Long> DURATION = node -> node.asDurationNs(0, Long.MAX_VALUE);
    static final Function<ConfigNode, Integer> INTEGER = node -> node.asInt(Integer.MIN_VALUE, Integer.MAX_VALUE);
    static final Function<ConfigNode, Boolean> BOOLEAN = ConfigNode::asBoolean;

    private ConfigReads()
    {
    }

    /**
     * Runs a datapath check, turning its {@code ConfigurationException} into a located {@link ConfigException}.
     */
    static <T> T located(final Supplier<T> check, final Map<String, Location> origins, final Location fallback)
    {
        try
        {
            return check.get();
        }
        catch (final RuntimeException ex)
        {
            final ConfigException located = ConfigException.fromDatapath(ex, origins::get, fallback);
            throw located != null ? located : ex;
        }
    }

    /**
     * @return the sub-section {@code key} of {@code parent} with its keys checked, or null when it is left out.
     */
    static ConfigNode section(final ConfigNode parent, final String key, final Set<String> keys)
    {
        final ConfigNode node = parent.get(key);
        return node == null ? null : node.keys(keys);
    }

    static Ipv4Prefix network(final ConfigNode node)
    {
        return node == null ? Ipv4Prefix.ANY : parse(node, Ipv4Prefix::parseNetwork);
    }

    /**
     * @param node where an error is reported; null for a built-in default, which cannot be wrong.
     */
    static Ipv4Endpoint endpoint(final ConfigNode node, final String text, final int minPort)
    {
        if (node == null)
        {
            return Ipv4Endpoint.parse(text, minPort);
        }
        return parse(node, value -> Ipv4Endpoint.parse(value, minPort));
    }

    static <T> T optional(final ConfigNode node, final Function<ConfigNode, T> reader, final T fallback)
    {
        return node == null ? fallback : reader.apply(node);
    }

    /**
     * @return the node's text parsed; an {@link IllegalArgumentException} of the parser becomes an error at the node.
     */
    static <T> T parse(final ConfigNode node, final Function<String, T> parser)
    {
        try
        {
            return parser.apply(node.asText());
        }
        catch (final IllegalArgumentException ex)
        {
            throw node.error(ex.getMessage());
        }
    }
}
