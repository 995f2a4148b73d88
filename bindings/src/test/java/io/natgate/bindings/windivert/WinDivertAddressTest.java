package io.natgate.bindings.windivert;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 80-byte WINDIVERT_ADDRESS as windivert.h lays it out on 64-bit Windows (MSVC allocates bit
 * fields from the least significant bit of their 32-bit unit).
 */
class WinDivertAddressTest
{
    @Test
    void shouldBeEightyBytesWithFieldsWhereWindivertHPutsThem()
    {
        assertEquals(80, WinDivertAddress.SIZE);
        assertEquals(0, WinDivertAddress.TIMESTAMP_OFFSET);
        assertEquals(8, WinDivertAddress.BITS_OFFSET);
        assertEquals(16, WinDivertAddress.IF_IDX_OFFSET);
        assertEquals(20, WinDivertAddress.SUB_IF_IDX_OFFSET);
    }

    @Test
    void shouldEncodeBitFieldsLeastSignificantBitFirstLittleEndian()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment slot = arena.allocate(WinDivertAddress.SIZE);
            new WinDivertAddress().wrap(slot, 0).clear()
                .timestamp(0x0102030405060708L)
                .layer(WinDivert.WINDIVERT_LAYER_NETWORK_FORWARD)
                .event(0)
                .outbound(true)
                .ipChecksumValid(true)
                .udpChecksumValid(true)
                .interfaceIndex(7)
                .subInterfaceIndex(0x10203);

            final byte[] expected = new byte[80];
            final byte[] head = HexFormat.of().parseHex(
                "0807060504030201" +    // Timestamp, little-endian
                "01" + "00" + "a2" + "00" + // Layer=1, Event=0, bits 16..23: Outbound(17) IPChecksum(21) UDPChecksum(23)
                "00000000" +            // Reserved2
                "07000000" +            // Network.IfIdx
                "03020100");            // Network.SubIfIdx
            System.arraycopy(head, 0, expected, 0, head.length);
            assertArrayEquals(expected, slot.toArray(JAVA_BYTE));
        }
    }

    @Test
    void shouldDecodeEveryFlagIndependently()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment slot = arena.allocate(WinDivertAddress.SIZE * 2L);
            final WinDivertAddress address = new WinDivertAddress().wrap(slot, WinDivertAddress.SIZE).clear();
            // Bits 16..23 all set, layer 4, event 9: 0x00FF0904.
            slot.set(JAVA_BYTE, WinDivertAddress.SIZE + 8, (byte)0x04);
            slot.set(JAVA_BYTE, WinDivertAddress.SIZE + 9, (byte)0x09);
            slot.set(JAVA_BYTE, WinDivertAddress.SIZE + 10, (byte)0xFF);

            assertEquals(WinDivert.WINDIVERT_LAYER_REFLECT, address.layer());
            assertEquals(9, address.event());
            assertTrue(address.sniffed() && address.outbound() && address.loopback() && address.impostor() &&
                address.ipv6() && address.ipChecksumValid() && address.tcpChecksumValid() && address.udpChecksumValid());

            address.loopback(false).impostor(false);
            assertEquals((byte)0xF3, slot.get(JAVA_BYTE, WinDivertAddress.SIZE + 10));
            assertFalse(address.loopback());
            assertTrue(address.outbound());
            assertEquals(0, slot.get(JAVA_BYTE, 8), "the flyweight must not touch the slot before it");
        }
    }

    @Test
    void shouldRejectValuesWiderThanTheirBitField()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final WinDivertAddress address = new WinDivertAddress().wrap(arena.allocate(WinDivertAddress.SIZE), 0);

            assertThrows(IllegalArgumentException.class, () -> address.layer(256));
        }
    }
}
