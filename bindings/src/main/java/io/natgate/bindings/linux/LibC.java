package io.natgate.bindings.linux;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux C library calls the AF_PACKET backend and namespace handling need, one
 * {@code static final MethodHandle} per symbol. Every call that can fail captures {@code errno}
 * ({@link Linker.Option#captureCallState}): its first parameter is a call-state segment from
 * {@link #allocateCallState(Arena)}, read back with {@link #errno(MemorySegment)}. Loading it on
 * another operating system yields handles that throw a clear message.
 */
public final class LibC
{
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_PACKET = 263;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_POPULATE = 0x08000;
    public static final long MAP_FAILED = -1L;

    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFHWADDR = 0x8927;
    public static final long SIOCGIFINDEX = 0x8933;
    /** struct ifreq: char ifr_name[IFNAMSIZ]; then a 24-byte union (ifindex, mtu, flags or a sockaddr). */
    public static final int IFREQ_SIZE = 40;
    public static final int IFNAMSIZ = 16;
    public static final int IFREQ_UNION_OFFSET = 16;
    /** ifr_hwaddr is a struct sockaddr: a 2-byte family, then the address bytes. */
    public static final int IFREQ_HWADDR_DATA_OFFSET = IFREQ_UNION_OFFSET + 2;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;

    public static final NativeLibrary LIBRARY = OperatingSystem.current() == OperatingSystem.LINUX ?
        NativeLibrary.system("libc") :
        NativeLibrary.unavailable("libc", "AF_PACKET and network namespaces are Linux-only; this is " +
            System.getProperty("os.name") + ": use the pcap backend (Npcap on Windows) instead");

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code int socket(int domain, int type, int protocol)}. */
    public static final MethodHandle socket = LIBRARY.downcall("socket",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)}. */
    public static final MethodHandle bind = LIBRARY.downcall("bind",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    /** {@code int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)}. */
    public static final MethodHandle setsockopt = LIBRARY.downcall("setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    /** {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)}. */
    public static final MethodHandle getsockopt = LIBRARY.downcall("getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    /** {@code int ioctl(int fd, unsigned long request, ...)} called with one pointer argument. */
    public static final MethodHandle ioctl = LIBRARY.downcall("ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
    /** {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)}. */
    public static final MethodHandle mmap = LIBRARY.downcall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    /** {@code int munmap(void *addr, size_t length)}. */
    public static final MethodHandle munmap = LIBRARY.downcall("munmap",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
    public static final MethodHandle poll = LIBRARY.downcall("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    /** {@code ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest, socklen_t addrlen)}. */
    public static final MethodHandle sendto = LIBRARY.downcall("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    /**
     * {@code sendto} without errno capture, for the TX ring kick on the hot path: in JDK 25 a
     * capturing downcall allocates on every call. When it fails, repeat the call through
     * {@link #sendto} to learn errno (a repeated kick is harmless).
     */
    public static final MethodHandle sendto_nocapture = LIBRARY.downcall("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /**
     * {@code ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src, socklen_t *addrlen)}
     * without errno capture: the AF_XDP fill-ring wake-up on the hot path, whose failure is harmless.
     */
    public static final MethodHandle recvfrom_nocapture = LIBRARY.downcall("recvfrom",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code unsigned int if_nametoindex(const char *ifname)}: 0 when there is no such interface. */
    public static final MethodHandle if_nametoindex = LIBRARY.downcall("if_nametoindex",
        FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
    /** {@code int close(int fd)}. */
    public static final MethodHandle close = LIBRARY.downcall("close",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    /** {@code int open(const char *pathname, int flags, ...)} called without a mode. */
    public static final MethodHandle open = LIBRARY.downcall("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    /** {@code int setns(int fd, int nstype)}. */
    public static final MethodHandle setns = LIBRARY.downcall("setns",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}. */
    public static final MethodHandle sched_setaffinity = LIBRARY.downcall("sched_setaffinity",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO);
    /** {@code int getpagesize(void)}. */
    public static final MethodHandle getpagesize = LIBRARY.downcall("getpagesize",
        FunctionDescriptor.of(JAVA_INT));
    /** {@code char *strerror(int errnum)}. */
    public static final MethodHandle strerror = LIBRARY.downcall("strerror",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private LibC()
    {
    }

    /**
     * @return a segment to pass as the first argument of the errno-capturing calls; one per
     * calling thread, since a call writes it.
     */
    public static MemorySegment allocateCallState(final Arena arena)
    {
        return arena.allocate(CALL_STATE);
    }

    /**
     * @return the errno the last call made with {@code callState} left.
     */
    public static int errno(final MemorySegment callState)
    {
        return callState.get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * @return the C library's text for an errno value, e.g. "Operation not permitted".
     */
    public static String strerror(final int errno)
    {
        try
        {
            return NativeLibrary.cString((MemorySegment)strerror.invokeExact(errno));
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public static int pageSize()
    {
        try
        {
            return (int)getpagesize.invokeExact();
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Closes a file descriptor, ignoring errors (for cleanup paths).
     */
    public static void closeQuietly(final int fd, final MemorySegment callState)
    {
        if (fd < 0)
        {
            return;
        }
        try
        {
            final int ignored = (int)close.invokeExact(callState, fd);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
