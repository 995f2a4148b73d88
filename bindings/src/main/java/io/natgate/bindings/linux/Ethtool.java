package io.natgate.bindings.linux;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An interface's offload features through the ethtool ioctl ({@code SIOCETHTOOL} with
 * {@code struct ethtool_value}, from {@code linux/ethtool.h}), as {@code ethtool -k/-K} reads and
 * sets them: generic receive offload (GRO) and large receive offload (LRO). Works on the
 * interfaces of the calling thread's network namespace; setting needs CAP_NET_ADMIN.
 */
public final class Ethtool
{
    public static final long SIOCETHTOOL = 0x8946;
    public static final int ETHTOOL_GFLAGS = 0x25;
    public static final int ETHTOOL_SFLAGS = 0x26;
    public static final int ETHTOOL_GGRO = 0x2b;
    public static final int ETHTOOL_SGRO = 0x2c;
    public static final int ETH_FLAG_LRO = 1 << 15;

    private Ethtool()
    {
    }

    /**
     * @return whether GRO is on for {@code interfaceName}.
     * @throws LinuxException with the system's text (ENODEV, EOPNOTSUPP, ...).
     */
    public static boolean gro(final String interfaceName)
    {
        return get(interfaceName, ETHTOOL_GGRO, "ETHTOOL_GGRO") != 0;
    }

    /**
     * Turns GRO on or off, as {@code ethtool -K NAME gro on|off}.
     *
     * @throws LinuxException with the system's text: EOPNOTSUPP when the device cannot, EPERM without CAP_NET_ADMIN.
     */
    public static void gro(final String interfaceName, final boolean on)
    {
        set(interfaceName, ETHTOOL_SGRO, on ? 1 : 0, "ETHTOOL_SGRO");
    }

    /**
     * @return whether LRO is on for {@code interfaceName}.
     */
    public static boolean lro(final String interfaceName)
    {
        return (get(interfaceName, ETHTOOL_GFLAGS, "ETHTOOL_GFLAGS") & ETH_FLAG_LRO) != 0;
    }

    /**
     * Turns LRO on or off, keeping the device's other flags.
     */
    public static void lro(final String interfaceName, final boolean on)
    {
        final int flags = get(interfaceName, ETHTOOL_GFLAGS, "ETHTOOL_GFLAGS");
        set(interfaceName, ETHTOOL_SFLAGS, on ? flags | ETH_FLAG_LRO : flags & ~ETH_FLAG_LRO, "ETHTOOL_SFLAGS");
    }

    private static int get(final String interfaceName, final int command, final String commandName)
    {
        return call(interfaceName, command, 0, commandName);
    }

    private static void set(final String interfaceName, final int command, final int value, final String commandName)
    {
        call(interfaceName, command, value, commandName);
    }

    private static int call(final String interfaceName, final int command, final int value, final String commandName)
    {
        LibC.LIBRARY.ensureAvailable();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.allocateCallState(arena);
            final int fd = (int)LibC.socket.invokeExact(callState, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new LinuxException("socket(AF_INET, SOCK_DGRAM) for ethtool", LibC.errno(callState));
            }
            try
            {
                final MemorySegment ethtoolValue = arena.allocate(8, 4);
                ethtoolValue.set(JAVA_INT, 0, command);
                ethtoolValue.set(JAVA_INT, 4, value);
                Ifreq.ioctl(callState, fd, arena.allocate(LibC.IFREQ_SIZE, 8), interfaceName, SIOCETHTOOL,
                    "SIOCETHTOOL " + commandName, ethtoolValue);
                return ethtoolValue.get(JAVA_INT, 4);
            }
            finally
            {
                LibC.closeQuietly(fd, callState);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
