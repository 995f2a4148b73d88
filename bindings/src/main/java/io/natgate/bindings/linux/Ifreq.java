package io.natgate.bindings.linux;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Interface queries through {@code ioctl(SIOCGIF*)} on any socket of the interface's network
 * namespace, with a {@code struct ifreq} the caller allocates ({@link LibC#IFREQ_SIZE} bytes).
 */
public final class Ifreq
{
    private Ifreq()
    {
    }

    /**
     * @return the int the request leaves in the ifreq's union: the index for SIOCGIFINDEX, the MTU for SIOCGIFMTU.
     * @throws LinuxException with the system's text, e.g. ENODEV for an unknown interface.
     */
    public static int getInt(final MemorySegment callState, final int fd, final MemorySegment ifreq,
        final String name, final long request, final String requestName)
    {
        ioctl(callState, fd, ifreq, name, request, requestName);
        return ifreq.get(JAVA_INT, LibC.IFREQ_UNION_OFFSET);
    }

    /**
     * @return the interface's MAC address as the low 48 bits (SIOCGIFHWADDR).
     */
    public static long macAddress(final MemorySegment callState, final int fd, final MemorySegment ifreq,
        final String name)
    {
        ioctl(callState, fd, ifreq, name, LibC.SIOCGIFHWADDR, "SIOCGIFHWADDR");
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (ifreq.get(JAVA_BYTE, LibC.IFREQ_HWADDR_DATA_OFFSET + i) & 0xFF);
        }
        return mac;
    }

    /**
     * Fills the ifreq's name and makes the request.
     *
     * @throws LinuxException with the system's text, e.g. ENODEV for an unknown interface.
     */
    public static void ioctl(final MemorySegment callState, final int fd, final MemorySegment ifreq,
        final String name, final long request, final String requestName)
    {
        ioctl(callState, fd, ifreq, name, request, requestName, null);
    }

    /**
     * Fills the ifreq's name and, when {@code data} is not null, its {@code ifr_data} pointer (the
     * argument of SIOCETHTOOL and other pointer requests), and makes the request.
     *
     * @throws LinuxException with the system's text.
     */
    public static void ioctl(final MemorySegment callState, final int fd, final MemorySegment ifreq,
        final String name, final long request, final String requestName, final MemorySegment data)
    {
        ifreq.fill((byte)0);
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(nameBytes, 0, ifreq, JAVA_BYTE, 0, Math.min(nameBytes.length, LibC.IFNAMSIZ - 1));
        if (data != null)
        {
            ifreq.set(java.lang.foreign.ValueLayout.ADDRESS, LibC.IFREQ_UNION_OFFSET, data);
        }
        try
        {
            if ((int)LibC.ioctl.invokeExact(callState, fd, request, ifreq) != 0)
            {
                final int errno = LibC.errno(callState);
                throw new LinuxException("ioctl(" + requestName + ", " + name + ")", errno,
                    errno == LibC.ENODEV ? "no such interface in this network namespace" :
                    errno == LibC.EPERM ? "needs root or CAP_NET_ADMIN" : null);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
