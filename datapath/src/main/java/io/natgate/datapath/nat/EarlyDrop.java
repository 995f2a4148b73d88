package io.natgate.datapath.nat;

/**
 * Chooses the session a full table gives up for a new flow, as conntrack's {@code early_drop} does: the
 * least recently active session nobody answered, embryonic or closing TCP (the transitory class) or UDP and
 * ICMP that saw packets one way only. Established TCP and replied UDP and ICMP sessions are never chosen,
 * so a flood can only push out other unanswered flows. Looks at the oldest {@link #SCAN_PER_CLASS}
 * sessions of each list at most: a bounded cost on the slow path.
 */
final class EarlyDrop
{
    static final int SCAN_PER_CLASS = 64;

    private final NatTables tables;
    private final SessionTable sessions;

    EarlyDrop(final NatTables tables)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
    }

    /**
     * @return the unanswered session least recently active, or {@link SessionTable#NONE} when every session
     * looked at was answered.
     */
    int victim()
    {
        int victim = SessionTable.NONE;
        long victimActiveNs = 0;
        for (int timeoutClass = 0; timeoutClass < SessionTable.CLASS_COUNT; timeoutClass++)
        {
            if (timeoutClass == SessionTable.CLASS_TCP_ESTABLISHED)
            {
                continue;
            }
            int session = sessions.oldest(timeoutClass);
            for (int scanned = 0; session != SessionTable.NONE && scanned < SCAN_PER_CLASS; scanned++)
            {
                if (sessions.isEmbryonic(session))
                {
                    // the deadline less the class's timeout: when it was last active
                    final long activeNs = sessions.deadlineNs(session) - tables.timeoutNs(timeoutClass);
                    if (victim == SessionTable.NONE || activeNs - victimActiveNs < 0)
                    {
                        victim = session;
                        victimActiveNs = activeNs;
                    }
                    break;
                }
                session = sessions.newer(session);
            }
        }
        return victim;
    }
}
