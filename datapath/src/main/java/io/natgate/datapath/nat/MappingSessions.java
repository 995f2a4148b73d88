package io.natgate.datapath.nat;

/**
 * Each mapping's list of its sessions, newest first, through the sessions' mapping links: the mapping holds the
 * first, and the first's previous link is the last (the oldest), so both ends are one read away; the last's next
 * link is {@link SessionTable#NONE}, so a walk by {@link SessionTable#mappingNext} from the first ends there.
 */
final class MappingSessions
{
    private final SessionTable sessions;
    private final MappingTable mappings;

    MappingSessions(final SessionTable sessions, final MappingTable mappings)
    {
        this.sessions = sessions;
        this.mappings = mappings;
    }

    /**
     * Puts a session at the front of its mapping's list, as its newest.
     */
    void addNewest(final int mapping, final int session)
    {
        final int first = mappings.firstSession(mapping);
        if (first == SessionTable.NONE)
        {
            sessions.mappingLinks(session, session, SessionTable.NONE);
        }
        else
        {
            sessions.mappingLinks(session, sessions.mappingPrevious(first), first);
            sessions.mappingLinks(first, session, sessions.mappingNext(first));
        }
        mappings.firstSession(mapping, session);
    }

    /**
     * Takes a session out of its mapping's list.
     */
    void remove(final int mapping, final int session)
    {
        final int first = mappings.firstSession(mapping);
        final int previous = sessions.mappingPrevious(session);
        final int next = sessions.mappingNext(session);
        if (session == first)
        {
            mappings.firstSession(mapping, next);
        }
        else
        {
            sessions.mappingLinks(previous, sessions.mappingPrevious(previous), next);
        }
        if (next != SessionTable.NONE)
        {
            sessions.mappingLinks(next, previous, sessions.mappingNext(next));
        }
        else if (session != first)
        {
            sessions.mappingLinks(first, previous, sessions.mappingNext(first)); // the first keeps the new last
        }
    }

    /**
     * @return the mapping's oldest session, or {@link SessionTable#NONE} when it has none.
     */
    int oldest(final int mapping)
    {
        final int first = mappings.firstSession(mapping);
        return first == SessionTable.NONE ? SessionTable.NONE : sessions.mappingPrevious(first);
    }

    /**
     * @return the session added before this one to the mapping, or {@link SessionTable#NONE} after the first.
     */
    int older(final int mapping, final int session)
    {
        return session == mappings.firstSession(mapping) ? SessionTable.NONE : sessions.mappingPrevious(session);
    }
}
