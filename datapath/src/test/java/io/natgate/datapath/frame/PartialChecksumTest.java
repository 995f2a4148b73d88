package io.natgate.datapath.frame;

import io.natgate.bindings.testing.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checksums a sender's offload left partial are completed; right and corrupt ones are left alone.
 * The expected values are computed here, word by word, not by the datapath's checksum code.
 */
class PartialChecksumTest
{
    private static final int ETHERNET = 14;

    @Test
    void shouldCompleteUdpChecksumHoldingOnlyThePseudoHeaderSum()
    {
        final byte[] frame = TestFrames.udp(2, 1, 7, 300);
        final int full = udpChecksum(frame, ETHERNET);
        setUdpChecksum(frame, ETHERNET, pseudoHeaderSum(frame, ETHERNET));

        assertTrue(PartialChecksum.complete(new UnsafeBuffer(frame), 0, frame.length));
        assertEquals(full, udpChecksumField(frame, ETHERNET));
    }

    @Test
    void shouldCompletePartialChecksumBehindVlanTag()
    {
        final byte[] frame = TestFrames.vlanUdp(2, 1, 42, 7, 300);
        final int ip = ETHERNET + 4;
        final int full = udpChecksum(frame, ip);
        setUdpChecksum(frame, ip, pseudoHeaderSum(frame, ip));

        assertTrue(PartialChecksum.complete(new UnsafeBuffer(frame), 0, frame.length));
        assertEquals(full, udpChecksumField(frame, ip));
    }

    @Test
    void shouldLeaveRightChecksumAsItIs()
    {
        final byte[] frame = TestFrames.udp(2, 1, 7, 300);
        setUdpChecksum(frame, ETHERNET, udpChecksum(frame, ETHERNET));
        final byte[] before = frame.clone();

        assertFalse(PartialChecksum.complete(new UnsafeBuffer(frame), 0, frame.length));
        assertArrayEquals(before, frame);
    }

    @Test
    void shouldLeaveCorruptChecksumForTheNatToCount()
    {
        final byte[] frame = TestFrames.udp(2, 1, 7, 300);
        setUdpChecksum(frame, ETHERNET, udpChecksum(frame, ETHERNET) ^ 0x0101);
        final byte[] before = frame.clone();

        assertFalse(PartialChecksum.complete(new UnsafeBuffer(frame), 0, frame.length));
        assertArrayEquals(before, frame);
    }

    @Test
    void shouldLeaveUdpWithoutChecksumAsItIs()
    {
        final byte[] frame = TestFrames.udp(2, 1, 7, 300);
        final byte[] before = frame.clone();

        assertFalse(PartialChecksum.complete(new UnsafeBuffer(frame), 0, frame.length));
        assertArrayEquals(before, frame);
    }

    @Test
    void shouldIgnoreTruncatedFrame()
    {
        final byte[] frame = TestFrames.udp(2, 1, 7, 300);
        setUdpChecksum(frame, ETHERNET, pseudoHeaderSum(frame, ETHERNET));
        final byte[] before = frame.clone();

        assertFalse(PartialChecksum.complete(new UnsafeBuffer(frame), 0, 100));
        assertArrayEquals(before, frame);
    }

    private static int udpLength(final byte[] frame, final int ip)
    {
        return ByteBuffer.wrap(frame).getShort(ip + 2) - 20;
    }

    private static int pseudoHeaderSum(final byte[] frame, final int ip)
    {
        long sum = 17 + udpLength(frame, ip);
        for (int i = 12; i < 20; i += 2)
        {
            sum += word(frame, ip + i);
        }
        return fold(sum);
    }

    private static int udpChecksum(final byte[] frame, final int ip)
    {
        final int udp = ip + 20;
        final int length = udpLength(frame, ip);
        final byte[] copy = frame.clone();
        copy[udp + 6] = 0;
        copy[udp + 7] = 0;
        long sum = pseudoHeaderSum(copy, ip);
        for (int i = 0; i < length; i += 2)
        {
            sum += i + 1 < length ? word(copy, udp + i) : (copy[udp + i] & 0xFF) << 8;
        }
        final int checksum = ~fold(sum) & 0xFFFF;
        return checksum == 0 ? 0xFFFF : checksum;
    }

    private static void setUdpChecksum(final byte[] frame, final int ip, final int checksum)
    {
        ByteBuffer.wrap(frame).putShort(ip + 20 + 6, (short)checksum);
    }

    private static int udpChecksumField(final byte[] frame, final int ip)
    {
        return ByteBuffer.wrap(frame).getShort(ip + 20 + 6) & 0xFFFF;
    }

    private static int word(final byte[] bytes, final int at)
    {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    private static int fold(final long value)
    {
        long sum = value;
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
