package io.natgate.datapath.nat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A mapping's session list keeps both ends one read away whatever is taken out of it: walked newest to oldest by
 * the next links from the mapping, and oldest to newest from its last by {@link MappingSessions#older}.
 */
class MappingSessionsTest
{
    private final SessionTable sessions = new SessionTable(8);
    private final MappingTable mappings = new MappingTable(2);
    private final MappingSessions list = new MappingSessions(sessions, mappings);
    private final int mapping = mappings.add(17, 0x0A00_0008, 5000, 0xCB00_7101, 5000, 0, MappingKind.DYNAMIC);

    @Test
    void shouldKeepNewestFirstAndOldestLastAsSessionsComeAndGoAnywhere()
    {
        final int a = addNewest(1);
        final int b = addNewest(2);
        final int c = addNewest(3);
        final int d = addNewest(4);
        assertLists(List.of(d, c, b, a));

        list.remove(mapping, b); // the middle
        assertLists(List.of(d, c, a));
        list.remove(mapping, a); // the oldest
        assertLists(List.of(d, c));
        list.remove(mapping, d); // the newest
        assertLists(List.of(c));
        list.addNewest(mapping, d);
        assertLists(List.of(d, c));
        list.remove(mapping, c);
        list.remove(mapping, d);
        assertLists(List.of());
        assertEquals(SessionTable.NONE, list.oldest(mapping));
    }

    @Test
    void shouldMoveTheOldestToTheNewestEnd()
    {
        final int a = addNewest(1);
        final int b = addNewest(2);
        final int c = addNewest(3);
        list.remove(mapping, a);
        list.addNewest(mapping, a);
        assertLists(List.of(a, c, b));
    }

    private int addNewest(final int remote)
    {
        final int session = sessions.add(17, 0x0A00_0008, 5000, remote, 53, 0xCB00_7101, 5000, mapping, 0);
        list.addNewest(mapping, session);
        return session;
    }

    private void assertLists(final List<Integer> newestFirst)
    {
        final List<Integer> forward = new ArrayList<>();
        for (int s = mappings.firstSession(mapping); s != SessionTable.NONE; s = sessions.mappingNext(s))
        {
            forward.add(s);
        }
        assertEquals(newestFirst, forward, "newest to oldest");
        final List<Integer> backward = new ArrayList<>();
        for (int s = list.oldest(mapping); s != SessionTable.NONE; s = list.older(mapping, s))
        {
            backward.add(0, s);
        }
        assertEquals(newestFirst, backward, "oldest to newest");
    }
}
