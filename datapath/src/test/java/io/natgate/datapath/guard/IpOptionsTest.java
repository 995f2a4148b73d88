package io.natgate.datapath.guard;

import io.natgate.datapath.counters.DropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class IpOptionsTest
{
    /** @return a 20-byte header (only IHL matters here) followed by the options. */
    private static DropReason check(final int... options)
    {
        final byte[] header = new byte[20 + options.length];
        header[0] = (byte)(0x40 | (header.length / 4));
        for (int i = 0; i < options.length; i++)
        {
            header[20 + i] = (byte)options[i];
        }
        return IpOptions.check(new UnsafeBuffer(header), 0, header.length);
    }

    @Test
    void shouldDropLooseAndStrictSourceRoutes()
    {
        // RFC 791: type 131 (LSRR) and 137 (SSRR), length 7, pointer 4, one address; then EOL
        assertEquals(DropReason.SOURCE_ROUTED, check(131, 7, 4, 192, 0, 2, 1, 0));
        assertEquals(DropReason.SOURCE_ROUTED, check(137, 7, 4, 192, 0, 2, 1, 0));
        assertEquals(DropReason.SOURCE_ROUTED, check(1, 1, 1, 131, 3, 4, 0, 0), "after no-operations too");
    }

    @Test
    void shouldPassWellFormedOptionsThatDoNotRoute()
    {
        assertNull(check(1, 1, 1, 1));
        assertNull(check(0, 131, 7, 4), "nothing after end-of-list is read");
        assertNull(check(7, 7, 4, 0, 0, 0, 0, 0), "record route");
        assertNull(check(148, 4, 0, 0), "router alert");
    }

    @Test
    void shouldDropOptionsThatDoNotParse()
    {
        assertEquals(DropReason.BAD_IP_OPTIONS, check(7, 1, 0, 0), "length below 2");
        assertEquals(DropReason.BAD_IP_OPTIONS, check(7, 9, 4, 0), "length past the header");
        assertEquals(DropReason.BAD_IP_OPTIONS, check(1, 1, 1, 68), "type without a length byte");
    }
}
