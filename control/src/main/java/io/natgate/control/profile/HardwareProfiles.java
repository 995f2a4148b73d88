package io.natgate.control.profile;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Location;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The hardware profiles to choose from: the built-in ones ({@code hw-profiles/*.yaml}, carried in
 * the jar) or those of a directory. A profile is chosen by name ({@code --profile}, then the
 * config's {@code profile:}), by path to a file of one's own (a name with a {@code /} or ending in
 * {@code .yaml}), or else by detection ({@link Detection}).
 */
public final class HardwareProfiles
{
    /** The folder of the built-in profiles, in the repository and on the class path. */
    public static final String DIRECTORY = "hw-profiles";
    private static final String SUFFIX = ".yaml";

    private final Map<String, ProfileText> texts;

    /**
     * How a profile was chosen, for logs and {@code natgate profiles show}.
     *
     * @param reason e.g. {@code detected: linux, 2 cpus, 23.5 GiB} or {@code --profile}.
     */
    public record Selection(HardwareProfile profile, String reason)
    {
    }

    private record ProfileText(String source, String text)
    {
    }

    private HardwareProfiles(final Map<String, ProfileText> texts)
    {
        this.texts = texts;
    }

    /**
     * @return the profiles carried in the jar.
     */
    public static HardwareProfiles builtin()
    {
        final URL url = HardwareProfiles.class.getClassLoader().getResource(DIRECTORY);
        if (url == null)
        {
            throw new IllegalStateException(DIRECTORY + " is missing from the class path: the build packs it");
        }
        try
        {
            final URI uri = url.toURI();
            if (uri.getScheme().equals("jar"))
            {
                FileSystem jar;
                boolean opened = false;
                try
                {
                    jar = FileSystems.newFileSystem(uri, Map.of());
                    opened = true;
                }
                catch (final FileSystemAlreadyExistsException ex)
                {
                    jar = FileSystems.getFileSystem(uri);
                }
                try
                {
                    return new HardwareProfiles(read(jar.provider().getPath(uri), DIRECTORY + "/"));
                }
                finally
                {
                    if (opened)
                    {
                        jar.close();
                    }
                }
            }
            return new HardwareProfiles(read(Path.of(uri), DIRECTORY + "/"));
        }
        catch (final IOException | URISyntaxException ex)
        {
            throw new IllegalStateException("cannot read the built-in hardware profiles: " + ex, ex);
        }
    }

    /**
     * @return the profiles in a directory ({@code NAME.yaml} each).
     */
    public static HardwareProfiles directory(final Path directory)
    {
        try
        {
            return new HardwareProfiles(read(directory, directory + "/"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the profiles' names, sorted.
     */
    public List<String> names()
    {
        return List.copyOf(texts.keySet());
    }

    /**
     * @param where where the name was given, for the refusal of an unknown name.
     * @return the named profile, checked.
     * @throws ConfigException for an unknown name or an invalid profile.
     */
    public HardwareProfile get(final String name, final Location where)
    {
        final ProfileText text = texts.get(name);
        if (text == null)
        {
            throw new ConfigException(where, name, "no such hardware profile (there are " + String.join(", ", names()) +
                "; or give a path to a profile file)");
        }
        return HardwareProfile.parse(name, ConfigNode.parse(text.source, text.text));
    }

    /**
     * Chooses the profile: {@code option} (from {@code --profile}) if given, else the config's
     * {@code profile:}, else detection on {@code host}. A choice that contains {@code /} or ends in
     * {@code .yaml} is a profile file (relative to the config file's directory when the config names it).
     *
     * @param option the {@code --profile} value, or null.
     * @param config the config file, or null.
     */
    public Selection select(final String option, final GatewayConfig config, final Host host)
    {
        if (option != null)
        {
            return new Selection(byNameOrPath(option, Location.commandLine("--profile", option), Path.of("")),
                "--profile");
        }
        if (config != null && config.profileLocation() != null)
        {
            final Location where = config.profileLocation();
            return new Selection(byNameOrPath(where.text(), where, config.directory()), "config " + where.where());
        }
        return detect(host);
    }

    /**
     * @return the most demanding profile that fits the host: its {@code detect:} does, and the host has a
     * CPU for each worker and every CPU it pins ({@link EffectiveSettings#fits}), so a host smaller than
     * a profile never picks it.
     * @throws ConfigException when none fits.
     */
    public Selection detect(final Host host)
    {
        HardwareProfile best = null;
        final List<String> invalid = new ArrayList<>();
        for (final String name : names())
        {
            final HardwareProfile profile;
            try
            {
                profile = get(name, null);
            }
            catch (final ConfigException ex)
            {
                invalid.add(ex.getMessage());
                continue;
            }
            if (profile.detection().fits(host) && EffectiveSettings.of(profile).fits(host) &&
                (best == null || DEMAND.compare(profile, best) > 0))
            {
                best = profile;
            }
        }
        if (best == null)
        {
            throw new ConfigException(Location.commandLine("--profile", null), null,
                "no hardware profile fits this host (" + host.describe() + "); choose one by name" +
                (invalid.isEmpty() ? "" : "; invalid: " + String.join("; ", invalid)));
        }
        return new Selection(best, "detected: " + host.describe());
    }

    private static final Comparator<HardwareProfile> DEMAND = Comparator
        .comparingInt((HardwareProfile profile) -> profile.detection().minCpus())
        .thenComparingLong(profile -> profile.detection().minMemoryBytes())
        .thenComparing(HardwareProfile::name, Comparator.reverseOrder());

    private HardwareProfile byNameOrPath(final String choice, final Location where, final Path base)
    {
        if (!choice.contains("/") && !choice.endsWith(SUFFIX))
        {
            return get(choice, where);
        }
        final Path file = base.resolve(choice);
        final String fileName = file.getFileName().toString();
        final String name =
            fileName.endsWith(SUFFIX) ? fileName.substring(0, fileName.length() - SUFFIX.length()) : fileName;
        if (!Files.isRegularFile(file))
        {
            throw new ConfigException(where, choice, "no such hardware profile file");
        }
        return HardwareProfile.parse(name, ConfigNode.parseFile(file));
    }

    private static Map<String, ProfileText> read(final Path directory, final String sourcePrefix) throws IOException
    {
        final Map<String, ProfileText> texts = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : files.toList())
            {
                final String fileName = file.getFileName().toString();
                if (fileName.endsWith(SUFFIX))
                {
                    texts.put(fileName.substring(0, fileName.length() - SUFFIX.length()),
                        new ProfileText(sourcePrefix + fileName, Files.readString(file, StandardCharsets.UTF_8)));
                }
            }
        }
        return texts;
    }
}
