package io.natgate.datapath.guard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpFlagsTest
{
    // the TCP flags byte: CWR 0x80 ECE 0x40 URG 0x20 ACK 0x10 PSH 0x08 RST 0x04 SYN 0x02 FIN 0x01
    @Test
    void shouldAcceptWhatStacksSend()
    {
        for (final int flags : new int[] {0x02, 0x12, 0x10, 0x18, 0x11, 0x19, 0x04, 0x14, 0x30, 0xC2, 0x52, 0x22})
        {
            assertTrue(TcpFlags.isValid(flags), Integer.toHexString(flags));
        }
    }

    @Test
    void shouldRefuseCombinationsNoStackSends()
    {
        for (final int flags : new int[] {0x00, 0x03, 0x13, 0x01, 0x08, 0x29, 0x06, 0x05, 0x07, 0x3F, 0xFF, 0x20, 0x24})
        {
            assertFalse(TcpFlags.isValid(flags), Integer.toHexString(flags));
        }
    }
}
