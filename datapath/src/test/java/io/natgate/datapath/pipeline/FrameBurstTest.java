package io.natgate.datapath.pipeline;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.pipeline.TestRings.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameBurstTest
{
    private final FrameBurst burst = new FrameBurst(3, 100);

    @Test
    void shouldPlaceEachFrameAfterHeadroomInCacheLineAlignedSlots()
    {
        for (int slot = 0; slot < 3; slot++)
        {
            assertTrue(burst.add(new UnsafeBuffer(frame(slot, 100)), 0, 100 - slot, slot + 5));
        }

        for (int slot = 0; slot < 3; slot++)
        {
            final int offset = burst.frameOffset(slot);
            assertEquals(0, (offset - FrameProcessor.HEADROOM) % BitUtil.CACHE_LINE_LENGTH);
            assertTrue(offset >= FrameProcessor.HEADROOM + (slot > 0 ? burst.frameOffset(slot - 1) + 100 : 0));
            assertEquals(slot, burst.buffer().getLong(offset));
            assertEquals(100 - slot, burst.frameLength(slot));
            assertEquals(slot + 5, burst.ingressPort(slot));
        }
    }

    @Test
    void shouldRefuseFrameWhenFullOrLongerThanASlot()
    {
        assertFalse(burst.add(new UnsafeBuffer(frame(1, 101)), 0, 101, 0));
        assertTrue(burst.add(new UnsafeBuffer(frame(1, 10)), 0, 10, 0));
        assertTrue(burst.add(new UnsafeBuffer(frame(2, 10)), 0, 10, 0));
        assertTrue(burst.add(new UnsafeBuffer(frame(3, 10)), 0, 10, 0));
        assertTrue(burst.isFull());
        assertFalse(burst.add(new UnsafeBuffer(frame(4, 10)), 0, 10, 0));

        burst.clear();
        assertEquals(0, burst.size());
        assertTrue(burst.add(new UnsafeBuffer(frame(5, 10)), 0, 10, 0));
        assertEquals(5, burst.buffer().getLong(burst.frameOffset(0)));
    }
}
