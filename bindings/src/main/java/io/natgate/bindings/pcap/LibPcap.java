package io.natgate.bindings.pcap;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libpcap / Npcap C API ({@code pcap/pcap.h}), one {@code static final MethodHandle} per
 * symbol, in the shape jextract generates. Linux loads {@code libpcap.so.1} or Debian's
 * {@code libpcap.so.0.8}; Windows loads Npcap's {@code wpcap.dll} from {@code System32\Npcap}.
 * Use it through {@link Pcap} and {@link PcapDumper}, which own the pointers.
 */
public final class LibPcap
{
    public static final int PCAP_ERRBUF_SIZE = 256;

    public static final int PCAP_ERROR = -1;
    public static final int PCAP_ERROR_BREAK = -2;
    public static final int PCAP_ERROR_NOT_ACTIVATED = -3;
    public static final int PCAP_ERROR_ACTIVATED = -4;
    public static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    public static final int PCAP_ERROR_RFMON_NOTSUP = -6;
    public static final int PCAP_ERROR_NOT_RFMON = -7;
    public static final int PCAP_ERROR_PERM_DENIED = -8;
    public static final int PCAP_ERROR_IFACE_NOT_UP = -9;
    public static final int PCAP_ERROR_CANTSET_TSTAMP_TYPE = -10;
    public static final int PCAP_ERROR_PROMISC_PERM_DENIED = -11;
    public static final int PCAP_ERROR_TSTAMP_PRECISION_NOTSUP = -12;

    /** {@code pcap_init} option: file names and error texts are UTF-8 (matters on Windows). */
    public static final int PCAP_CHAR_ENC_UTF_8 = 1;

    public static final int PCAP_D_INOUT = 0;
    public static final int PCAP_D_IN = 1;
    public static final int PCAP_D_OUT = 2;

    public static final int PCAP_IF_LOOPBACK = 0x1;
    public static final int PCAP_IF_UP = 0x2;
    public static final int PCAP_IF_RUNNING = 0x4;

    /** {@code PCAP_NETMASK_UNKNOWN}, for {@code pcap_compile} on a device with no IPv4 address. */
    public static final int PCAP_NETMASK_UNKNOWN = 0xFFFF_FFFF;

    /** Link types (DLT_ values as libpcap reports them). */
    public static final int DLT_NULL = 0;
    public static final int DLT_EN10MB = 1;
    public static final int DLT_RAW = 12;
    public static final int DLT_LINUX_SLL = 113;
    /** LINKTYPE_RAW as written in files; libpcap maps it to {@link #DLT_RAW} when reading. */
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_IPV4 = 228;

    /*
     * struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }.
     * timeval is two C longs: 8 bytes each on LP64 (Linux, macOS, where tv_usec is an int in the
     * low half), 4 bytes each on Windows (LLP64). Only little-endian 64-bit targets are supported.
     */
    private static final boolean WINDOWS = OperatingSystem.current() == OperatingSystem.WINDOWS;
    public static final int PKTHDR_TS_SEC_OFFSET = 0;
    public static final int PKTHDR_TS_USEC_OFFSET = WINDOWS ? 4 : 8;
    public static final int PKTHDR_CAPLEN_OFFSET = WINDOWS ? 8 : 16;
    public static final int PKTHDR_LEN_OFFSET = WINDOWS ? 12 : 20;
    public static final int PKTHDR_SIZE = WINDOWS ? 16 : 24;
    public static final boolean PKTHDR_LONG_TIMEVAL = !WINDOWS;

    /* struct pcap_if { next; name; description; addresses; bpf_u_int32 flags; } */
    public static final int PCAP_IF_NEXT_OFFSET = 0;
    public static final int PCAP_IF_NAME_OFFSET = 8;
    public static final int PCAP_IF_DESCRIPTION_OFFSET = 16;
    public static final int PCAP_IF_ADDRESSES_OFFSET = 24;
    public static final int PCAP_IF_FLAGS_OFFSET = 32;

    /* struct pcap_addr { next; struct sockaddr *addr; *netmask; *broadaddr; *dstaddr; } */
    public static final int PCAP_ADDR_NEXT_OFFSET = 0;
    public static final int PCAP_ADDR_ADDR_OFFSET = 8;
    public static final int PCAP_ADDR_NETMASK_OFFSET = 16;

    /* struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } */
    public static final int BPF_PROGRAM_SIZE = 16;

    /* struct pcap_stat { u_int ps_recv, ps_drop, ps_ifdrop; (Windows adds three more u_ints) } */
    public static final int PCAP_STAT_SIZE = 24;
    public static final int PCAP_STAT_RECV_OFFSET = 0;
    public static final int PCAP_STAT_DROP_OFFSET = 4;
    public static final int PCAP_STAT_IFDROP_OFFSET = 8;

    public static final NativeLibrary LIBRARY = NativeLibrary.load("libpcap", installHint(), candidates());

    /** {@code int pcap_init(unsigned int opts, char *errbuf)} (libpcap 1.10+, optional). */
    public static final MethodHandle pcap_init = LIBRARY.downcall("pcap_init",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code const char *pcap_lib_version(void)}. */
    public static final MethodHandle pcap_lib_version = LIBRARY.downcall("pcap_lib_version",
        FunctionDescriptor.of(ADDRESS));
    /** {@code int pcap_findalldevs(pcap_if_t **alldevsp, char *errbuf)}. */
    public static final MethodHandle pcap_findalldevs = LIBRARY.downcall("pcap_findalldevs",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** {@code void pcap_freealldevs(pcap_if_t *alldevs)}. */
    public static final MethodHandle pcap_freealldevs = LIBRARY.downcall("pcap_freealldevs",
        FunctionDescriptor.ofVoid(ADDRESS));
    /** {@code pcap_t *pcap_create(const char *source, char *errbuf)}. */
    public static final MethodHandle pcap_create = LIBRARY.downcall("pcap_create",
        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** {@code int pcap_set_snaplen(pcap_t *p, int snaplen)}. */
    public static final MethodHandle pcap_set_snaplen = LIBRARY.downcall("pcap_set_snaplen",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_set_promisc(pcap_t *p, int promisc)}. */
    public static final MethodHandle pcap_set_promisc = LIBRARY.downcall("pcap_set_promisc",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_set_immediate_mode(pcap_t *p, int immediate_mode)}. */
    public static final MethodHandle pcap_set_immediate_mode = LIBRARY.downcall("pcap_set_immediate_mode",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_set_buffer_size(pcap_t *p, int buffer_size)}. */
    public static final MethodHandle pcap_set_buffer_size = LIBRARY.downcall("pcap_set_buffer_size",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_set_timeout(pcap_t *p, int to_ms)}. */
    public static final MethodHandle pcap_set_timeout = LIBRARY.downcall("pcap_set_timeout",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_activate(pcap_t *p)}: 0, a warning (&gt; 0) or an error (&lt; 0). */
    public static final MethodHandle pcap_activate = LIBRARY.downcall("pcap_activate",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf)}. */
    public static final MethodHandle pcap_setnonblock = LIBRARY.downcall("pcap_setnonblock",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    /** {@code int pcap_setdirection(pcap_t *p, pcap_direction_t d)}. */
    public static final MethodHandle pcap_setdirection = LIBRARY.downcall("pcap_setdirection",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int pcap_get_selectable_fd(pcap_t *p)} (not on Windows). */
    public static final MethodHandle pcap_get_selectable_fd = LIBRARY.downcall("pcap_get_selectable_fd",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code pcap_t *pcap_open_offline(const char *fname, char *errbuf)}. */
    public static final MethodHandle pcap_open_offline = LIBRARY.downcall("pcap_open_offline",
        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** {@code pcap_t *pcap_open_dead(int linktype, int snaplen)}. */
    public static final MethodHandle pcap_open_dead = LIBRARY.downcall("pcap_open_dead",
        FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
    /** {@code void pcap_close(pcap_t *p)}. */
    public static final MethodHandle pcap_close = LIBRARY.downcall("pcap_close",
        FunctionDescriptor.ofVoid(ADDRESS));
    /**
     * {@code int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data)}:
     * 1 packet, 0 none yet (timeout or non-blocking), {@link #PCAP_ERROR}, {@link #PCAP_ERROR_BREAK} at end of file.
     */
    public static final MethodHandle pcap_next_ex = LIBRARY.downcall("pcap_next_ex",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    /** {@code int pcap_inject(pcap_t *p, const void *buf, size_t size)}: bytes written or {@link #PCAP_ERROR}. */
    public static final MethodHandle pcap_inject = LIBRARY.downcall("pcap_inject",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    /** {@code int pcap_sendpacket(pcap_t *p, const u_char *buf, int size)}: 0 or {@link #PCAP_ERROR}. */
    public static final MethodHandle pcap_sendpacket = LIBRARY.downcall("pcap_sendpacket",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    /** {@code int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask)}. */
    public static final MethodHandle pcap_compile = LIBRARY.downcall("pcap_compile",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    /** {@code int pcap_setfilter(pcap_t *p, struct bpf_program *fp)}. */
    public static final MethodHandle pcap_setfilter = LIBRARY.downcall("pcap_setfilter",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** {@code void pcap_freecode(struct bpf_program *fp)}. */
    public static final MethodHandle pcap_freecode = LIBRARY.downcall("pcap_freecode",
        FunctionDescriptor.ofVoid(ADDRESS));
    /** {@code int pcap_stats(pcap_t *p, struct pcap_stat *ps)}. */
    public static final MethodHandle pcap_stats = LIBRARY.downcall("pcap_stats",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** {@code int pcap_datalink(pcap_t *p)}. */
    public static final MethodHandle pcap_datalink = LIBRARY.downcall("pcap_datalink",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code int pcap_snapshot(pcap_t *p)}. */
    public static final MethodHandle pcap_snapshot = LIBRARY.downcall("pcap_snapshot",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code char *pcap_geterr(pcap_t *p)}. */
    public static final MethodHandle pcap_geterr = LIBRARY.downcall("pcap_geterr",
        FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** {@code const char *pcap_statustostr(int error)}. */
    public static final MethodHandle pcap_statustostr = LIBRARY.downcall("pcap_statustostr",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@code const char *pcap_datalink_val_to_name(int dlt)}. */
    public static final MethodHandle pcap_datalink_val_to_name = LIBRARY.downcall("pcap_datalink_val_to_name",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@code pcap_dumper_t *pcap_dump_open(pcap_t *p, const char *fname)}. */
    public static final MethodHandle pcap_dump_open = LIBRARY.downcall("pcap_dump_open",
        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** {@code void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *sp)}; user is the dumper. */
    public static final MethodHandle pcap_dump = LIBRARY.downcall("pcap_dump",
        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
    /** {@code int pcap_dump_flush(pcap_dumper_t *p)}. */
    public static final MethodHandle pcap_dump_flush = LIBRARY.downcall("pcap_dump_flush",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code void pcap_dump_close(pcap_dumper_t *p)}. */
    public static final MethodHandle pcap_dump_close = LIBRARY.downcall("pcap_dump_close",
        FunctionDescriptor.ofVoid(ADDRESS));

    private LibPcap()
    {
    }

    /**
     * @return libpcap's text for a status code, e.g. "No such device exists".
     */
    public static String statusToString(final int status)
    {
        try
        {
            return NativeLibrary.cString((MemorySegment)pcap_statustostr.invokeExact(status));
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return the text in {@code pcap_geterr(p)}.
     */
    public static String geterr(final MemorySegment pcap)
    {
        try
        {
            return NativeLibrary.cString((MemorySegment)pcap_geterr.invokeExact(pcap));
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    private static List<String> candidates()
    {
        return switch (OperatingSystem.current())
        {
            case WINDOWS ->
            {
                final String systemRoot = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
                yield List.of(Path.of(systemRoot, "System32", "Npcap", "wpcap.dll").toString(), "wpcap.dll");
            }
            case MAC_OS -> List.of("libpcap.A.dylib", "/usr/lib/libpcap.A.dylib", "libpcap.dylib");
            default -> List.of("libpcap.so.1", "libpcap.so.0.8", "libpcap.so");
        };
    }

    private static String installHint()
    {
        return switch (OperatingSystem.current())
        {
            case WINDOWS -> "install Npcap from https://npcap.com (wpcap.dll goes to System32\\Npcap)";
            case MAC_OS -> "libpcap ships with macOS; check that /usr/lib/libpcap.A.dylib is present";
            default -> "install libpcap (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf install libpcap; " +
                "Alpine: apk add libpcap)";
        };
    }
}
