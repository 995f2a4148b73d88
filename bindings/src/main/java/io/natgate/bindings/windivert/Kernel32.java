package io.natgate.bindings.windivert;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.OperatingSystem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The few Windows {@code kernel32.dll} calls WinDivert needs: overlapped I/O completion (so that
 * receiving never blocks) and the system's text for an error code.
 */
public final class Kernel32
{
    public static final int ERROR_IO_INCOMPLETE = 996;
    public static final int ERROR_IO_PENDING = 997;
    public static final int ERROR_OPERATION_ABORTED = 995;

    /** NTSTATUS in OVERLAPPED.Internal while the I/O is in progress. */
    public static final long STATUS_PENDING = 0x103;

    /** OVERLAPPED on 64-bit Windows: Internal, InternalHigh, Offset/OffsetHigh (or Pointer), hEvent. */
    public static final int OVERLAPPED_SIZE = 32;

    private static final int FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
    private static final int FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
    private static final int MESSAGE_CHARS = 512;

    public static final NativeLibrary LIBRARY = OperatingSystem.current() == OperatingSystem.WINDOWS ?
        NativeLibrary.load("kernel32", "kernel32.dll is part of Windows", List.of("kernel32.dll")) :
        NativeLibrary.unavailable("kernel32", "kernel32 is Windows-only");

    /** {@code BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD lpNumberOfBytesTransferred, BOOL bWait)}. */
    public static final MethodHandle GetOverlappedResult = LIBRARY.downcall("GetOverlappedResult",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), WinDivert.LAST_ERROR);
    /** {@code BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)}. */
    public static final MethodHandle CancelIoEx = LIBRARY.downcall("CancelIoEx",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), WinDivert.LAST_ERROR);
    /**
     * {@code DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
     * LPWSTR lpBuffer, DWORD nSize, va_list *Arguments)}.
     */
    public static final MethodHandle FormatMessageW = LIBRARY.downcall("FormatMessageW",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));

    private Kernel32()
    {
    }

    /**
     * @return Windows' text for an error code, or "Windows error N" where that is not available.
     */
    public static String systemMessage(final int errorCode)
    {
        if (!LIBRARY.isAvailable())
        {
            return "Windows error " + errorCode;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(MESSAGE_CHARS * 2L);
            final int chars = (int)FormatMessageW.invokeExact(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                MemorySegment.NULL, errorCode, 0, buffer, MESSAGE_CHARS, MemorySegment.NULL);
            if (chars == 0)
            {
                return "Windows error " + errorCode;
            }
            return buffer.getString(0, StandardCharsets.UTF_16LE).strip();
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
