package io.natgate.bindings.linux;

/**
 * A Linux system call failed. The message names the call and what it was about, then gives
 * {@code strerror(errno)} and the errno's symbolic name, e.g.
 * {@code socket(AF_PACKET, SOCK_RAW): Operation not permitted (EPERM)}.
 */
public final class LinuxException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    public LinuxException(final String call, final int errno)
    {
        this(call, errno, null);
    }

    /**
     * @param hint appended after the system's text when it helps the operator, or null.
     */
    public LinuxException(final String call, final int errno, final String hint)
    {
        super(call + ": " + LibC.strerror(errno) + " (" + errnoName(errno) + ")" + (hint == null ? "" : ": " + hint));
        this.errno = errno;
    }

    public int errno()
    {
        return errno;
    }

    /**
     * @return the symbolic name of the errno values these bindings meet, else "errno N".
     */
    public static String errnoName(final int errno)
    {
        return switch (errno)
        {
            case LibC.EPERM -> "EPERM";
            case LibC.ENOENT -> "ENOENT";
            case LibC.EINTR -> "EINTR";
            case LibC.ENXIO -> "ENXIO";
            case LibC.EAGAIN -> "EAGAIN";
            case LibC.ENOMEM -> "ENOMEM";
            case LibC.EACCES -> "EACCES";
            case LibC.EBUSY -> "EBUSY";
            case LibC.ENODEV -> "ENODEV";
            case LibC.EINVAL -> "EINVAL";
            case LibC.EMSGSIZE -> "EMSGSIZE";
            case LibC.ENOPROTOOPT -> "ENOPROTOOPT";
            case LibC.EOPNOTSUPP -> "EOPNOTSUPP";
            case LibC.EAFNOSUPPORT -> "EAFNOSUPPORT";
            case LibC.ENETDOWN -> "ENETDOWN";
            case LibC.ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }
}
