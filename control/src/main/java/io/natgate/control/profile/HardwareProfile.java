package io.natgate.control.profile;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Location;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One hardware profile file ({@code hw-profiles/NAME.yaml}): its name, a one-line description, when
 * detection picks it, and the settings it gives (the rest keep their defaults). A profile is
 * valid on its own (see {@link EffectiveSettings#of}); {@link HardwareProfiles} refuses one that
 * is not.
 */
public final class HardwareProfile
{
    private final String name;
    private final String description;
    private final Detection detection;
    private final Location location;
    private final Map<ProfileKey, Setting> settings;

    private HardwareProfile(
        final String name, final String description, final Detection detection, final Location location,
        final Map<ProfileKey, Setting> settings)
    {
        this.name = name;
        this.description = description;
        this.detection = detection;
        this.location = location;
        this.settings = Collections.unmodifiableMap(settings);
    }

    /**
     * Reads a profile document and checks it on its own.
     *
     * @throws ConfigException naming the line, key and value of the first refused setting.
     */
    public static HardwareProfile parse(final String name, final ConfigNode root)
    {
        final Set<String> topKeys = new HashSet<>(Set.of("description", "detect"));
        for (final ProfileKey key : ProfileKey.values())
        {
            topKeys.add(section(key));
        }
        root.keys(topKeys);
        final Map<ProfileKey, Setting> settings = new EnumMap<>(ProfileKey.class);
        for (final String section : topKeys)
        {
            final ConfigNode node = root.get(section);
            if (node != null && isSection(section))
            {
                node.keys(leavesOf(section));
            }
        }
        for (final ProfileKey key : ProfileKey.values())
        {
            final ConfigNode node = find(root, key.path());
            if (node != null)
            {
                settings.put(key, new Setting(key, key.parse(node), Source.PROFILE, node.location()));
            }
        }
        final ConfigNode descriptionNode = root.require("description");
        final HardwareProfile profile = new HardwareProfile(name, descriptionNode.asText(),
            Detection.parse(root.get("detect")), new Location(root.source(), 1, "", null), settings);
        EffectiveSettings.of(profile);
        return profile;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return what hardware the profile is for, one line.
     */
    public String description()
    {
        return description;
    }

    public Detection detection()
    {
        return detection;
    }

    /**
     * @return the profile's file, at line 1.
     */
    public Location location()
    {
        return location;
    }

    /**
     * @return the settings the file gives, each with its line.
     */
    public Map<ProfileKey, Setting> settings()
    {
        return settings;
    }

    @Override
    public String toString()
    {
        return name;
    }

    static ConfigNode find(final ConfigNode root, final String path)
    {
        ConfigNode node = root;
        for (final String part : path.split("\\."))
        {
            node = node.get(part);
            if (node == null)
            {
                return null;
            }
        }
        return node;
    }

    private static String section(final ProfileKey key)
    {
        final int dot = key.path().indexOf('.');
        return dot < 0 ? key.path() : key.path().substring(0, dot);
    }

    private static boolean isSection(final String section)
    {
        for (final ProfileKey key : ProfileKey.values())
        {
            if (key.path().startsWith(section + "."))
            {
                return true;
            }
        }
        return false;
    }

    private static Set<String> leavesOf(final String section)
    {
        final Set<String> leaves = new HashSet<>();
        for (final ProfileKey key : ProfileKey.values())
        {
            if (key.path().startsWith(section + "."))
            {
                leaves.add(key.path().substring(section.length() + 1));
            }
        }
        return leaves;
    }
}
