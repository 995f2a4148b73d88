package io.natgate.control.testing;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.cli.Environment;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.config.NetworkInterfaces;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.profile.Host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hosts for tests: a sysfs-shaped directory of made-up interfaces, the repository's files, and
 * environments for the command line built from them.
 */
public final class TestHosts
{
    /** A 2-CPU Linux host with 24 GiB, like this machine kind. */
    public static final Host SMALL_LINUX = new Host(OperatingSystem.LINUX, 2, 24L << 30);

    private TestHosts()
    {
    }

    /**
     * Makes {@code root/NAME/address} and {@code root/NAME/mtu} as Linux's sysfs has them.
     *
     * @return {@code root}.
     */
    public static Path fakeInterface(final Path root, final String name, final String mac, final int mtu)
    {
        try
        {
            final Path directory = Files.createDirectories(root.resolve(name));
            Files.writeString(directory.resolve("address"), mac + "\n");
            Files.writeString(directory.resolve("mtu"), mtu + "\n");
            return root;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return a fake sysfs holding the example config's interfaces, veth-lan and veth-wan.
     */
    public static Path labInterfaces(final Path root)
    {
        fakeInterface(root, "veth-lan", "02:00:00:00:00:0a", 1500);
        return fakeInterface(root, "veth-wan", "02:00:00:00:00:0b", 1500);
    }

    /**
     * @return a loader for a Linux host whose interfaces are those of {@code sysfs}.
     */
    public static ConfigLoader linuxLoader(final Path sysfs)
    {
        return new ConfigLoader(OperatingSystem.LINUX, NetworkInterfaces.sysfs(sysfs));
    }

    /**
     * @return the environment of a small Linux host with the interfaces of {@code sysfs} and the built-in profiles.
     */
    public static Environment smallLinux(final Path sysfs)
    {
        return new Environment(SMALL_LINUX, linuxLoader(sysfs), HardwareProfiles.builtin());
    }

    /**
     * @return a file of the repository (tests run in a module's directory).
     */
    public static Path repositoryFile(final String relativePath)
    {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.isDirectory(directory.resolve("hw-profiles")))
        {
            directory = directory.getParent();
        }
        if (directory == null)
        {
            throw new IllegalStateException("no repository above " + Path.of("").toAbsolutePath());
        }
        return directory.resolve(relativePath);
    }
}
