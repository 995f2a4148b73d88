package io.natgate.control.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition (the admin endpoint's {@code /metrics}), so the
 * lab can check counters: {@code name{label="value",...} number}.
 */
public final class PrometheusText
{
    private PrometheusText()
    {
    }

    /**
     * One sample line.
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    /**
     * @return the samples, in order; comments and blank lines are skipped.
     * @throws LabException on a line that is not a sample.
     */
    public static List<Sample> parse(final String text)
    {
        final List<Sample> samples = new ArrayList<>();
        for (final String raw : text.lines().toList())
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final Map<String, String> labels = new LinkedHashMap<>();
            final int brace = line.indexOf('{');
            final int nameEnd = brace >= 0 ? brace : line.indexOf(' ');
            if (nameEnd <= 0)
            {
                throw new LabException("not a Prometheus sample: " + line);
            }
            int at = nameEnd;
            if (brace >= 0)
            {
                at = readLabels(line, brace + 1, labels);
            }
            final String[] rest = line.substring(at).strip().split("\\s+");
            try
            {
                samples.add(new Sample(line.substring(0, nameEnd), labels, Double.parseDouble(rest[0])));
            }
            catch (final NumberFormatException ex)
            {
                throw new LabException("not a Prometheus sample: " + line);
            }
        }
        return samples;
    }

    /**
     * @return the sum of the samples named {@code name} that carry every label of {@code labels}
     * (0 when there is none).
     */
    public static double sum(final String text, final String name, final Map<String, String> labels)
    {
        double sum = 0;
        for (final Sample sample : parse(text))
        {
            if (sample.name().equals(name) && sample.labels().entrySet().containsAll(labels.entrySet()))
            {
                sum += sample.value();
            }
        }
        return sum;
    }

    /**
     * @return the index just after the closing brace.
     */
    private static int readLabels(final String line, final int start, final Map<String, String> labels)
    {
        int at = start;
        while (at < line.length() && line.charAt(at) != '}')
        {
            final int equals = line.indexOf('=', at);
            if (equals < 0 || equals + 1 >= line.length() || line.charAt(equals + 1) != '"')
            {
                throw new LabException("not a Prometheus sample: " + line);
            }
            final String key = line.substring(at, equals).strip();
            final StringBuilder value = new StringBuilder();
            int i = equals + 2;
            for (; i < line.length() && line.charAt(i) != '"'; i++)
            {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length())
                {
                    c = line.charAt(++i);
                    value.append(c == 'n' ? '\n' : c);
                }
                else
                {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
            at = i + 1;
            if (at < line.length() && line.charAt(at) == ',')
            {
                at++;
            }
        }
        if (at >= line.length())
        {
            throw new LabException("not a Prometheus sample: " + line);
        }
        return at + 1;
    }
}
