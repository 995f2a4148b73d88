package io.natgate.datapath.frame;

/**
 * ICMPv4 message (RFC 792). Query messages (echo, timestamp, information, address mask)
 * carry an identifier that NAT translates like a port; error messages carry the IP
 * header and at least 8 bytes of the datagram that caused them from {@link #EMBEDDED_OFFSET}.
 */
public final class IcmpMessage extends Flyweight
{
    public static final int HEADER_LENGTH = 8;
    public static final int EMBEDDED_OFFSET = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP_REQUEST = 13;
    public static final int TIMESTAMP_REPLY = 14;
    public static final int INFORMATION_REQUEST = 15;
    public static final int INFORMATION_REPLY = 16;
    public static final int ADDRESS_MASK_REQUEST = 17;
    public static final int ADDRESS_MASK_REPLY = 18;

    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_ADMIN_PROHIBITED = 13;
    public static final int CODE_TTL_EXCEEDED = 0;

    public static final int CHECKSUM_OFFSET = 2;

    public int type()
    {
        return u8(0);
    }

    public int code()
    {
        return u8(1);
    }

    public int checksum()
    {
        return u16(2);
    }

    public void checksum(final int checksum)
    {
        u16(2, checksum);
    }

    /**
     * @return the query identifier (bytes 4-5) of a query message.
     */
    public int identifier()
    {
        return u16(4);
    }

    public void identifier(final int identifier)
    {
        u16(4, identifier);
    }

    /**
     * @return the next-hop MTU of a fragmentation-needed message (RFC 1191).
     */
    public int nextHopMtu()
    {
        return u16(6);
    }

    /**
     * Recomputes the checksum over the whole message.
     */
    public void updateChecksum(final int messageLength)
    {
        u16(2, 0);
        u16(2, Checksums.checksum(buffer, offset, messageLength));
    }

    /**
     * @return true for the query types whose identifier NAT translates (RFC 5508 section 3.1).
     */
    public static boolean isQuery(final int type)
    {
        return type == ECHO_REQUEST || type == ECHO_REPLY || type == TIMESTAMP_REQUEST || type == TIMESTAMP_REPLY ||
            type == INFORMATION_REQUEST || type == INFORMATION_REPLY || type == ADDRESS_MASK_REQUEST ||
            type == ADDRESS_MASK_REPLY;
    }

    /**
     * @return true for a query request (sent by the party that chose the identifier).
     */
    public static boolean isQueryRequest(final int type)
    {
        return type == ECHO_REQUEST || type == TIMESTAMP_REQUEST || type == INFORMATION_REQUEST ||
            type == ADDRESS_MASK_REQUEST;
    }

    /**
     * @return true for the error types that embed the offending datagram.
     */
    public static boolean isError(final int type)
    {
        return type == DESTINATION_UNREACHABLE || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM ||
            type == SOURCE_QUENCH || type == REDIRECT;
    }

    /**
     * Writes type, code, the 4 "rest of header" bytes; the checksum is left zero.
     */
    public void writeHeader(final int type, final int code, final int restOfHeader)
    {
        u8(0, type);
        u8(1, code);
        u16(2, 0);
        i32(4, restOfHeader);
    }
}
