package io.natgate.bindings.pcap;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;
import io.natgate.bindings.afpacket.Tpacket;
import io.natgate.bindings.linux.LibC;
import io.natgate.bindings.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.natgate.bindings.NativeLibrary.ALL_MEMORY;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A libpcap capture handle ({@code pcap_t *}): live on a device, offline on a capture file, or
 * "dead" (only for writing files). It owns the pointer and a shared arena holding its out-parameter
 * and transmit buffers, so {@link #next()} and {@link #inject(int)} allocate nothing. One thread
 * receives on a handle; injecting from another thread concurrently is not supported by libpcap
 * (give the transmitting thread its own handle).
 */
public final class Pcap implements AutoCloseable
{
    /** {@link #next()}: a packet is available through the packet accessors. */
    public static final int PACKET = 1;
    /** {@link #next()}: no packet now (non-blocking handle, or the read timeout expired). */
    public static final int NO_PACKET = 0;
    /** {@link #next()}: an offline handle has read the whole file. */
    public static final int END_OF_FILE = -1;

    /** Largest frame {@link #transmitBuffer()} holds. */
    public static final int MAX_TRANSMIT_LENGTH = 65536;

    private static final Object INIT_LOCK = new Object();
    private static boolean initialised;

    private final Arena arena;
    private final String source;
    private final boolean offline;
    private final MemorySegment errbuf;
    private final MemorySegment headerOut;
    private final MemorySegment dataOut;
    private final MemorySegment statsOut;
    private final String activationWarning;
    private MemorySegment handle;
    private MemorySegment transmitBuffer;

    private long packetAddress;
    private int capturedLength;
    private int wireLength;
    private long timestampMicros;

    private Pcap(final Arena arena, final MemorySegment errbuf, final MemorySegment handle, final String source,
        final boolean offline, final String activationWarning)
    {
        this.arena = arena;
        this.errbuf = errbuf;
        this.handle = handle;
        this.source = source;
        this.offline = offline;
        this.activationWarning = activationWarning;
        this.headerOut = arena.allocate(ADDRESS);
        this.dataOut = arena.allocate(ADDRESS);
        this.statsOut = arena.allocate(LibPcap.PCAP_STAT_SIZE, 8);
    }

    /**
     * Creates and activates a live capture on {@code options.device()}.
     *
     * @throws PcapException with libpcap's text when the device does not exist, permission is
     * missing, or the filter does not compile.
     * @throws io.natgate.bindings.NativeLibraryUnavailableException when libpcap is not installed.
     */
    public static Pcap openLive(final PcapOptions options)
    {
        options.validate();
        ensureInitialised();
        final String device = options.device();
        final Arena arena = Arena.ofShared();
        Pcap pcap = null;
        try
        {
            final MemorySegment errbuf = arena.allocate(LibPcap.PCAP_ERRBUF_SIZE);
            final MemorySegment handle = (MemorySegment)LibPcap.pcap_create.invokeExact(arena.allocateFrom(device), errbuf);
            if (MemorySegment.NULL.equals(handle))
            {
                throw new PcapException("pcap_create(" + device + "): " + errbuf.getString(0), LibPcap.PCAP_ERROR);
            }
            checkSetting(handle, device, "pcap_set_snaplen",
                (int)LibPcap.pcap_set_snaplen.invokeExact(handle, options.snapLength()));
            checkSetting(handle, device, "pcap_set_promisc",
                (int)LibPcap.pcap_set_promisc.invokeExact(handle, options.promiscuous() ? 1 : 0));
            checkSetting(handle, device, "pcap_set_timeout",
                (int)LibPcap.pcap_set_timeout.invokeExact(handle, options.timeoutMs()));
            if (options.immediate())
            {
                checkSetting(handle, device, "pcap_set_immediate_mode",
                    (int)LibPcap.pcap_set_immediate_mode.invokeExact(handle, 1));
            }
            if (options.bufferSizeBytes() > 0)
            {
                checkSetting(handle, device, "pcap_set_buffer_size",
                    (int)LibPcap.pcap_set_buffer_size.invokeExact(handle, options.bufferSizeBytes()));
            }
            final int status = (int)LibPcap.pcap_activate.invokeExact(handle);
            if (status < 0)
            {
                final String detail = LibPcap.geterr(handle);
                final String text = LibPcap.statusToString(status);
                LibPcap.pcap_close.invokeExact(handle);
                throw new PcapException("pcap_activate(" + device + "): " + text +
                    (detail == null || detail.isEmpty() || detail.equals(text) ? "" : " (" + detail + ")"), status);
            }
            final String warning = status > 0 ? LibPcap.statusToString(status) + ": " + LibPcap.geterr(handle) : null;
            pcap = new Pcap(arena, errbuf, handle, device, false, warning);
            if (options.nonBlocking())
            {
                pcap.setNonBlocking(true);
            }
            if (options.direction() != LibPcap.PCAP_D_INOUT)
            {
                pcap.setDirection(options.direction());
            }
            if (options.filter() != null)
            {
                pcap.setFilter(options.filter());
            }
            return pcap;
        }
        catch (final Throwable t)
        {
            if (pcap != null)
            {
                pcap.close();
            }
            else
            {
                arena.close();
            }
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Opens a capture file (pcap or pcapng) for reading.
     *
     * @throws PcapException with libpcap's text, e.g. "No such file or directory" or "unknown file format".
     */
    public static Pcap openOffline(final Path file)
    {
        ensureInitialised();
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment errbuf = arena.allocate(LibPcap.PCAP_ERRBUF_SIZE);
            final MemorySegment handle = (MemorySegment)LibPcap.pcap_open_offline.invokeExact(
                arena.allocateFrom(file.toString()), errbuf);
            if (MemorySegment.NULL.equals(handle))
            {
                throw new PcapException("pcap_open_offline(" + file + "): " + errbuf.getString(0), LibPcap.PCAP_ERROR);
            }
            return new Pcap(arena, errbuf, handle, file.toString(), true, null);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Opens a handle bound to no device or file, for {@link #openDumper(Path)} and filter compilation.
     */
    public static Pcap openDead(final int linkType, final int snapLength)
    {
        ensureInitialised();
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment handle = (MemorySegment)LibPcap.pcap_open_dead.invokeExact(linkType, snapLength);
            if (MemorySegment.NULL.equals(handle))
            {
                throw new PcapException("pcap_open_dead(" + linkType + ", " + snapLength + "): out of memory",
                    LibPcap.PCAP_ERROR);
            }
            return new Pcap(arena, arena.allocate(LibPcap.PCAP_ERRBUF_SIZE), handle, "dead:" + linkType, true, null);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return the devices libpcap can open, in its order.
     */
    public static List<PcapDevice> findAllDevices()
    {
        ensureInitialised();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errbuf = arena.allocate(LibPcap.PCAP_ERRBUF_SIZE);
            final MemorySegment listOut = arena.allocate(ADDRESS);
            final int status = (int)LibPcap.pcap_findalldevs.invokeExact(listOut, errbuf);
            if (status != 0)
            {
                throw new PcapException("pcap_findalldevs: " + errbuf.getString(0), status);
            }
            final MemorySegment list = listOut.get(ADDRESS, 0);
            try
            {
                final List<PcapDevice> devices = new ArrayList<>();
                for (long entry = list.address(); entry != 0; entry = ALL_MEMORY.get(JAVA_LONG, entry + LibPcap.PCAP_IF_NEXT_OFFSET))
                {
                    devices.add(device(entry));
                }
                return devices;
            }
            finally
            {
                LibPcap.pcap_freealldevs.invokeExact(list);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return libpcap's version string, e.g. "libpcap version 1.10.3 (with TPACKET_V3)".
     */
    public static String libraryVersion()
    {
        LibPcap.LIBRARY.ensureAvailable();
        try
        {
            return NativeLibrary.cString((MemorySegment)LibPcap.pcap_lib_version.invokeExact());
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Reads the next packet, making it available through {@link #packetAddress()},
     * {@link #capturedLength()}, {@link #wireLength()} and {@link #timestampMicros()} until the next call.
     *
     * @return {@link #PACKET}, {@link #NO_PACKET} or {@link #END_OF_FILE}.
     * @throws PcapException with {@code pcap_geterr} text when the capture fails (e.g. the interface went down).
     */
    public int next()
    {
        final int result;
        try
        {
            result = (int)LibPcap.pcap_next_ex.invokeExact(handle, headerOut, dataOut);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        if (result == 1)
        {
            final long header = headerOut.get(JAVA_LONG, 0);
            packetAddress = dataOut.get(JAVA_LONG, 0);
            capturedLength = ALL_MEMORY.get(JAVA_INT_UNALIGNED, header + LibPcap.PKTHDR_CAPLEN_OFFSET);
            wireLength = ALL_MEMORY.get(JAVA_INT_UNALIGNED, header + LibPcap.PKTHDR_LEN_OFFSET);
            final long seconds = LibPcap.PKTHDR_LONG_TIMEVAL ?
                ALL_MEMORY.get(JAVA_LONG_UNALIGNED, header + LibPcap.PKTHDR_TS_SEC_OFFSET) :
                ALL_MEMORY.get(JAVA_INT_UNALIGNED, header + LibPcap.PKTHDR_TS_SEC_OFFSET) & 0xFFFF_FFFFL;
            final long micros = ALL_MEMORY.get(JAVA_INT_UNALIGNED, header + LibPcap.PKTHDR_TS_USEC_OFFSET);
            timestampMicros = seconds * 1_000_000L + micros;
            return PACKET;
        }
        if (result == 0)
        {
            return NO_PACKET;
        }
        if (result == LibPcap.PCAP_ERROR_BREAK)
        {
            return offline ? END_OF_FILE : NO_PACKET;
        }
        throw new PcapException("pcap_next_ex(" + source + "): " + LibPcap.geterr(handle), result);
    }

    /**
     * @return the native address of the current packet's first byte.
     */
    public long packetAddress()
    {
        return packetAddress;
    }

    /**
     * @return bytes of the current packet available at {@link #packetAddress()}.
     */
    public int capturedLength()
    {
        return capturedLength;
    }

    /**
     * @return the length of the current packet on the wire (more than captured when snapped).
     */
    public int wireLength()
    {
        return wireLength;
    }

    public long timestampMicros()
    {
        return timestampMicros;
    }

    /**
     * @return a copy of the current packet (allocates: for tests and tools, not the datapath).
     */
    public byte[] copyPacket()
    {
        return ALL_MEMORY.asSlice(packetAddress, capturedLength).toArray(JAVA_BYTE);
    }

    /**
     * A native buffer of {@link #MAX_TRANSMIT_LENGTH} bytes owned by this handle: write a frame at
     * its start and send it with {@link #inject(int)}, without making a segment per frame.
     */
    public MemorySegment transmitBuffer()
    {
        if (transmitBuffer == null)
        {
            transmitBuffer = arena.allocate(MAX_TRANSMIT_LENGTH, 64);
        }
        return transmitBuffer;
    }

    /**
     * Sends the first {@code length} bytes of {@link #transmitBuffer()} ({@code pcap_inject}).
     *
     * @return false when the device refused the frame now (e.g. the socket buffer is full); the
     * caller counts the drop, and {@link #lastError()} has libpcap's text.
     */
    public boolean inject(final int length)
    {
        final MemorySegment buffer = transmitBuffer();
        if (length < 0 || length > MAX_TRANSMIT_LENGTH)
        {
            throw new IllegalArgumentException("frame length out of range: " + length);
        }
        return inject(buffer, length);
    }

    /**
     * Sends the first {@code length} bytes of a native segment ({@code pcap_inject}).
     *
     * @return false when the device refused the frame; {@link #lastError()} has libpcap's text.
     */
    public boolean inject(final MemorySegment frame, final int length)
    {
        try
        {
            return (int)LibPcap.pcap_inject.invokeExact(handle, frame, (long)length) >= 0;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return libpcap's text for the last failure on this handle ({@code pcap_geterr}).
     */
    public String lastError()
    {
        return LibPcap.geterr(handle);
    }

    /**
     * Compiles a tcpdump-syntax expression and installs it ({@code pcap_compile}, {@code pcap_setfilter}).
     *
     * @throws PcapException with libpcap's text, e.g. "syntax error".
     */
    public void setFilter(final String expression)
    {
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment program = temp.allocate(LibPcap.BPF_PROGRAM_SIZE, 8);
            final int compiled = (int)LibPcap.pcap_compile.invokeExact(
                handle, program, temp.allocateFrom(expression), 1, LibPcap.PCAP_NETMASK_UNKNOWN);
            if (compiled != 0)
            {
                throw new PcapException("pcap_compile(" + source + ", \"" + expression + "\"): " +
                    LibPcap.geterr(handle), compiled);
            }
            try
            {
                final int set = (int)LibPcap.pcap_setfilter.invokeExact(handle, program);
                if (set != 0)
                {
                    throw new PcapException("pcap_setfilter(" + source + ", \"" + expression + "\"): " +
                        LibPcap.geterr(handle), set);
                }
            }
            finally
            {
                LibPcap.pcap_freecode.invokeExact(program);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public void setNonBlocking(final boolean nonBlocking)
    {
        try
        {
            final int status = (int)LibPcap.pcap_setnonblock.invokeExact(handle, nonBlocking ? 1 : 0, errbuf);
            if (status < 0)
            {
                throw new PcapException("pcap_setnonblock(" + source + "): " + errbuf.getString(0), status);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Captures only the frames arriving on the device, only those leaving it, or both.
     * <p>
     * libpcap drops unwanted directions only after reading them, so on Linux {@link LibPcap#PCAP_D_IN}
     * also sets PACKET_IGNORE_OUTGOING on the capture socket (kernel 4.20 and later): the kernel then
     * never queues frames sent on the device, by this process's other handles or by the host, into
     * this handle's ring. (A kernel BPF {@code inbound} filter would do the same, but libpcap re-runs
     * a new filter in user space over the frames already in the ring, where that test cannot be
     * evaluated, and loses them.)
     *
     * @param direction {@link LibPcap#PCAP_D_IN}, {@link LibPcap#PCAP_D_OUT} or {@link LibPcap#PCAP_D_INOUT}.
     */
    public void setDirection(final int direction)
    {
        try
        {
            final int status = (int)LibPcap.pcap_setdirection.invokeExact(handle, direction);
            if (status != 0)
            {
                throw new PcapException("pcap_setdirection(" + source + "): " + LibPcap.geterr(handle), status);
            }
            if (direction == LibPcap.PCAP_D_IN && OperatingSystem.current() == OperatingSystem.LINUX)
            {
                ignoreOutgoing((int)LibPcap.pcap_get_selectable_fd.invokeExact(handle));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Fills {@code into} from {@code pcap_stats}; allocates nothing.
     *
     * @return {@code into}.
     */
    public PcapStats stats(final PcapStats into)
    {
        try
        {
            final int status = (int)LibPcap.pcap_stats.invokeExact(handle, statsOut);
            if (status != 0)
            {
                throw new PcapException("pcap_stats(" + source + "): " + LibPcap.geterr(handle), status);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        into.received = statsOut.get(JAVA_INT, LibPcap.PCAP_STAT_RECV_OFFSET) & 0xFFFF_FFFFL;
        into.dropped = statsOut.get(JAVA_INT, LibPcap.PCAP_STAT_DROP_OFFSET) & 0xFFFF_FFFFL;
        into.interfaceDropped = statsOut.get(JAVA_INT, LibPcap.PCAP_STAT_IFDROP_OFFSET) & 0xFFFF_FFFFL;
        return into;
    }

    /**
     * @return the link type, a DLT_ value such as {@link LibPcap#DLT_EN10MB}.
     */
    public int linkType()
    {
        try
        {
            return (int)LibPcap.pcap_datalink.invokeExact(handle);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return libpcap's name of a link type, e.g. "EN10MB".
     */
    public static String linkTypeName(final int linkType)
    {
        LibPcap.LIBRARY.ensureAvailable();
        try
        {
            final String name = NativeLibrary.cString((MemorySegment)LibPcap.pcap_datalink_val_to_name.invokeExact(linkType));
            return name == null ? "DLT " + linkType : name;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public int snapLength()
    {
        try
        {
            return (int)LibPcap.pcap_snapshot.invokeExact(handle);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Opens a capture file for writing with this handle's link type and snap length.
     */
    public PcapDumper openDumper(final Path file)
    {
        return PcapDumper.open(this, file);
    }

    /**
     * @return the device or file this handle reads.
     */
    public String source()
    {
        return source;
    }

    /**
     * @return libpcap's warning from activation (e.g. promiscuous mode not supported), or null.
     */
    public String activationWarning()
    {
        return activationWarning;
    }

    MemorySegment handle()
    {
        return handle;
    }

    /**
     * Closes the handle; the threads using it must have stopped.
     */
    @Override
    public void close()
    {
        if (handle == null)
        {
            return;
        }
        try
        {
            LibPcap.pcap_close.invokeExact(handle);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        finally
        {
            handle = null;
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return "Pcap{" + source + '}';
    }

    private static void ensureInitialised()
    {
        LibPcap.LIBRARY.ensureAvailable();
        synchronized (INIT_LOCK)
        {
            if (!initialised && LibPcap.LIBRARY.hasSymbol("pcap_init"))
            {
                try (Arena temp = Arena.ofConfined())
                {
                    final MemorySegment errbuf = temp.allocate(LibPcap.PCAP_ERRBUF_SIZE);
                    final int status = (int)LibPcap.pcap_init.invokeExact(LibPcap.PCAP_CHAR_ENC_UTF_8, errbuf);
                    if (status != 0)
                    {
                        throw new PcapException("pcap_init: " + errbuf.getString(0), status);
                    }
                }
                catch (final Throwable t)
                {
                    throw NativeLibrary.propagate(t);
                }
            }
            initialised = true;
        }
    }

    private void ignoreOutgoing(final int fd) throws Throwable
    {
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.allocateCallState(temp);
            final int status = (int)LibC.setsockopt.invokeExact(callState, fd, LibC.SOL_PACKET, Tpacket.PACKET_IGNORE_OUTGOING,
                temp.allocateFrom(JAVA_INT, 1), Integer.BYTES);
            // Older kernels lack the option: libpcap's own check in user space still applies.
            if (status != 0 && LibC.errno(callState) != LibC.ENOPROTOOPT)
            {
                throw new LinuxException("setsockopt(PACKET_IGNORE_OUTGOING, " + source + ")", LibC.errno(callState));
            }
        }
    }

    private static void checkSetting(final MemorySegment handle, final String device, final String call, final int status)
        throws Throwable
    {
        if (status != 0)
        {
            LibPcap.pcap_close.invokeExact(handle);
            throw new PcapException(call + "(" + device + "): " + LibPcap.statusToString(status), status);
        }
    }

    private static PcapDevice device(final long entry) throws UnknownHostException
    {
        final String name = NativeLibrary.cString(ALL_MEMORY.get(JAVA_LONG, entry + LibPcap.PCAP_IF_NAME_OFFSET));
        final String description = NativeLibrary.cString(ALL_MEMORY.get(JAVA_LONG, entry + LibPcap.PCAP_IF_DESCRIPTION_OFFSET));
        final int flags = ALL_MEMORY.get(JAVA_INT, entry + LibPcap.PCAP_IF_FLAGS_OFFSET);
        final List<InetAddress> addresses = new ArrayList<>();
        long mac = 0;
        for (long address = ALL_MEMORY.get(JAVA_LONG, entry + LibPcap.PCAP_IF_ADDRESSES_OFFSET);
            address != 0;
            address = ALL_MEMORY.get(JAVA_LONG, address + LibPcap.PCAP_ADDR_NEXT_OFFSET))
        {
            final long sockaddr = ALL_MEMORY.get(JAVA_LONG, address + LibPcap.PCAP_ADDR_ADDR_OFFSET);
            if (sockaddr == 0)
            {
                continue;
            }
            final int family = SocketAddresses.family(sockaddr);
            if (family == SocketAddresses.AF_INET)
            {
                addresses.add(InetAddress.getByAddress(ALL_MEMORY.asSlice(sockaddr + 4, 4).toArray(JAVA_BYTE)));
            }
            else if (family == SocketAddresses.AF_INET6)
            {
                addresses.add(InetAddress.getByAddress(ALL_MEMORY.asSlice(sockaddr + 8, 16).toArray(JAVA_BYTE)));
            }
            else if (family == SocketAddresses.AF_PACKET &&
                (ALL_MEMORY.get(JAVA_BYTE, sockaddr + 11) & 0xFF) == 6)
            {
                mac = SocketAddresses.mac(sockaddr + 12);
            }
        }
        return new PcapDevice(name, description, flags, List.copyOf(addresses), mac);
    }

    /**
     * The {@code struct sockaddr} families that {@code pcap_findalldevs} reports, per platform.
     */
    private static final class SocketAddresses
    {
        static final int AF_INET = 2;
        static final int AF_INET6 = switch (OperatingSystem.current())
        {
            case WINDOWS -> 23;
            case MAC_OS -> 30;
            default -> 10;
        };
        /** Linux's link-layer address family (sockaddr_ll); -1 elsewhere so it never matches. */
        static final int AF_PACKET = OperatingSystem.current() == OperatingSystem.LINUX ? 17 : -1;

        static int family(final long sockaddr)
        {
            // BSD-style sockaddrs start with a length byte, then a one-byte family.
            return OperatingSystem.current() == OperatingSystem.MAC_OS ?
                ALL_MEMORY.get(JAVA_BYTE, sockaddr + 1) & 0xFF :
                ALL_MEMORY.get(JAVA_SHORT_UNALIGNED, sockaddr) & 0xFFFF;
        }

        static long mac(final long address)
        {
            long mac = 0;
            for (int i = 0; i < 6; i++)
            {
                mac = (mac << 8) | (ALL_MEMORY.get(JAVA_BYTE, address + i) & 0xFF);
            }
            return mac;
        }
    }
}
