package io.natgate.bindings.afxdp;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.linux.Ifreq;
import io.natgate.bindings.linux.LibC;
import io.natgate.bindings.linux.LinuxException;
import io.natgate.bindings.linux.NetworkNamespace;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_XDP socket on one queue of one interface, over a {@link XdpUmem}, with its four rings
 * (rx, tx, and its own fill and completion rings) driven from Java through {@link XskRing}. Opening
 * the first socket of an interface makes libxdp attach its default XDP program, which redirects the
 * queue's frames to the socket; closing the last one detaches it. A program that a killed process
 * left on the interface is detached before the first socket is made, so a restart replaces it.
 * Owns the {@code struct xsk_socket} and a shared arena. The rx and fill rings belong to one
 * thread, the tx and completion rings to one (maybe the same) thread.
 */
public final class XdpSocket implements AutoCloseable
{
    static final String PERMISSION_HINT =
        "AF_XDP needs root, or CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (CAP_SYS_ADMIN before Linux 5.8), " +
        "to load the XDP program and open the socket";

    private static final String THREAD_NAMESPACE = "/proc/thread-self/ns/net";
    private static final long BUSY_RETRY_NS = 2_000_000_000L;

    /** Sockets this process has open per network namespace and interface index, to tell stale programs from ours. */
    private static final Map<String, Integer> OPEN_PER_INTERFACE = new HashMap<>();

    private final Arena arena;
    private final XdpUmem umem;
    private final MemorySegment xsk;
    private final String interfaceKey;
    private final String namespace;
    private final int namespaceFd;
    private final String interfaceName;
    private final int interfaceIndex;
    private final int queueId;
    private final int fd;
    private final long macAddress;
    private final int mtu;
    private final boolean zeroCopy;
    private final XdpAttach attached;
    private final int replacedProgramId;
    private final XskRing rx;
    private final XskRing tx;
    private final XskRing fill;
    private final XskRing completion;
    private final MemorySegment txCallState;
    private final MemorySegment controlCallState;
    private final MemorySegment statistics;
    private final MemorySegment statisticsLength;
    private long txKickFailures;
    private boolean closed;

    private XdpSocket(final Arena arena, final XdpUmem umem, final MemorySegment xsk, final String interfaceKey,
        final String namespace, final int namespaceFd, final XdpSocketOptions options, final int interfaceIndex, final int fd, final long macAddress, final int mtu,
        final boolean zeroCopy, final XdpAttach attached, final int replacedProgramId, final MemorySegment[] rings)
    {
        this.arena = arena;
        this.umem = umem;
        this.xsk = xsk;
        this.interfaceKey = interfaceKey;
        this.namespace = namespace;
        this.namespaceFd = namespaceFd;
        this.interfaceName = options.interfaceName();
        this.interfaceIndex = interfaceIndex;
        this.queueId = options.queueId();
        this.fd = fd;
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.zeroCopy = zeroCopy;
        this.attached = attached;
        this.replacedProgramId = replacedProgramId;
        this.rx = new XskRing(rings[0]);
        this.tx = new XskRing(rings[1]);
        this.fill = new XskRing(rings[2]);
        this.completion = new XskRing(rings[3]);
        this.txCallState = LibC.allocateCallState(arena);
        this.controlCallState = LibC.allocateCallState(arena);
        this.statistics = arena.allocate(LibXdp.STATISTICS_SIZE, 8);
        this.statisticsLength = arena.allocate(JAVA_INT);
    }

    /**
     * Opens a socket on {@code options}' interface and queue over {@code umem}, in the calling
     * thread's network namespace.
     *
     * @throws LinuxException with the system's text: EPERM without the rights to load XDP programs
     * ({@link #PERMISSION_HINT}), ENODEV for an unknown interface, EOPNOTSUPP for zero-copy on a driver
     * without it.
     * @throws IllegalArgumentException for bad settings, naming the setting.
     */
    public static XdpSocket open(final XdpUmem umem, final XdpSocketOptions options)
    {
        LibXdp.LIBRARY.ensureAvailable();
        LibBpf.LIBRARY.ensureAvailable();
        options.validate(LibC.pageSize());
        if (options.frameSizeBytes() != umem.frameSizeBytes())
        {
            throw new IllegalArgumentException("frameSizeBytes must be the UMEM's " + umem.frameSizeBytes() +
                ": frameSizeBytes=" + options.frameSizeBytes());
        }
        final String name = options.interfaceName();
        final Arena arena = Arena.ofShared();
        final MemorySegment callState = LibC.allocateCallState(arena);
        String interfaceKey = null;
        int namespaceFd = -1;
        try
        {
            final int interfaceIndex = (int)LibC.if_nametoindex.invokeExact(callState, arena.allocateFrom(name));
            if (interfaceIndex == 0)
            {
                final int errno = LibC.errno(callState);
                throw new LinuxException("if_nametoindex(" + name + ")", errno,
                    "no such interface in this network namespace");
            }
            final String namespace = networkNamespace();
            interfaceKey = namespace + "/" + interfaceIndex;
            // libxdp detaches the program by interface index in the caller's namespace: closing
            // goes back to this one, whatever thread closes.
            namespaceFd = (int)LibC.open.invokeExact(callState, arena.allocateFrom(THREAD_NAMESPACE),
                LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (namespaceFd < 0)
            {
                throw new LinuxException("open(" + THREAD_NAMESPACE + ")", LibC.errno(callState));
            }
            final int replaced;
            synchronized (OPEN_PER_INTERFACE)
            {
                replaced = OPEN_PER_INTERFACE.containsKey(interfaceKey) ? 0 : detachStale(interfaceIndex, name);
                OPEN_PER_INTERFACE.merge(interfaceKey, 1, Integer::sum);
            }

            final MemorySegment[] rings = new MemorySegment[4];
            for (int i = 0; i < rings.length; i++)
            {
                rings[i] = arena.allocate(LibXdp.RING_STRUCT_SIZE, 8);
            }
            rings[2] = umem.fillFor(rings[2]);
            rings[3] = umem.completionFor(rings[3]);
            final MemorySegment config = arena.allocate(LibXdp.SOCKET_CONFIG_SIZE, 4);
            config.set(JAVA_INT, LibXdp.SOCKET_CONFIG_RX_SIZE_OFFSET, options.rxRingSize());
            config.set(JAVA_INT, LibXdp.SOCKET_CONFIG_TX_SIZE_OFFSET, options.txRingSize());
            config.set(JAVA_INT, LibXdp.SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET, 0);
            config.set(JAVA_INT, LibXdp.SOCKET_CONFIG_XDP_FLAGS_OFFSET, options.attach().xdpFlags());
            config.set(JAVA_SHORT, LibXdp.SOCKET_CONFIG_BIND_FLAGS_OFFSET, bindFlags(options.mode()));
            final MemorySegment out = arena.allocate(ADDRESS);
            final MemorySegment ifname = arena.allocateFrom(name);
            final long busyDeadlineNs = System.nanoTime() + BUSY_RETRY_NS;
            int result;
            // The kernel frees a closed socket's hold on its queue a little later (deferred work), so a
            // quick restart can find the queue busy for a moment.
            while ((result = (int)LibXdp.xsk_socket__create_shared.invokeExact(out, ifname, options.queueId(),
                umem.pointer(), rings[0], rings[1], rings[2], rings[3], config)) == -LibC.EBUSY &&
                System.nanoTime() - busyDeadlineNs < 0)
            {
                Thread.sleep(10);
            }
            if (result < 0)
            {
                throw createFailure(options, -result);
            }
            final MemorySegment xsk = out.get(ADDRESS, 0);
            umem.socketOpened();
            try
            {
                final int fd = (int)LibXdp.xsk_socket__fd.invokeExact(xsk);
                // AF_XDP sockets take no interface ioctls: ask through a plain datagram socket.
                final int queryFd = (int)LibC.socket.invokeExact(callState, LibC.AF_INET,
                    LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
                if (queryFd < 0)
                {
                    throw new LinuxException("socket(AF_INET, SOCK_DGRAM)", LibC.errno(callState));
                }
                final int mtu;
                final long mac;
                try
                {
                    final MemorySegment ifreq = arena.allocate(LibC.IFREQ_SIZE, 8);
                    mtu = Ifreq.getInt(callState, queryFd, ifreq, name, LibC.SIOCGIFMTU, "SIOCGIFMTU");
                    mac = Ifreq.macAddress(callState, queryFd, ifreq, name);
                }
                finally
                {
                    LibC.closeQuietly(queryFd, callState);
                }
                final boolean zeroCopy = (xdpOptions(arena, callState, fd, name) & LibXdp.XDP_OPTIONS_ZEROCOPY) != 0;
                return new XdpSocket(arena, umem, xsk, interfaceKey, namespace, namespaceFd, options, interfaceIndex, fd, mac, mtu, zeroCopy,
                    attachedMode(arena, interfaceIndex), replaced, rings);
            }
            catch (final Throwable t)
            {
                umem.socketClosed();
                LibXdp.xsk_socket__delete.invokeExact(xsk);
                throw t;
            }
        }
        catch (final Throwable t)
        {
            forget(interfaceKey);
            LibC.closeQuietly(namespaceFd, callState);
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return the id of the XDP program attached to the interface in the calling thread's network
     * namespace (any mode), 0 when none.
     */
    public static int attachedProgramId(final int interfaceIndex)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return queryProgramId(arena, interfaceIndex, 0);
        }
    }

    public XskRing rx()
    {
        return rx;
    }

    public XskRing tx()
    {
        return tx;
    }

    public XskRing fill()
    {
        return fill;
    }

    public XskRing completion()
    {
        return completion;
    }

    public XdpUmem umem()
    {
        return umem;
    }

    /**
     * Asks the kernel to send what the tx ring holds ({@code sendto}, non-blocking). In copy mode the
     * kernel sends a batch per call and answers EAGAIN while more is left, so call it again while
     * {@link XskRing#outstanding()} stays above 0.
     *
     * @return false when the kernel answered EAGAIN, EBUSY or ENOBUFS: the rest goes with a later kick.
     * @throws LinuxException for other failures, e.g. ENETDOWN when the interface is down.
     */
    public boolean kickTx()
    {
        try
        {
            long sent = (long)LibC.sendto_nocapture.invokeExact(fd, MemorySegment.NULL, 0L, LibC.MSG_DONTWAIT,
                MemorySegment.NULL, 0);
            if (sent >= 0)
            {
                return true;
            }
            sent = (long)LibC.sendto.invokeExact(txCallState, fd, MemorySegment.NULL, 0L, LibC.MSG_DONTWAIT,
                MemorySegment.NULL, 0);
            if (sent >= 0)
            {
                return true;
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        final int errno = LibC.errno(txCallState);
        if (errno == LibC.EAGAIN || errno == LibC.EBUSY || errno == LibC.ENOBUFS || errno == LibC.EINTR)
        {
            txKickFailures++;
            return false;
        }
        throw new LinuxException("sendto(AF_XDP " + interfaceName + " queue " + queueId + ")", errno);
    }

    /**
     * Wakes the driver to take fill ring entries ({@code recvfrom}, non-blocking); call when the fill
     * ring {@link XskRing#needsWakeup() needs it}. Its result does not matter.
     */
    public void wakeFill()
    {
        try
        {
            final long ignored = (long)LibC.recvfrom_nocapture.invokeExact(fd, MemorySegment.NULL, 0L,
                LibC.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Reads {@code XDP_STATISTICS} (totals since the socket was opened). Call from one thread only.
     */
    public void updateStatistics()
    {
        statisticsLength.set(JAVA_INT, 0, LibXdp.STATISTICS_SIZE);
        try
        {
            if ((int)LibC.getsockopt.invokeExact(controlCallState, fd, LibXdp.SOL_XDP, LibXdp.XDP_STATISTICS,
                statistics, statisticsLength) != 0)
            {
                throw new LinuxException("getsockopt(XDP_STATISTICS, " + interfaceName + ")",
                    LibC.errno(controlCallState));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /** @return frames dropped for reasons other than a full rx ring (e.g. too long for a chunk), as of the last update. */
    public long rxDropped()
    {
        return statistics.get(JAVA_LONG, 0);
    }

    /** @return rx descriptors the kernel found invalid. */
    public long rxInvalidDescriptors()
    {
        return statistics.get(JAVA_LONG, 8);
    }

    /** @return tx descriptors the kernel refused (bad address or length). */
    public long txInvalidDescriptors()
    {
        return statistics.get(JAVA_LONG, 16);
    }

    /** @return frames dropped because the rx ring was full. */
    public long rxRingFull()
    {
        return statistics.get(JAVA_LONG, 24);
    }

    /** @return frames dropped because the fill ring was empty. */
    public long rxFillRingEmpty()
    {
        return statistics.get(JAVA_LONG, 32);
    }

    /** @return times the kernel found the tx ring empty when woken. */
    public long txRingEmpty()
    {
        return statistics.get(JAVA_LONG, 40);
    }

    /** @return tx kicks the kernel answered busy (retried with the next flush). */
    public long txKickFailures()
    {
        return txKickFailures;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    public int interfaceIndex()
    {
        return interfaceIndex;
    }

    public int queueId()
    {
        return queueId;
    }

    public int fd()
    {
        return fd;
    }

    public long macAddress()
    {
        return macAddress;
    }

    public int mtu()
    {
        return mtu;
    }

    /**
     * @return true when the kernel bound the socket in zero-copy mode (XDP_OPTIONS).
     */
    public boolean isZeroCopy()
    {
        return zeroCopy;
    }

    /**
     * @return where the XDP program runs (native or skb), as the kernel reports it.
     */
    public XdpAttach attached()
    {
        return attached;
    }

    /**
     * @return the id of a program left by an earlier process that opening detached, 0 when none.
     */
    public int replacedProgramId()
    {
        return replacedProgramId;
    }

    /**
     * Deletes the socket and unmaps its rings; with the interface's last socket libxdp detaches the
     * XDP program. The threads using it must have stopped.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try (NetworkNamespace.Scope ignored = namespace.equals(networkNamespace()) ? null :
            NetworkNamespace.enter(Path.of("/proc/self/fd/" + namespaceFd)))
        {
            LibXdp.xsk_socket__delete.invokeExact(xsk);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        finally
        {
            umem.socketClosed();
            forget(interfaceKey);
            LibC.closeQuietly(namespaceFd, controlCallState);
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return "XdpSocket{" + interfaceName + " queue " + queueId + ", " + (zeroCopy ? "zero-copy" : "copy") + ", " +
            attached.configName() + '}';
    }

    private static short bindFlags(final XdpMode mode)
    {
        final int modeFlag = switch (mode)
        {
            case COPY -> LibXdp.XDP_COPY;
            case ZERO_COPY -> LibXdp.XDP_ZEROCOPY;
            case AUTO -> 0;
        };
        return (short)(modeFlag | LibXdp.XDP_USE_NEED_WAKEUP);
    }

    private static LinuxException createFailure(final XdpSocketOptions options, final int errno)
    {
        final String call = "xsk_socket__create(" + options.interfaceName() + " queue " + options.queueId() + ", " +
            options.mode().configName() + ", " + options.attach().configName() + ")";
        final String hint = switch (errno)
        {
            case LibC.EPERM -> PERMISSION_HINT;
            case LibC.EOPNOTSUPP -> options.mode() == XdpMode.ZERO_COPY ?
                "the driver has no AF_XDP zero-copy: use mode copy or auto" :
                "the driver cannot run XDP in " + options.attach().configName() + " mode: use attach skb";
            case LibC.EINVAL -> "no such queue, or settings the driver refuses (queue ids: ethtool -l " +
                options.interfaceName() + ")";
            case LibC.EBUSY -> "another AF_XDP socket or XDP program already holds this queue";
            default -> libxdpText(errno);
        };
        return new LinuxException(call, errno, hint);
    }

    private static String libxdpText(final int errno)
    {
        final String text = LibXdp.strerror(-errno);
        return text.equals(LibC.strerror(errno)) ? null : text;
    }

    private static int detachStale(final int interfaceIndex, final String name) throws Throwable
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int stale = queryProgramId(arena, interfaceIndex, 0);
            if (stale == 0)
            {
                return 0;
            }
            for (final int mode : new int[] {LibXdp.XDP_FLAGS_DRV_MODE, LibXdp.XDP_FLAGS_SKB_MODE})
            {
                if (queryProgramId(arena, interfaceIndex, mode) != 0)
                {
                    final int result = (int)LibBpf.bpf_xdp_detach.invokeExact(interfaceIndex, mode, MemorySegment.NULL);
                    if (result < 0)
                    {
                        throw new LinuxException("bpf_xdp_detach(" + name + ", program " + stale + " left behind)",
                            -result, -result == LibC.EPERM ? PERMISSION_HINT : null);
                    }
                }
            }
            return stale;
        }
    }

    private static int queryProgramId(final Arena arena, final int interfaceIndex, final int flags)
    {
        final MemorySegment id = arena.allocate(JAVA_INT);
        try
        {
            final int result = (int)LibBpf.bpf_xdp_query_id.invokeExact(interfaceIndex, flags, id);
            if (result < 0)
            {
                throw new LinuxException("bpf_xdp_query_id(ifindex " + interfaceIndex + ")", -result,
                    -result == LibC.EPERM ? PERMISSION_HINT : null);
            }
            return id.get(JAVA_INT, 0);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    private static XdpAttach attachedMode(final Arena arena, final int interfaceIndex)
    {
        if (queryProgramId(arena, interfaceIndex, LibXdp.XDP_FLAGS_DRV_MODE) != 0)
        {
            return XdpAttach.NATIVE;
        }
        return queryProgramId(arena, interfaceIndex, LibXdp.XDP_FLAGS_SKB_MODE) != 0 ? XdpAttach.SKB : XdpAttach.AUTO;
    }

    private static int xdpOptions(final Arena arena, final MemorySegment callState, final int fd, final String name)
        throws Throwable
    {
        final MemorySegment value = arena.allocate(JAVA_INT);
        final MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
        if ((int)LibC.getsockopt.invokeExact(callState, fd, LibXdp.SOL_XDP, LibXdp.XDP_OPTIONS, value, length) != 0)
        {
            throw new LinuxException("getsockopt(XDP_OPTIONS, " + name + ")", LibC.errno(callState));
        }
        return value.get(JAVA_INT, 0);
    }

    private static String networkNamespace()
    {
        try
        {
            return Files.readSymbolicLink(Path.of(THREAD_NAMESPACE)).toString();
        }
        catch (final IOException ex)
        {
            return "net:?";
        }
    }

    private static void forget(final String interfaceKey)
    {
        if (interfaceKey == null)
        {
            return;
        }
        synchronized (OPEN_PER_INTERFACE)
        {
            OPEN_PER_INTERFACE.computeIfPresent(interfaceKey, (key, count) -> count == 1 ? null : count - 1);
        }
    }
}
