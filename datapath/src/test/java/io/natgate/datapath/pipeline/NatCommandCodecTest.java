package io.natgate.datapath.pipeline;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatCommandCodecTest
{
    private final RingBuffer ring = TestRings.manyToOne(1024);
    private final NatCommandEncoder encoder = new NatCommandEncoder(ring);
    private final NatCommandDecoder decoder = new NatCommandDecoder(ring);
    private final RecordingNat target = new RecordingNat();

    @Test
    void shouldRoundTripEveryFieldOfEveryCommand()
    {
        encoder.addStaticMapping(Long.MAX_VALUE, 6, 0xC0A8_0001, 0xFFFF, 0xCB00_7101, 1);
        encoder.removeStaticMapping(Long.MIN_VALUE, 17, Integer.MIN_VALUE, 65_535);
        encoder.openInboundMapping(-1L, 1, 0x0A00_0002, 4_500, 0, 0x0808_0808, 120_000_000_000L);
        encoder.closeInboundMapping(0L, 255, -1, Integer.MAX_VALUE);
        encoder.openInboundMapping(7L, 17, 0x7FFF_FFFF, 0, 61_000, -2, Long.MIN_VALUE);
        encoder.removeSession(8L, 6, 0x0A00_0002, 40_000, 0xC633_6407, 65_535);

        assertEquals(6, decoder.poll(target, Integer.MAX_VALUE));

        assertEquals(
            List.of(
                "addStaticMapping " + Long.MAX_VALUE + " 6 " + 0xC0A8_0001 + " 65535 " + 0xCB00_7101 + " 1",
                "removeStaticMapping " + Long.MIN_VALUE + " 17 " + Integer.MIN_VALUE + " 65535",
                "openInboundMapping -1 1 " + 0x0A00_0002 + " 4500 0 " + 0x0808_0808 + " 120000000000",
                "closeInboundMapping 0 255 -1 " + Integer.MAX_VALUE,
                "openInboundMapping 7 17 " + 0x7FFF_FFFF + " 0 61000 -2 " + Long.MIN_VALUE,
                "removeSession 8 6 " + 0x0A00_0002 + " 40000 " + 0xC633_6407 + " 65535"),
            target.calls);
        assertEquals(0, decoder.unknownMessageCount());
    }

    @Test
    void shouldReturnFalseAndRecordTheFailureWhenCommandRingIsFull()
    {
        // 1024 bytes hold 18 commands of 44 bytes with their 8-byte headers, each record aligned to 56 bytes.
        int queued = 0;
        while (encoder.offerRemoveStaticMapping(queued, 6, 1, 2))
        {
            queued++;
        }
        assertEquals(18, queued);

        encoder.closeInboundMapping(99, 6, 1, 2);
        assertFalse(encoder.lastOfferSucceeded());
        assertEquals(1, encoder.failedOfferCount());

        assertEquals(18, decoder.poll(target, Integer.MAX_VALUE));
        encoder.closeInboundMapping(100, 6, 1, 2);
        assertTrue(encoder.lastOfferSucceeded());
        assertEquals(1, encoder.failedOfferCount());
        assertEquals(1, decoder.poll(target, Integer.MAX_VALUE));
        assertEquals("closeInboundMapping 100 6 1 2", target.calls.get(18));
    }

    @Test
    void shouldApplyAtMostLimitCommandsInOfferOrder()
    {
        for (int i = 0; i < 5; i++)
        {
            assertTrue(encoder.offerCloseInboundMapping(i, 6, 1, i));
        }

        assertEquals(3, decoder.poll(target, 3));
        assertEquals(2, decoder.poll(target, 3));
        assertEquals(0, decoder.poll(target, 3));
        for (int i = 0; i < 5; i++)
        {
            assertEquals("closeInboundMapping " + i + " 6 1 " + i, target.calls.get(i));
        }
    }

    @Test
    void shouldSkipAndCountAMessageThatIsNotACommand()
    {
        ring.write(999, new org.agrona.concurrent.UnsafeBuffer(new byte[MessageLayout.COMMAND_LENGTH]), 0,
            MessageLayout.COMMAND_LENGTH);
        encoder.closeInboundMapping(1, 6, 1, 2);

        assertEquals(1, decoder.poll(target, Integer.MAX_VALUE));
        assertEquals(1, decoder.unknownMessageCount());
        assertEquals(List.of("closeInboundMapping 1 6 1 2"), target.calls);
    }

    @Test
    void shouldIssueCorrelationIdsUniqueAcrossEncodersOfOneRing()
    {
        final NatCommandEncoder other = new NatCommandEncoder(ring);
        final Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 100; i++)
        {
            assertTrue(ids.add(encoder.nextCorrelationId()));
            assertTrue(ids.add(other.nextCorrelationId()));
        }
    }
}
