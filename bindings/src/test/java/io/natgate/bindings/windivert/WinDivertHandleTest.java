package io.natgate.bindings.windivert;

import io.natgate.bindings.NativeLibraryUnavailableException;
import io.natgate.bindings.OperatingSystem;
import io.natgate.bindings.testing.TestFrames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WinDivertHandleTest
{
    @Test
    void shouldFailWithClearMessageWhenOpenedOffWindows()
    {
        assumeTrue(OperatingSystem.current() != OperatingSystem.WINDOWS);

        final NativeLibraryUnavailableException ex = assertThrows(NativeLibraryUnavailableException.class,
            () -> WinDivertHandle.open(new WinDivertOptions().filter("ip")));

        assertEquals("WinDivert is Windows-only and this is " + System.getProperty("os.name") +
            ": use the AF_PACKET or pcap backend here", ex.getMessage());
        assertTrue(!WinDivert.LIBRARY.isAvailable());
    }

    @Test
    void shouldSplitBatchIntoIpv4AndIpv6PacketsByTheirHeaderLengths()
    {
        final byte[] first = TestFrames.rawIpUdp(1, 60);
        final byte[] second = ipv6(100);
        final byte[] third = TestFrames.rawIpUdp(2, 1500);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment batch = arena.allocate(4096);
            MemorySegment.copy(first, 0, batch, JAVA_BYTE, 0, first.length);
            MemorySegment.copy(second, 0, batch, JAVA_BYTE, 60, second.length);
            MemorySegment.copy(third, 0, batch, JAVA_BYTE, 160, third.length);
            final int[] offsets = new int[8];
            final int[] lengths = new int[8];

            assertEquals(3, WinDivertHandle.splitBatch(batch, 1660, offsets, lengths));
            assertEquals(0, offsets[0]);
            assertEquals(60, lengths[0]);
            assertEquals(60, offsets[1]);
            assertEquals(100, lengths[1]);
            assertEquals(160, offsets[2]);
            assertEquals(1500, lengths[2]);
        }
    }

    @Test
    void shouldStopBatchAtPacketWhoseLengthRunsPastTheReceivedBytes()
    {
        final byte[] packet = TestFrames.rawIpUdp(1, 200);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment batch = arena.allocate(400);
            MemorySegment.copy(packet, 0, batch, JAVA_BYTE, 0, 200);
            MemorySegment.copy(packet, 0, batch, JAVA_BYTE, 200, 150);

            assertEquals(1, WinDivertHandle.splitBatch(batch, 350, new int[8], new int[8]));
        }
    }

    @Test
    void shouldExplainWinDivertErrorCodes()
    {
        final WinDivertException ex = new WinDivertException("WinDivertOpen(\"ip\", layer 0)", 5);

        assertEquals(5, ex.errorCode());
        assertTrue(ex.getMessage().startsWith("WinDivertOpen(\"ip\", layer 0): "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith(": WinDivert needs Administrator rights"), ex.getMessage());
        assertEquals("the filter string, layer, priority or flags are invalid", WinDivertException.hint(87));
    }

    @Test
    void shouldRejectBatchLargerThanWindivertAllowsNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new WinDivertOptions().batchSize(256).validate());

        assertTrue(ex.getMessage().contains("batchSize=256"), ex.getMessage());
    }

    private static byte[] ipv6(final int length)
    {
        final ByteBuffer packet = ByteBuffer.allocate(length);
        packet.put(0, (byte)0x60);
        packet.putShort(4, (short)(length - 40));
        packet.put(6, (byte)17);
        return packet.array();
    }
}
