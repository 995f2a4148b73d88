package io.natgate.control.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * One node of a YAML document (SnakeYAML's node API, nothing constructed from tags), with its key
 * path and line, so that every refusal names both. Typed readers ({@link #asInt}, {@link #asSize},
 * {@link #asDurationNs}, ...) throw a {@link ConfigException} at this node; {@link #keys} refuses
 * unknown and repeated keys. Used by the config file and the hardware profiles alike.
 */
public final class ConfigNode
{
    /** The largest config file or hardware profile read: far above any real one, far below harm. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    private static final int MAX_DOCUMENT_CODE_POINTS = MAX_FILE_BYTES;
    private static final Set<String> TRUE_WORDS = Set.of("true", "yes", "on");
    private static final Set<String> FALSE_WORDS = Set.of("false", "no", "off");

    private final String source;
    private final String path;
    private final Node node;
    private final int line;

    private ConfigNode(final String source, final String path, final Node node, final int line)
    {
        this.source = source;
        this.path = path;
        this.node = node;
        this.line = line;
    }

    /**
     * Reads a file holding one YAML document.
     *
     * @throws ConfigException when the file cannot be read, is empty or is not YAML.
     */
    public static ConfigNode parseFile(final Path file)
    {
        final Location whole = new Location(file.toString(), 0, "", null);
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file))
        {
            // bounded before anything is parsed: at most one byte past the limit is ever read
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        catch (final IOException ex)
        {
            throw new ConfigException(whole, null, "cannot read: " + ex);
        }
        if (bytes.length > MAX_FILE_BYTES)
        {
            throw new ConfigException(whole, null, "too large: more than " + MAX_FILE_BYTES +
                " bytes (a config file or hardware profile is at most " + (MAX_FILE_BYTES >> 10) + " KiB)");
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Parses one YAML document.
     *
     * @param source the name errors give for it, normally the file as the operator named it.
     * @throws ConfigException when the text is empty or is not YAML.
     */
    public static ConfigNode parse(final String source, final String text)
    {
        final LoaderOptions options = new LoaderOptions();
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_DOCUMENT_CODE_POINTS);
        final Node root;
        try (Reader reader = new StringReader(text))
        {
            root = new Yaml(new SafeConstructor(options)).compose(reader);
        }
        catch (final MarkedYAMLException ex)
        {
            final Mark mark = ex.getProblemMark() != null ? ex.getProblemMark() : ex.getContextMark();
            final String problem = ex.getProblem() != null ? ex.getProblem() : ex.getContext();
            throw new ConfigException(
                new Location(source, mark == null ? 0 : mark.getLine() + 1, "", null), null,
                "not valid YAML: " + oneLine(problem));
        }
        catch (final YAMLException | IOException ex)
        {
            throw new ConfigException(
                new Location(source, 0, "", null), null, "not valid YAML: " + oneLine(ex.getMessage()));
        }
        if (root == null || isNull(root))
        {
            throw new ConfigException(new Location(source, 1, "", null), null, "the document is empty");
        }
        return new ConfigNode(source, "", root, lineOf(root));
    }

    public String source()
    {
        return source;
    }

    /**
     * @return the key path: empty for the document, {@code nat.timeouts.udp}, {@code ports[0].mtu}.
     */
    public String path()
    {
        return path;
    }

    /**
     * @return the 1-based line of this node's key (of the node itself for list items and the document).
     */
    public int line()
    {
        return line;
    }

    /**
     * @return where this node was written, with its value as written.
     */
    public Location location()
    {
        return new Location(source, line, path, text());
    }

    /**
     * @return the refusal of this node's value, for {@code throw}.
     */
    public ConfigException error(final String reason)
    {
        return new ConfigException(location(), reason);
    }

    /**
     * @return the value as written for a scalar, {@code {...}} or {@code [...]} for a collection.
     */
    public String text()
    {
        return switch (node)
        {
            case ScalarNode scalar -> scalar.getValue();
            case MappingNode ignored -> "{...}";
            case SequenceNode ignored -> "[...]";
            default -> node.toString();
        };
    }

    public boolean isMapping()
    {
        return node instanceof MappingNode;
    }

    public boolean isSequence()
    {
        return node instanceof SequenceNode;
    }

    /**
     * Checks this is a mapping whose keys are all in {@code allowed}, each once.
     *
     * @return this.
     * @throws ConfigException at the first unknown or repeated key, listing the allowed ones.
     */
    public ConfigNode keys(final Set<String> allowed)
    {
        final Map<String, ConfigNode> children = children();
        if (children.size() < ((MappingNode)node).getValue().size())
        {
            final Set<String> seen = new java.util.HashSet<>();
            for (final NodeTuple tuple : ((MappingNode)node).getValue())
            {
                final ConfigNode child = child(tuple);
                if (!seen.add(keyText(tuple)))
                {
                    throw child.error("key given twice");
                }
            }
        }
        for (final Map.Entry<String, ConfigNode> entry : children.entrySet())
        {
            if (!allowed.contains(entry.getKey()))
            {
                throw entry.getValue().error(
                    "unknown key (" + (path.isEmpty() ? "the top level" : path) + " takes " +
                    String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return this;
    }

    /**
     * @return the child under {@code key}, or null when it is absent or written empty ({@code key:} or {@code ~}).
     * @throws ConfigException when this is not a mapping.
     */
    public ConfigNode get(final String key)
    {
        final ConfigNode child = children().get(key);
        return child == null || isNull(child.node) ? null : child;
    }

    /**
     * @return the child under {@code key}.
     * @throws ConfigException naming the missing key when it is absent or empty.
     */
    public ConfigNode require(final String key)
    {
        final ConfigNode child = get(key);
        if (child == null)
        {
            throw new ConfigException(new Location(source, line, childPath(key), null), null, "missing; it is required");
        }
        return child;
    }

    /**
     * @return the items of this sequence, each with path {@code path[i]} and its own line.
     * @throws ConfigException when this is not a sequence.
     */
    public List<ConfigNode> items()
    {
        if (!(node instanceof SequenceNode sequence))
        {
            throw error("expected a list");
        }
        final List<ConfigNode> items = new ArrayList<>(sequence.getValue().size());
        for (final Node item : sequence.getValue())
        {
            items.add(new ConfigNode(source, path + "[" + items.size() + "]", item, lineOf(item)));
        }
        return items;
    }

    /**
     * @return the scalar as written.
     * @throws ConfigException when this is a list or a mapping.
     */
    public String asText()
    {
        if (!(node instanceof ScalarNode scalar))
        {
            throw error("expected a single value, not a " + (isMapping() ? "mapping" : "list"));
        }
        return scalar.getValue();
    }

    /**
     * @return a decimal integer in {@code [min, max]}.
     */
    public long asLong(final long min, final long max)
    {
        final String text = asText();
        if (((ScalarNode)node).getTag() != Tag.INT || !text.matches("[-+]?[0-9][0-9_]*"))
        {
            throw error("expected a whole number");
        }
        final long value;
        try
        {
            value = Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw error("number too large");
        }
        if (value < min || value > max)
        {
            throw error("must be between " + min + " and " + max);
        }
        return value;
    }

    /**
     * @return a decimal integer in {@code [min, max]}.
     */
    public int asInt(final int min, final int max)
    {
        return (int)asLong(min, max);
    }

    /**
     * @return a size in bytes in {@code [minBytes, maxBytes]} (see {@link Units#parseSize}).
     */
    public long asSize(final long minBytes, final long maxBytes)
    {
        return asMeasure(Units::parseSize, minBytes, maxBytes, Units::formatSize);
    }

    /**
     * @return a duration in nanoseconds in {@code [minNs, maxNs]} (see {@link Units#parseDurationNs}).
     */
    public long asDurationNs(final long minNs, final long maxNs)
    {
        return asMeasure(Units::parseDurationNs, minNs, maxNs, Units::formatDuration);
    }

    public boolean asBoolean()
    {
        final String text = asText().toLowerCase(Locale.ROOT);
        if (TRUE_WORDS.contains(text))
        {
            return true;
        }
        if (FALSE_WORDS.contains(text))
        {
            return false;
        }
        throw error("expected true or false");
    }

    /**
     * @param choices the words accepted, in the order the refusal lists them, and what each means.
     * @return the choice written.
     */
    public <T> T asChoice(final Map<String, T> choices)
    {
        final T choice = choices.get(asText());
        if (choice == null)
        {
            throw error("expected " + String.join(", ", choices.keySet()).replaceFirst(", ([^,]*)$", " or $1"));
        }
        return choice;
    }

    /**
     * @return the words for {@link #asChoice}: each constant under its name in lower case with
     * {@code -} for {@code _} ({@code ADDRESS_DEPENDENT}: {@code address-dependent}).
     */
    public static <E extends Enum<E>> Map<String, E> choices(final Class<E> type)
    {
        return choices(type.getEnumConstants(), value -> value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /**
     * @return the words for {@link #asChoice}: each value under its name, in the values' order.
     */
    public static <T> Map<String, T> choices(final T[] values, final Function<T, String> name)
    {
        final Map<String, T> choices = new LinkedHashMap<>();
        for (final T value : values)
        {
            choices.put(name.apply(value), value);
        }
        return choices;
    }

    private long asMeasure(
        final ToLongFunction<String> parser, final long min, final long max, final LongFunction<String> format)
    {
        final long value;
        try
        {
            value = parser.applyAsLong(asText());
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(ex.getMessage());
        }
        if (value < min || value > max)
        {
            throw error("must be between " + format.apply(min) + " and " + format.apply(max));
        }
        return value;
    }

    private Map<String, ConfigNode> children()
    {
        if (!(node instanceof MappingNode mapping))
        {
            throw error("expected a mapping of keys to values");
        }
        final Map<String, ConfigNode> children = new LinkedHashMap<>();
        for (final NodeTuple tuple : mapping.getValue())
        {
            children.putIfAbsent(keyText(tuple), child(tuple));
        }
        return children;
    }

    private ConfigNode child(final NodeTuple tuple)
    {
        return new ConfigNode(source, childPath(keyText(tuple)), tuple.getValueNode(), lineOf(tuple.getKeyNode()));
    }

    private String keyText(final NodeTuple tuple)
    {
        if (!(tuple.getKeyNode() instanceof ScalarNode key))
        {
            throw new ConfigException(
                new Location(source, lineOf(tuple.getKeyNode()), path, null), null, "keys must be plain words");
        }
        return key.getValue();
    }

    private String childPath(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String oneLine(final String text)
    {
        return String.valueOf(text).replaceAll("\\s+", " ").trim();
    }

    private static boolean isNull(final Node node)
    {
        return node instanceof ScalarNode scalar && scalar.getTag() == Tag.NULL;
    }

    private static int lineOf(final Node node)
    {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
