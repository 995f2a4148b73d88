package io.natgate.control.providers.pcp;

/**
 * PCP result codes (RFC 6887 section 7.4), with whether the condition is expected to last: the error
 * response's lifetime tells the client how long to assume it does. Also what each becomes in a NAT-PMP
 * response (RFC 6886 section 3.5).
 */
public enum PcpResult
{
    SUCCESS(0, false, 0),
    UNSUPP_VERSION(1, true, 1),
    NOT_AUTHORIZED(2, true, 2),
    MALFORMED_REQUEST(3, true, 2),
    UNSUPP_OPCODE(4, true, 5),
    UNSUPP_OPTION(5, true, 2),
    MALFORMED_OPTION(6, true, 2),
    NETWORK_FAILURE(7, false, 3),
    NO_RESOURCES(8, false, 4),
    UNSUPP_PROTOCOL(9, true, 2),
    USER_EX_QUOTA(10, false, 4),
    CANNOT_PROVIDE_EXTERNAL(11, false, 4),
    ADDRESS_MISMATCH(12, true, 2),
    EXCESSIVE_REMOTE_PEERS(13, false, 4);

    /** The lifetime, in seconds, of an error expected to last. */
    public static final int LONG_ERROR_LIFETIME_S = 30 * 60;
    /** The lifetime, in seconds, of an error that may clear soon. */
    public static final int SHORT_ERROR_LIFETIME_S = 30;

    private final int code;
    private final boolean longLived;
    private final int natPmpCode;

    PcpResult(final int code, final boolean longLived, final int natPmpCode)
    {
        this.code = code;
        this.longLived = longLived;
        this.natPmpCode = natPmpCode;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return the NAT-PMP result code standing for it: 1 unsupported version, 2 not authorized or refused,
     * 3 network failure, 4 out of resources, 5 unsupported opcode.
     */
    public int natPmpCode()
    {
        return natPmpCode;
    }

    /**
     * @return the lifetime an error response carries, in seconds.
     */
    public int errorLifetimeSeconds()
    {
        return longLived ? LONG_ERROR_LIFETIME_S : SHORT_ERROR_LIFETIME_S;
    }
}
