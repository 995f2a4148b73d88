package io.natgate.control.gateway;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which keys of a config file differ from the running one's that a reload cannot apply: everything but the
 * static mappings, the quotas, the firewall rules, the providers and the log level. Read from the files as written (a
 * changed hardware profile file is not seen; {@code profile} is).
 */
final class ConfigDifference
{
    /** Top-level sections a reload applies; within {@code nat}, only {@link #LIVE_NAT_KEYS}. */
    static final Set<String> LIVE_SECTIONS = Set.of("firewall", "providers", "log");
    static final Set<String> LIVE_NAT_KEYS = Set.of("staticMappings", "quotas");

    private ConfigDifference()
    {
    }

    /**
     * @return the file as plain maps and lists (empty when it is not a mapping).
     */
    static Map<String, Object> read(final Path file)
    {
        try
        {
            final Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            @SuppressWarnings("unchecked")
            final Map<String, Object> map = document instanceof Map ? (Map<String, Object>)document : Map.of();
            return map;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the keys ({@code ports}, {@code nat.publicAddresses}, ...) whose values differ and need a restart,
     * in name order.
     */
    static List<String> needingRestart(final Map<String, Object> running, final Map<String, Object> next)
    {
        final Set<String> keys = new TreeSet<>();
        final Set<String> sections = new TreeSet<>(running.keySet());
        sections.addAll(next.keySet());
        for (final String section : sections)
        {
            if (LIVE_SECTIONS.contains(section))
            {
                continue;
            }
            if (section.equals("nat") && running.get(section) instanceof Map<?, ?> before &&
                next.get(section) instanceof Map<?, ?> after)
            {
                final Set<Object> natKeys = new java.util.LinkedHashSet<>(before.keySet());
                natKeys.addAll(after.keySet());
                for (final Object key : natKeys)
                {
                    if (!LIVE_NAT_KEYS.contains(String.valueOf(key)) && !Objects.equals(before.get(key), after.get(key)))
                    {
                        keys.add("nat." + key);
                    }
                }
            }
            else if (!Objects.equals(running.get(section), next.get(section)))
            {
                keys.add(section);
            }
        }
        return new ArrayList<>(keys);
    }

    /**
     * Copies the live settings of {@code next} into {@code running}: what the running gateway now has.
     */
    @SuppressWarnings("unchecked")
    static void takeLive(final Map<String, Object> running, final Map<String, Object> next)
    {
        for (final String section : LIVE_SECTIONS)
        {
            if (next.containsKey(section))
            {
                running.put(section, next.get(section));
            }
            else
            {
                running.remove(section);
            }
        }
        if (running.get("nat") instanceof Map<?, ?> before && next.get("nat") instanceof Map<?, ?> after)
        {
            final Map<Object, Object> nat = new java.util.LinkedHashMap<>((Map<Object, Object>)before);
            for (final String key : LIVE_NAT_KEYS)
            {
                if (after.containsKey(key))
                {
                    nat.put(key, after.get(key));
                }
                else
                {
                    nat.remove(key);
                }
            }
            running.put("nat", nat);
        }
    }
}
