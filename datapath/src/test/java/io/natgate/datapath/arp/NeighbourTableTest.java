package io.natgate.datapath.arp;

import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighbourTableTest
{
    private static final long NOW_NS = 1_000_000_000L;
    private static final long EXPIRES_NS = NOW_NS + 60_000_000_000L;

    @Test
    void shouldKeepEveryNeighbourOfALargeSubnetWhoseHashesCollide()
    {
        // 4,096 consecutive hosts in a table for 8,192: a direct-mapped table loses hundreds of them to collisions
        final NeighbourTable table = new NeighbourTable(8192);
        final int first = Ipv4.parse("10.0.0.1");
        for (int i = 0; i < 4096; i++)
        {
            table.learn(first + i, 0x0200_0000_0000L + i, EXPIRES_NS);
        }
        for (int i = 0; i < 4096; i++)
        {
            assertEquals(0x0200_0000_0000L + i, table.lookup(first + i, NOW_NS), "host " + Ipv4.toString(first + i));
        }
    }

    @Test
    void shouldEvictTheEntryClosestToExpiryWhenEveryWayIsTaken()
    {
        final NeighbourTable table = new NeighbourTable(1); // 2 slots: every address shares the same ways
        table.learn(1, 0x0200_0000_0001L, EXPIRES_NS + 5);
        table.learn(2, 0x0200_0000_0002L, EXPIRES_NS);
        table.learn(3, 0x0200_0000_0003L, EXPIRES_NS + 9);

        assertTrue(table.contains(1));
        assertFalse(table.contains(2), "the entry expiring first went");
        assertEquals(0x0200_0000_0003L, table.lookup(3, NOW_NS));
    }

    @Test
    void shouldForgetAnUnansweredAddressAndResolveItAfresh()
    {
        final NeighbourTable table = new NeighbourTable(16);
        assertTrue(table.shouldRequest(7, NOW_NS, 1_000, 2));
        assertFalse(table.shouldRequest(7, NOW_NS + 10, 1_000, 2), "retry interval not passed");
        assertTrue(table.shouldRequest(7, NOW_NS + 1_000, 1_000, 2));
        assertTrue(table.hasFailed(7, NOW_NS + 2_000, 1_000, 2));
        table.forget(7);
        assertFalse(table.contains(7));
        assertTrue(table.shouldRequest(7, NOW_NS + 3_000, 1_000, 2));
        assertEquals(0, table.lookup(7, NOW_NS + 3_000), "incomplete until answered");
    }
}
