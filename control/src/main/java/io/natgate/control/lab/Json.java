package io.natgate.control.lab;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.util.List;
import java.util.Map;

/**
 * Reads the JSON the lab's tools print ({@code iperf3 -J}, the admin endpoint's {@code /sessions})
 * into maps, lists, strings, numbers and booleans, with SnakeYAML (JSON is YAML's flow style).
 * Navigation helpers throw {@link LabException} naming the missing path.
 */
public final class Json
{
    private Json()
    {
    }

    /**
     * @throws LabException when the text is not JSON.
     */
    public static Object parse(final String text)
    {
        final LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE);
        try
        {
            // Tabs indent iperf3's output but may not in YAML; JSON strings never hold a raw tab.
            return new Yaml(new SafeConstructor(options)).load(text.replace('\t', ' '));
        }
        catch (final RuntimeException ex)
        {
            throw new LabException("not JSON: " + ex.getMessage().lines().findFirst().orElse("") + ": " +
                text.substring(0, Math.min(200, text.length())), ex);
        }
    }

    /**
     * @return the value at a path of object keys, e.g. {@code at(root, "end", "sum_received")}.
     */
    public static Object at(final Object root, final String... path)
    {
        Object node = root;
        for (final String key : path)
        {
            if (!(node instanceof Map<?, ?> object) || !object.containsKey(key))
            {
                throw new LabException("no " + String.join(".", path) + " in the JSON");
            }
            node = object.get(key);
        }
        return node;
    }

    /**
     * @return the number at a path.
     */
    public static double number(final Object root, final String... path)
    {
        final Object value = at(root, path);
        if (value instanceof Number number)
        {
            return number.doubleValue();
        }
        try
        {
            return Double.parseDouble(String.valueOf(value));
        }
        catch (final NumberFormatException ex)
        {
            throw new LabException(String.join(".", path) + " is not a number: " + value);
        }
    }

    /**
     * @return the objects of a JSON array.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(final Object array)
    {
        if (!(array instanceof List<?> list) || !list.stream().allMatch(Map.class::isInstance))
        {
            throw new LabException("not a JSON array of objects: " + array);
        }
        return (List<Map<String, Object>>)list;
    }
}
