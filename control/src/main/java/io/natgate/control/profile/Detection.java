package io.natgate.control.profile;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Units;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When a profile fits a host, from its {@code detect:} section: the operating systems, at least
 * so many CPUs and so much memory. Of the profiles that fit, detection picks the most demanding
 * (most CPUs, then most memory), so a big host gets the big profile and anything gets the small one.
 */
public record Detection(Set<OperatingSystem> systems, int minCpus, long minMemoryBytes)
{
    /** Fits nothing: a profile without {@code detect:} is only chosen by name. */
    public static final Detection NEVER = new Detection(Set.of(), Integer.MAX_VALUE, Long.MAX_VALUE);

    private static final Set<String> KEYS = Set.of("os", "minCpus", "minMemory");

    public boolean fits(final Host host)
    {
        return systems.contains(host.os()) && host.cpus() >= minCpus && host.memoryBytes() >= minMemoryBytes;
    }

    /**
     * @return e.g. {@code linux with 16+ cpus and 16g+ memory}.
     */
    public String describe()
    {
        if (systems.isEmpty())
        {
            return "only by name";
        }
        return systems.stream().map(Host::osName).collect(Collectors.joining("/")) + " with " + minCpus + "+ cpus" +
            (minMemoryBytes > 0 ? " and " + Units.formatSize(minMemoryBytes) + "+ memory" : "");
    }

    static Detection parse(final ConfigNode node)
    {
        if (node == null)
        {
            return NEVER;
        }
        node.keys(KEYS);
        final Map<String, OperatingSystem> names = ConfigNode.choices(OperatingSystem.values(), Host::osName);
        final Set<OperatingSystem> systems = EnumSet.noneOf(OperatingSystem.class);
        for (final ConfigNode item : node.require("os").items())
        {
            systems.add(item.asChoice(names));
        }
        final ConfigNode cpus = node.get("minCpus");
        final ConfigNode memory = node.get("minMemory");
        return new Detection(systems, cpus == null ? 1 : cpus.asInt(1, 1 << 16),
            memory == null ? 0 : memory.asSize(0, Long.MAX_VALUE));
    }
}
