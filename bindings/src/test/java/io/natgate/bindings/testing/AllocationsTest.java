package io.natgate.bindings.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocationsTest
{
    private static volatile Object sink;

    @Test
    void shouldCountAnAllocationInOnlySomeMeasuredRounds()
    {
        final int[] round = new int[1];
        final long bytes = Allocations.bytesAllocatedAfterWarmUp(5, 10, () ->
        {
            if (++round[0] % 7 == 0)
            {
                sink = new byte[1024];
            }
        });

        assertTrue(bytes >= 1024, "one 1 KiB array in every 7 rounds, measured over 10: " + bytes);
    }

    @Test
    void shouldCountNothingForWorkThatAllocatesNothing()
    {
        final long[] sum = new long[1];

        assertEquals(0, Allocations.bytesAllocatedAfterWarmUp(5, 10, () ->
        {
            for (int i = 0; i < 1000; i++)
            {
                sum[0] += i;
            }
        }));
    }
}
