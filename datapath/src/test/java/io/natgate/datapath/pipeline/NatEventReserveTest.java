package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event ring keeps room for what may never be lost: creations stop first, then refreshes give way
 * earlier still, and removals can always be written while creations are refused.
 */
class NatEventReserveTest
{
    private final DatapathCounters counters = new DatapathCounters(1);
    private final RingBuffer ring = TestRings.oneToOne(64 * 1024);
    private final NatEventEncoder encoder = new NatEventEncoder(ring, counters);

    @Test
    void shouldStopRefreshesThenCreationsBeforeTheRingCannotTakeRemovals()
    {
        int written = 0;
        while (encoder.canRecordCreation())
        {
            encoder.onSessionCreated(written, 17, 1, 2, 3, 4, 5, 6, 0);
            written++;
        }
        assertFalse(encoder.canRecordRefresh(), "refreshes stop before creations");
        assertTrue(encoder.canRecordRemoval());
        final int freeBytes = ring.capacity() - ring.size();
        assertTrue(freeBytes >= ring.capacity() / 8, "an eighth kept for removals: " + freeBytes);

        int removals = 0;
        while (encoder.canRecordRemoval())
        {
            encoder.onSessionExpired(removals, 17, 1, 2, 3, 4, 5, 6, 0);
            encoder.onMappingExpired(removals, 17, 1, 2, 3, 4);
            removals++;
        }
        // a session record and a mapping record take at most 128 bytes together
        assertTrue(removals >= ring.capacity() / 8 / 128, "removals written after creations stopped: " + removals);
        assertEquals(0, counters.get(GlobalCounter.EVENTS_DROPPED), "none was refused by the ring itself");
    }
}
