package io.natgate.bindings.afxdp;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The AF_XDP part of libxdp ({@code xdp/xsk.h}) and the kernel's {@code linux/if_xdp.h} constants,
 * one {@code static final MethodHandle} per symbol, in the shape jextract generates. libxdp makes
 * the UMEM and the sockets and loads its default XDP program (shipped by Debian's {@code libxdp1}
 * as {@code xsk_def_xdp_prog.o}) that redirects a queue to its socket. The ring helpers of
 * {@code xsk.h} are static inline in C, so {@link XskRing} does their work in Java. Functions
 * return {@code -errno} on failure; {@link #strerror(int)} gives libxdp's text for it.
 */
public final class LibXdp
{
    /** {@code SOL_XDP}, the socket option level of AF_XDP. */
    public static final int SOL_XDP = 283;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;
    /** {@code struct xdp_options} flag: the socket is bound in zero-copy mode. */
    public static final int XDP_OPTIONS_ZEROCOPY = 1;

    /** Bind flags ({@code sxdp_flags}). */
    public static final short XDP_SHARED_UMEM = 1;
    public static final short XDP_COPY = 1 << 1;
    public static final short XDP_ZEROCOPY = 1 << 2;
    public static final short XDP_USE_NEED_WAKEUP = 1 << 3;

    /** {@code XDP_RING_NEED_WAKEUP} in a ring's flags word. */
    public static final int XDP_RING_NEED_WAKEUP = 1;

    /** XDP attach flags ({@code linux/if_link.h}). */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    /** The kernel keeps this much headroom before a received frame in each UMEM chunk. */
    public static final int XDP_PACKET_HEADROOM = 256;

    /*
     * struct xsk_ring_prod / xsk_ring_cons (the same layout): __u32 cached_prod, cached_cons, mask,
     * size; __u32 *producer, *consumer; void *ring; __u32 *flags.
     */
    public static final int RING_CACHED_PROD_OFFSET = 0;
    public static final int RING_CACHED_CONS_OFFSET = 4;
    public static final int RING_MASK_OFFSET = 8;
    public static final int RING_SIZE_OFFSET = 12;
    public static final int RING_PRODUCER_OFFSET = 16;
    public static final int RING_CONSUMER_OFFSET = 24;
    public static final int RING_DESCS_OFFSET = 32;
    public static final int RING_FLAGS_OFFSET = 40;
    public static final int RING_STRUCT_SIZE = 48;

    /* struct xsk_umem_config: __u32 fill_size, comp_size, frame_size, frame_headroom, flags. */
    public static final int UMEM_CONFIG_SIZE = 20;

    /* struct xsk_socket_config: __u32 rx_size, tx_size, libxdp_flags, xdp_flags; __u16 bind_flags. */
    public static final int SOCKET_CONFIG_RX_SIZE_OFFSET = 0;
    public static final int SOCKET_CONFIG_TX_SIZE_OFFSET = 4;
    public static final int SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET = 8;
    public static final int SOCKET_CONFIG_XDP_FLAGS_OFFSET = 12;
    public static final int SOCKET_CONFIG_BIND_FLAGS_OFFSET = 16;
    public static final int SOCKET_CONFIG_SIZE = 20;

    /* struct xdp_desc: __u64 addr; __u32 len; __u32 options. */
    public static final int DESC_ADDR_OFFSET = 0;
    public static final int DESC_LEN_OFFSET = 8;
    public static final int DESC_OPTIONS_OFFSET = 12;
    public static final int DESC_SIZE = 16;

    /*
     * struct xdp_statistics: __u64 rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full,
     * rx_fill_ring_empty_descs, tx_ring_empty_descs.
     */
    public static final int STATISTICS_SIZE = 48;

    public static final String INSTALL_HINT =
        "install libxdp and libbpf (Debian/Ubuntu: apt-get install libxdp1 libbpf1)";

    public static final NativeLibrary LIBRARY = OperatingSystem.current() == OperatingSystem.LINUX ?
        NativeLibrary.load("libxdp", INSTALL_HINT, List.of("libxdp.so.1", "libxdp.so")) :
        NativeLibrary.unavailable("libxdp", "AF_XDP is Linux-only; this is " + System.getProperty("os.name") +
            ": use the pcap backend (Npcap on Windows) instead");

    /**
     * {@code int xsk_umem__create(struct xsk_umem **umem, void *umem_area, __u64 size,
     * struct xsk_ring_prod *fill, struct xsk_ring_cons *comp, const struct xsk_umem_config *config)}.
     */
    public static final MethodHandle xsk_umem__create = LIBRARY.downcall("xsk_umem__create",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
    /**
     * {@code int xsk_socket__create_shared(struct xsk_socket **xsk, const char *ifname, __u32 queue_id,
     * struct xsk_umem *umem, struct xsk_ring_cons *rx, struct xsk_ring_prod *tx, struct xsk_ring_prod *fill,
     * struct xsk_ring_cons *comp, const struct xsk_socket_config *config)}: one socket per (interface,
     * queue), each with its own fill and completion rings, all over one UMEM.
     */
    public static final MethodHandle xsk_socket__create_shared = LIBRARY.downcall("xsk_socket__create_shared",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS));
    /** {@code void xsk_socket__delete(struct xsk_socket *xsk)}: also detaches the program with its last socket. */
    public static final MethodHandle xsk_socket__delete = LIBRARY.downcall("xsk_socket__delete",
        FunctionDescriptor.ofVoid(ADDRESS));
    /** {@code int xsk_umem__delete(struct xsk_umem *umem)}: -EBUSY while a socket still uses it. */
    public static final MethodHandle xsk_umem__delete = LIBRARY.downcall("xsk_umem__delete",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code int xsk_socket__fd(const struct xsk_socket *xsk)}. */
    public static final MethodHandle xsk_socket__fd = LIBRARY.downcall("xsk_socket__fd",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code int libxdp_strerror(int err, char *buf, size_t size)}. */
    public static final MethodHandle libxdp_strerror = LIBRARY.downcall("libxdp_strerror",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));

    private LibXdp()
    {
    }

    /**
     * @return libxdp's text for a negative return value: its own codes, else the system's.
     */
    public static String strerror(final int error)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(256);
            final int ignored = (int)libxdp_strerror.invokeExact(error, buffer, 256L);
            return buffer.getString(0);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
