package io.natgate.datapath.guard;

import io.natgate.datapath.counters.DropReason;
import org.agrona.DirectBuffer;

/**
 * The IPv4 options a gateway refuses (RFC 7126): source routing (LSRR 131, SSRR 137), which would let a
 * sender choose the path back through the NAT, and options that do not parse (a length below 2 or past the
 * header, a truncated option). Other well-formed options pass untouched. Only packets with options
 * (IHL above 5) pay for the walk.
 */
public final class IpOptions
{
    static final int END_OF_LIST = 0;
    static final int NO_OPERATION = 1;
    static final int LOOSE_SOURCE_ROUTE = 131;
    static final int STRICT_SOURCE_ROUTE = 137;
    private static final int MIN_HEADER_LENGTH = 20;

    private IpOptions()
    {
    }

    /**
     * @param headerLength the IPv4 header length, options included, already checked against the buffer.
     * @return the drop reason of the options, or null when they may pass.
     */
    public static DropReason check(final DirectBuffer buffer, final int ipOffset, final int headerLength)
    {
        int at = ipOffset + MIN_HEADER_LENGTH;
        final int end = ipOffset + headerLength;
        while (at < end)
        {
            final int type = buffer.getByte(at) & 0xFF;
            if (type == END_OF_LIST)
            {
                return null;
            }
            if (type == NO_OPERATION)
            {
                at++;
                continue;
            }
            if (at + 1 >= end)
            {
                return DropReason.BAD_IP_OPTIONS;
            }
            final int length = buffer.getByte(at + 1) & 0xFF;
            if (length < 2 || at + length > end)
            {
                return DropReason.BAD_IP_OPTIONS;
            }
            if (type == LOOSE_SOURCE_ROUTE || type == STRICT_SOURCE_ROUTE)
            {
                return DropReason.SOURCE_ROUTED;
            }
            at += length;
        }
        return null;
    }
}
