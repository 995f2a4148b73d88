package io.natgate.bindings.windivert;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The WinDivert 2.x user-mode API ({@code windivert.h}), one {@code static final MethodHandle} per
 * symbol. WinDivert diverts raw IP packets (no link header) on Windows. Calls that fail return
 * FALSE (or INVALID_HANDLE_VALUE) and leave the reason in {@code GetLastError()}, captured
 * through the first, call-state parameter of each handle. Anywhere but Windows the library is
 * reported unavailable with a message saying so. Use it through {@link WinDivertHandle}.
 */
public final class WinDivert
{
    public static final int WINDIVERT_LAYER_NETWORK = 0;
    public static final int WINDIVERT_LAYER_NETWORK_FORWARD = 1;
    public static final int WINDIVERT_LAYER_FLOW = 2;
    public static final int WINDIVERT_LAYER_SOCKET = 3;
    public static final int WINDIVERT_LAYER_REFLECT = 4;

    public static final long WINDIVERT_FLAG_SNIFF = 0x0001;
    public static final long WINDIVERT_FLAG_DROP = 0x0002;
    public static final long WINDIVERT_FLAG_RECV_ONLY = 0x0004;
    public static final long WINDIVERT_FLAG_SEND_ONLY = 0x0008;
    public static final long WINDIVERT_FLAG_NO_INSTALL = 0x0010;

    public static final int WINDIVERT_PARAM_QUEUE_LENGTH = 0;
    public static final int WINDIVERT_PARAM_QUEUE_TIME = 1;
    public static final int WINDIVERT_PARAM_QUEUE_SIZE = 2;
    public static final int WINDIVERT_PARAM_VERSION_MAJOR = 3;
    public static final int WINDIVERT_PARAM_VERSION_MINOR = 4;

    public static final int WINDIVERT_SHUTDOWN_RECV = 0x1;
    public static final int WINDIVERT_SHUTDOWN_SEND = 0x2;
    public static final int WINDIVERT_SHUTDOWN_BOTH = 0x3;

    public static final int WINDIVERT_PRIORITY_HIGHEST = 30000;
    public static final int WINDIVERT_PRIORITY_LOWEST = -30000;
    public static final int WINDIVERT_BATCH_MAX = 0xFF;
    public static final int WINDIVERT_MTU_MAX = 40 + 0xFFFF;

    public static final long WINDIVERT_HELPER_NO_IP_CHECKSUM = 1;
    public static final long WINDIVERT_HELPER_NO_ICMP_CHECKSUM = 2;
    public static final long WINDIVERT_HELPER_NO_ICMPV6_CHECKSUM = 4;
    public static final long WINDIVERT_HELPER_NO_TCP_CHECKSUM = 8;
    public static final long WINDIVERT_HELPER_NO_UDP_CHECKSUM = 16;

    /** HANDLE value WinDivertOpen returns on failure. */
    public static final long INVALID_HANDLE_VALUE = -1L;

    /**
     * {@code WINDIVERT_ADDRESS}: 80 bytes. After the timestamp, one 32-bit word of bit fields
     * (allocated from the least significant bit, as MSVC does): Layer:8, Event:8, Sniffed:1,
     * Outbound:1, Loopback:1, Impostor:1, IPv6:1, IPChecksum:1, TCPChecksum:1, UDPChecksum:1,
     * Reserved1:8; then Reserved2, then a 64-byte union whose NETWORK member is IfIdx, SubIfIdx.
     * {@link WinDivertAddress} reads and writes it.
     */
    public static final StructLayout WINDIVERT_ADDRESS = MemoryLayout.structLayout(
        JAVA_LONG.withName("Timestamp"),
        JAVA_INT.withName("Bits"),
        JAVA_INT.withName("Reserved2"),
        MemoryLayout.unionLayout(
            MemoryLayout.structLayout(JAVA_INT.withName("IfIdx"), JAVA_INT.withName("SubIfIdx")).withName("Network"),
            MemoryLayout.sequenceLayout(64, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("Reserved3"))
            .withName("Data"));

    public static final NativeLibrary LIBRARY = OperatingSystem.current() == OperatingSystem.WINDOWS ?
        NativeLibrary.load("WinDivert", "install WinDivert 2.x: put WinDivert.dll and WinDivert64.sys from " +
            "https://reqrypt.org/windivert.html next to the application or on PATH, and run as Administrator",
            List.of("WinDivert.dll")) :
        NativeLibrary.unavailable("WinDivert", "WinDivert is Windows-only and this is " + System.getProperty("os.name") +
            ": use the AF_PACKET or pcap backend here");

    /** Captures GetLastError on Windows; elsewhere errno, only so the stand-in handles have the same shape. */
    static final Linker.Option LAST_ERROR = Linker.Option.captureCallState(
        OperatingSystem.current() == OperatingSystem.WINDOWS ? "GetLastError" : "errno");

    /** {@code HANDLE WinDivertOpen(const char *filter, WINDIVERT_LAYER layer, INT16 priority, UINT64 flags)}. */
    public static final MethodHandle WinDivertOpen = LIBRARY.downcall("WinDivertOpen",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_SHORT, JAVA_LONG), LAST_ERROR);
    /**
     * {@code BOOL WinDivertRecvEx(HANDLE handle, VOID *pPacket, UINT packetLen, UINT *pRecvLen, UINT64 flags,
     * WINDIVERT_ADDRESS *pAddr, UINT *pAddrLen, LPOVERLAPPED lpOverlapped)}.
     */
    public static final MethodHandle WinDivertRecvEx = LIBRARY.downcall("WinDivertRecvEx",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS),
        LAST_ERROR);
    /**
     * {@code BOOL WinDivertSendEx(HANDLE handle, const VOID *pPacket, UINT packetLen, UINT *pSendLen, UINT64 flags,
     * const WINDIVERT_ADDRESS *pAddr, UINT addrLen, LPOVERLAPPED lpOverlapped)}.
     */
    public static final MethodHandle WinDivertSendEx = LIBRARY.downcall("WinDivertSendEx",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS),
        LAST_ERROR);
    /** {@code BOOL WinDivertShutdown(HANDLE handle, WINDIVERT_SHUTDOWN how)}. */
    public static final MethodHandle WinDivertShutdown = LIBRARY.downcall("WinDivertShutdown",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), LAST_ERROR);
    /** {@code BOOL WinDivertClose(HANDLE handle)}. */
    public static final MethodHandle WinDivertClose = LIBRARY.downcall("WinDivertClose",
        FunctionDescriptor.of(JAVA_INT, ADDRESS), LAST_ERROR);
    /** {@code BOOL WinDivertSetParam(HANDLE handle, WINDIVERT_PARAM param, UINT64 value)}. */
    public static final MethodHandle WinDivertSetParam = LIBRARY.downcall("WinDivertSetParam",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), LAST_ERROR);
    /** {@code BOOL WinDivertGetParam(HANDLE handle, WINDIVERT_PARAM param, UINT64 *pValue)}. */
    public static final MethodHandle WinDivertGetParam = LIBRARY.downcall("WinDivertGetParam",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), LAST_ERROR);
    /** {@code BOOL WinDivertHelperCalcChecksums(VOID *pPacket, UINT packetLen, WINDIVERT_ADDRESS *pAddr, UINT64 flags)}. */
    public static final MethodHandle WinDivertHelperCalcChecksums = LIBRARY.downcall("WinDivertHelperCalcChecksums",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));

    private static final long LAST_ERROR_OFFSET = Linker.Option.captureStateLayout().byteOffset(
        MemoryLayout.PathElement.groupElement(OperatingSystem.current() == OperatingSystem.WINDOWS ? "GetLastError" : "errno"));

    private WinDivert()
    {
    }

    /**
     * @return the error code the last call made with {@code callState} left.
     */
    public static int lastError(final MemorySegment callState)
    {
        return callState.get(JAVA_INT, LAST_ERROR_OFFSET);
    }

    /**
     * @return a call-state segment for the handles of this class and {@link Kernel32}.
     */
    public static MemorySegment allocateCallState(final java.lang.foreign.Arena arena)
    {
        return arena.allocate(Linker.Option.captureStateLayout());
    }
}
