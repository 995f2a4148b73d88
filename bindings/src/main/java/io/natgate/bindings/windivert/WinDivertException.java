package io.natgate.bindings.windivert;

/**
 * A WinDivert call failed. The message has the call, Windows' text for {@code GetLastError()},
 * the code, and what the WinDivert documentation says the code means for that library.
 */
public final class WinDivertException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_INSUFFICIENT_BUFFER = 122;
    public static final int ERROR_NO_DATA = 232;
    public static final int ERROR_INVALID_IMAGE_HASH = 577;
    public static final int ERROR_DRIVER_FAILED_PRIOR_UNLOAD = 654;
    public static final int ERROR_SERVICE_DOES_NOT_EXIST = 1060;
    public static final int ERROR_DRIVER_BLOCKED = 1275;
    public static final int ERROR_HOST_UNREACHABLE = 1232;
    public static final int EPT_S_NOT_REGISTERED = 1753;

    private final int errorCode;

    public WinDivertException(final String call, final int errorCode)
    {
        super(message(call, errorCode));
        this.errorCode = errorCode;
    }

    public int errorCode()
    {
        return errorCode;
    }

    static String message(final String call, final int errorCode)
    {
        final String system = Kernel32.systemMessage(errorCode);
        final String hint = hint(errorCode);
        return call + ": " + system + (system.endsWith(" " + errorCode) ? "" : " (error " + errorCode + ")") +
            (hint == null ? "" : ": " + hint);
    }

    /**
     * @return what a GetLastError code means for WinDivert, or null when it has no special meaning.
     */
    public static String hint(final int errorCode)
    {
        return switch (errorCode)
        {
            case ERROR_FILE_NOT_FOUND -> "the driver file WinDivert64.sys was not found next to WinDivert.dll";
            case ERROR_ACCESS_DENIED -> "WinDivert needs Administrator rights";
            case ERROR_INVALID_PARAMETER -> "the filter string, layer, priority or flags are invalid";
            case ERROR_INSUFFICIENT_BUFFER -> "a packet was larger than the receive buffer";
            case ERROR_NO_DATA -> "the handle was shut down and its queue is empty";
            case ERROR_INVALID_IMAGE_HASH -> "Windows refused the driver's signature";
            case ERROR_DRIVER_FAILED_PRIOR_UNLOAD -> "a different WinDivert driver version is still loaded; reboot " +
                "or stop the other application";
            case ERROR_SERVICE_DOES_NOT_EXIST -> "the WinDivert driver is being uninstalled";
            case ERROR_DRIVER_BLOCKED -> "the driver was blocked by security software or the virtual machine";
            case ERROR_HOST_UNREACHABLE -> "an impostor packet's TTL reached zero (a routing loop)";
            case EPT_S_NOT_REGISTERED -> "the Base Filtering Engine service is disabled";
            default -> null;
        };
    }
}
