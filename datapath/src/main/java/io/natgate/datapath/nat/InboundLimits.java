package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;

/**
 * Bounds what outsiders can open: sessions opened from outside per remote address, and per mapping they
 * come in through (a port forward, a PCP or firewall mapping, or a dynamic mapping that admits them), so
 * one remote, or a flood through one forward, cannot take the table. Counts live here, beside the
 * session's {@link SessionTable#isOpenedInbound} mark: the engine calls {@link #opened} and
 * {@link #closed} as such sessions come and go. The remote table holds one entry per remote with such a
 * session, as many as the session table holds at most, so it never fills first.
 */
final class InboundLimits
{
    private final int perRemote;
    private final int perMapping;
    private final ClientTable remotes;
    private final int[] mappingSessions;

    /**
     * @param perRemote  sessions opened from one remote address at most; 0 for no limit.
     * @param perMapping sessions opened from outside through one mapping at most; 0 for no limit.
     */
    InboundLimits(final int perRemote, final int perMapping, final int maxSessions, final int maxMappings)
    {
        this.perRemote = perRemote;
        this.perMapping = perMapping;
        remotes = new ClientTable(maxSessions);
        mappingSessions = new int[maxMappings];
    }

    /**
     * @return the reason a session from {@code remoteAddress} through {@code mapping} is refused, or null.
     */
    DropReason refusal(final int remoteAddress, final int mapping)
    {
        if (perRemote > 0)
        {
            final int remote = remotes.find(remoteAddress);
            if (remote >= 0 && remotes.sessions(remote) >= perRemote)
            {
                return DropReason.REMOTE_SESSION_LIMIT;
            }
        }
        if (perMapping > 0 && mappingSessions[mapping] >= perMapping)
        {
            return DropReason.MAPPING_SESSION_LIMIT; // the one a new flow may lift by early drop through the mapping
        }
        return null;
    }

    void opened(final int remoteAddress, final int mapping)
    {
        mappingSessions[mapping]++;
        final int remote = remotes.findOrCreate(remoteAddress);
        if (remote >= 0)
        {
            remotes.addSessions(remote, 1);
        }
    }

    void closed(final int remoteAddress, final int mapping)
    {
        mappingSessions[mapping]--;
        final int remote = remotes.find(remoteAddress);
        if (remote >= 0)
        {
            remotes.addSessions(remote, -1);
        }
    }

    /**
     * @return sessions opened from outside through the mapping.
     */
    int sessionsThrough(final int mapping)
    {
        return mappingSessions[mapping];
    }

    long capacityBytes()
    {
        return remotes.capacityBytes() + 4L * mappingSessions.length;
    }
}
