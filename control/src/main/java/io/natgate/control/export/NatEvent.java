package io.natgate.control.export;

/**
 * The NAT events natgate exports, by their IPFIX natEvent value (RFC 8158 section 2, IANA's natEvent
 * registry), which the syslog lines name too.
 */
public final class NatEvent
{
    public static final int SESSION_CREATE = 4;
    public static final int SESSION_DELETE = 5;
    public static final int BIB_CREATE = 8;
    public static final int BIB_DELETE = 9;
    public static final int PORTS_EXHAUSTED = 12;
    public static final int QUOTA_EXCEEDED = 13;
    public static final int PORT_BLOCK_ALLOCATE = 16;
    public static final int PORT_BLOCK_RELEASE = 17;

    /** natQuotaExceededEvent (RFC 8158): maximum entries per user. */
    public static final int QUOTA_ENTRIES_PER_USER = 3;

    private NatEvent()
    {
    }
}
