package io.natgate.datapath.counters;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatapathCountersTest
{
    private final DatapathCounters counters = new DatapathCounters(2);

    /**
     * @return the byte offset of the one slot an update changed, found by comparing the raw buffer.
     */
    private int offsetWritten(final Runnable update)
    {
        final UnsafeBuffer buffer = (UnsafeBuffer)counters.buffer();
        final byte[] before = new byte[buffer.capacity()];
        buffer.getBytes(0, before);
        update.run();
        int found = -1;
        for (int offset = 0; offset < buffer.capacity(); offset += Long.BYTES)
        {
            if (buffer.getLong(offset) != new UnsafeBuffer(before).getLong(offset))
            {
                assertEquals(-1, found, "one slot changed");
                found = offset;
            }
        }
        assertTrue(found >= 0, "a slot changed");
        return found;
    }

    @Test
    void shouldKeepEachWritingThreadsCountersOfAPortOffTheOthersCacheLines()
    {
        final int rxFrames = offsetWritten(() -> counters.increment(0, PortCounter.RX_FRAMES));
        final int rxDrop = offsetWritten(() -> counters.drop(0, DropReason.RX_RING_FULL));
        final int txFrames = offsetWritten(() -> counters.increment(0, PortCounter.TX_FRAMES));
        final int txDrop = offsetWritten(() -> counters.drop(0, DropReason.TX_PORT_REFUSED));
        final int translated = offsetWritten(() -> counters.increment(0, PortCounter.TRANSLATED_OUT));
        final int workerDrop = offsetWritten(() -> counters.drop(0, DropReason.NO_ROUTE));
        final int global = offsetWritten(() -> counters.increment(GlobalCounter.SESSIONS_CREATED));
        final int nextPortRx = offsetWritten(() -> counters.increment(1, PortCounter.RX_FRAMES));

        final int block = DatapathCounters.BLOCK_BYTES;
        assertEquals(rxFrames / block, rxDrop / block, "the rx agent's slots share its block");
        assertEquals(txFrames / block, txDrop / block, "the tx agent's slots share its block");
        final int[] writers = {global / block, rxFrames / block, txFrames / block, translated / block,
            nextPortRx / block, workerDrop / block};
        for (int i = 0; i < writers.length; i++)
        {
            for (int j = i + 1; j < writers.length; j++)
            {
                if (i != 3 || j != 5) // the worker's own slots may share blocks
                {
                    assertTrue(writers[i] != writers[j], "blocks " + i + " and " + j + " apart");
                }
            }
        }
        assertEquals(1, counters.get(0, PortCounter.RX_FRAMES));
        assertEquals(1, counters.get(0, DropReason.NO_ROUTE));
        assertEquals(3, counters.totalDrops(0));
    }

    @Test
    void shouldAddEverySlotOfOneSetIntoAnotherWithMorePorts()
    {
        counters.add(1, PortCounter.TRANSLATED_OUT, 5);
        counters.drop(0, DropReason.NO_MAPPING);
        counters.set(GlobalCounter.SESSIONS_ACTIVE, 7);
        final DatapathCounters sum = new DatapathCounters(3);
        sum.add(1, PortCounter.TRANSLATED_OUT, 2);
        sum.add(2, PortCounter.RX_FRAMES, 9);
        sum.set(GlobalCounter.SESSIONS_ACTIVE, 4);

        counters.addTo(sum);
        counters.addTo(sum);

        assertEquals(12, sum.get(1, PortCounter.TRANSLATED_OUT));
        assertEquals(2, sum.get(0, DropReason.NO_MAPPING));
        assertEquals(18, sum.get(GlobalCounter.SESSIONS_ACTIVE));
        assertEquals(9, sum.get(2, PortCounter.RX_FRAMES));
        assertEquals(0, sum.get(0, PortCounter.RX_FRAMES));
        assertEquals(5, counters.get(1, PortCounter.TRANSLATED_OUT), "the source is left as it was");
    }

    @Test
    void shouldRefuseToAddIntoASetWithFewerPorts()
    {
        assertThrows(IllegalArgumentException.class, () -> counters.addTo(new DatapathCounters(1)));
    }
}
