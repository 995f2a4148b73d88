package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host's network interfaces as the config loader sees them: whether one exists, and its MAC
 * and MTU for ports that do not give their own. On Linux they are read from sysfs
 * ({@code /sys/class/net/<if>/address}, {@code .../mtu}); elsewhere from {@link NetworkInterface}.
 * Tests hand the loader a sysfs-shaped directory of their own.
 */
@FunctionalInterface
public interface NetworkInterfaces
{
    /** Where Linux lists its interfaces. */
    Path LINUX_SYSFS = Path.of("/sys/class/net");

    /**
     * What the host says about one interface.
     *
     * @param macAddress the MAC in the low 48 bits, or -1 when the host does not say.
     * @param mtu        the MTU, or 0 when the host does not say.
     */
    record Interface(String name, long macAddress, int mtu)
    {
    }

    /**
     * @return the interface, or empty when the host has none by that name.
     */
    Optional<Interface> find(String name);

    /**
     * @return the interfaces of the host this runs on.
     */
    static NetworkInterfaces forThisHost(final OperatingSystem os)
    {
        return os == OperatingSystem.LINUX ? sysfs(LINUX_SYSFS) : javaNet();
    }

    /**
     * @param root a directory with one directory per interface holding {@code address} and {@code mtu} files.
     */
    static NetworkInterfaces sysfs(final Path root)
    {
        return name ->
        {
            if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.equals(".") || name.equals("..") ||
                name.chars().anyMatch(Character::isWhitespace))
            {
                return Optional.empty();
            }
            final Path directory = root.resolve(name);
            if (!Files.isDirectory(directory))
            {
                return Optional.empty();
            }
            return Optional.of(
                new Interface(name, readMac(directory.resolve("address")), readMtu(directory.resolve("mtu"))));
        };
    }

    /**
     * @return the interfaces {@link NetworkInterface} knows, by name or display name.
     */
    static NetworkInterfaces javaNet()
    {
        return name ->
        {
            try
            {
                NetworkInterface found = NetworkInterface.getByName(name);
                if (found == null)
                {
                    found = NetworkInterface.networkInterfaces()
                        .filter(candidate -> name.equals(candidate.getDisplayName())).findFirst().orElse(null);
                }
                if (found == null)
                {
                    return Optional.empty();
                }
                final byte[] mac = found.getHardwareAddress();
                long macAddress = -1;
                if (mac != null && mac.length == 6)
                {
                    macAddress = 0;
                    for (final byte octet : mac)
                    {
                        macAddress = (macAddress << 8) | (octet & 0xFF);
                    }
                }
                return Optional.of(new Interface(name, macAddress, Math.max(0, found.getMTU())));
            }
            catch (final SocketException ex)
            {
                return Optional.empty();
            }
        };
    }

    /**
     * @return a MAC written as six hex octets separated by {@code :} or {@code -}, in the low 48 bits.
     * @throws IllegalArgumentException when it is not one.
     */
    static long parseMac(final String text)
    {
        final String[] octets = text.trim().split("[:-]", -1);
        if (octets.length != 6)
        {
            throw new IllegalArgumentException("expected six hex octets, e.g. 02:00:00:00:00:01");
        }
        long mac = 0;
        for (final String octet : octets)
        {
            if (!octet.matches("[0-9a-fA-F]{1,2}"))
            {
                throw new IllegalArgumentException("expected six hex octets, e.g. 02:00:00:00:00:01");
            }
            mac = (mac << 8) | Integer.parseInt(octet, 16);
        }
        return mac;
    }

    /**
     * @return the MAC as {@code 02:00:00:00:00:01}.
     */
    static String formatMac(final long mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            text.append(String.format("%02x", (mac >>> shift) & 0xFF));
            if (shift > 0)
            {
                text.append(':');
            }
        }
        return text.toString();
    }

    private static long readMac(final Path file)
    {
        try
        {
            return parseMac(Files.readString(file, StandardCharsets.US_ASCII));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    private static int readMtu(final Path file)
    {
        try
        {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0;
        }
    }
}
