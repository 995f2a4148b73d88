package io.natgate.bindings.afxdp;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The few libbpf calls the AF_XDP backend makes itself ({@code bpf/libbpf.h}): asking which XDP
 * program an interface runs and detaching one that a killed process left behind. libxdp links
 * libbpf, so it is there whenever libxdp is. Functions return {@code -errno} on failure.
 */
public final class LibBpf
{
    public static final NativeLibrary LIBRARY = OperatingSystem.current() == OperatingSystem.LINUX ?
        NativeLibrary.load("libbpf", LibXdp.INSTALL_HINT, List.of("libbpf.so.1", "libbpf.so")) :
        NativeLibrary.unavailable("libbpf", "AF_XDP is Linux-only; this is " + System.getProperty("os.name"));

    /** {@code int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id)}: 0 in prog_id when none. */
    public static final MethodHandle bpf_xdp_query_id = LIBRARY.downcall("bpf_xdp_query_id",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts)}. */
    public static final MethodHandle bpf_xdp_detach = LIBRARY.downcall("bpf_xdp_detach",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    /**
     * {@code libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)}: NULL silences libbpf's own
     * stderr chatter (it warns about every ELF section of libxdp's program that it does not know);
     * failures still reach the caller as return values.
     */
    public static final MethodHandle libbpf_set_print = LIBRARY.downcall("libbpf_set_print",
        FunctionDescriptor.of(ADDRESS, ADDRESS));

    private LibBpf()
    {
    }

    /**
     * Silences libbpf's messages once per process (see {@link #libbpf_set_print}).
     */
    public static void silence()
    {
        if (LIBRARY.isAvailable())
        {
            try
            {
                final MemorySegment ignored = (MemorySegment)libbpf_set_print.invokeExact(MemorySegment.NULL);
            }
            catch (final Throwable t)
            {
                throw NativeLibrary.propagate(t);
            }
        }
    }
}
