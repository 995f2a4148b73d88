package io.natgate.control.profile;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.Units;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What hardware-profile detection looks at: the operating system, the processors the JVM may
 * use and the physical memory. Tests make their own.
 */
public record Host(OperatingSystem os, int cpus, long memoryBytes)
{
    /**
     * @return this machine: {@link Runtime#availableProcessors()} and the physical memory the
     * {@code com.sun.management.OperatingSystemMXBean} reports (0 when it cannot say).
     */
    public static Host current()
    {
        long memoryBytes = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean)
        {
            memoryBytes = bean.getTotalMemorySize();
        }
        return new Host(OperatingSystem.current(), Runtime.getRuntime().availableProcessors(), memoryBytes);
    }

    /**
     * @return e.g. {@code linux, 2 cpus, 23.5 GiB}.
     */
    public String describe()
    {
        return osName(os) + ", " + cpus + (cpus == 1 ? " cpu, " : " cpus, ") + Units.humanSize(memoryBytes);
    }

    /**
     * @return the name profiles use for a system in {@code detect.os}: linux, windows, macos, other.
     */
    public static String osName(final OperatingSystem os)
    {
        return os == OperatingSystem.MAC_OS ? "macos" : os.name().toLowerCase(Locale.ROOT);
    }
}
