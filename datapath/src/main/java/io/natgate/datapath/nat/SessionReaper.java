package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;

/**
 * Ends sessions and mappings: expiry by deadline, oldest first, a bounded amount per call; the
 * reclaim a full table runs before it refuses a new session; removal of a session with the
 * dynamic mapping it leaves empty; the end of a static or inbound mapping.
 */
final class SessionReaper
{
    private static final long INBOUND_MAPPING_SCAN_INTERVAL_NS = 100_000_000L;
    private static final int RECLAIM_LIMIT = 64;

    private final NatTables tables;
    private final SessionTable sessions;
    private final MappingTable mappings;
    private final SessionEvents events;
    private final DatapathCounters counters;
    private final int[] fragmentTimeoutsPerPort;
    private final EarlyDrop earlyDrop;
    private long nextInboundMappingScanNs;
    private boolean inboundMappingScanStarted; // the clock may start anywhere, negative included

    SessionReaper(final NatTables tables, final SessionEvents events)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
        this.mappings = tables.mappings;
        this.events = events;
        this.counters = tables.counters;
        this.fragmentTimeoutsPerPort = new int[tables.counters.portCount()];
        this.earlyDrop = new EarlyDrop(tables);
    }

    /**
     * Expires sessions (and with them dynamic mappings), inbound mappings, fragment flows and held
     * fragments whose deadline has passed, at most {@code limit} sessions per call.
     *
     * @return the amount of work done.
     */
    int expire(final long nowNs, final int limit)
    {
        int work = 0;
        for (int timeoutClass = 0; timeoutClass < SessionTable.CLASS_COUNT; timeoutClass++)
        {
            int session;
            while (work < limit && tables.events.canRecordRemoval() &&
                (session = sessions.expired(timeoutClass, nowNs)) != SessionTable.NONE)
            {
                removeSession(session, true, nowNs);
                counters.increment(GlobalCounter.SESSIONS_EXPIRED);
                work++;
            }
        }

        if (!inboundMappingScanStarted || nowNs - nextInboundMappingScanNs >= 0)
        {
            inboundMappingScanStarted = true;
            nextInboundMappingScanNs = nowNs + INBOUND_MAPPING_SCAN_INTERVAL_NS;
            final InboundMappings inbound = tables.inboundMappings;
            for (int i = inbound.count() - 1; i >= 0; i--)
            {
                final int mapping = inbound.get(i);
                if (mappings.deadlineNs(mapping) - nowNs <= 0 && tables.events.canRecordRemoval())
                {
                    endMapping(mapping, true, nowNs);
                    work++;
                }
            }
            final int[] timeouts = fragmentTimeoutsPerPort;
            work += tables.fragments.expire(nowNs, timeouts);
            work += tables.portAssigner.interim(nowNs, 4096);
            for (int port = 0; port < timeouts.length; port++)
            {
                for (; timeouts[port] > 0; timeouts[port]--)
                {
                    counters.drop(port, DropReason.FRAGMENT_TIMEOUT);
                }
            }
        }
        return work;
    }

    /**
     * A full table reclaims sessions already past their deadline, and the dynamic mappings they
     * leave empty, before refusing a new one; when none has expired it gives up the least recently
     * active unanswered session ({@link EarlyDrop}). It runs before anything is looked up, since the
     * mapping or client a new session would join may go with them. What it ends must be recordable.
     */
    void reclaimIfFull(final long nowNs)
    {
        if (sessions.size() == sessions.capacity() || mappings.size() == mappings.capacity())
        {
            int reclaimed = 0;
            for (int timeoutClass = 0; timeoutClass < SessionTable.CLASS_COUNT; timeoutClass++)
            {
                int session;
                while (reclaimed < RECLAIM_LIMIT && tables.events.canRecordRemoval() &&
                    (session = sessions.expired(timeoutClass, nowNs)) != SessionTable.NONE)
                {
                    removeSession(session, true, nowNs);
                    reclaimed++;
                }
            }
            counters.add(GlobalCounter.SESSIONS_RECLAIMED, reclaimed);
            if (reclaimed == 0 && tables.events.canRecordRemoval())
            {
                final int victim = earlyDrop.victim();
                if (victim != SessionTable.NONE)
                {
                    removeSession(victim, false, nowNs);
                    counters.increment(GlobalCounter.SESSIONS_EARLY_DROPPED);
                }
            }
        }
    }

    /**
     * A mapping at its limit of sessions opened from outside makes room for a new one as conntrack's early drop
     * does, but among its own: it gives up the oldest of them nobody answered ({@link SessionTable#isEmbryonic}),
     * so a flood through a forward pushes out only its own half-open sessions and another remote still gets in.
     * Established and answered sessions are never chosen: those met on the way go to the newest end of the
     * mapping's list, so a later call does not look at them again first. Looks at {@link EarlyDrop#SCAN_PER_CLASS}
     * sessions at most. What it ends must be recordable.
     *
     * @return whether a session was given up (it may have taken a dynamic mapping with it).
     */
    boolean evictEmbryonicThrough(final int mapping, final long nowNs)
    {
        if (!tables.events.canRecordRemoval())
        {
            return false;
        }
        final MappingSessions list = tables.mappingSessions;
        final int newest = mappings.firstSession(mapping);
        int session = list.oldest(mapping);
        for (int scanned = 0; session != SessionTable.NONE && scanned < EarlyDrop.SCAN_PER_CLASS; scanned++)
        {
            final int older = session == newest ? SessionTable.NONE : list.older(mapping, session);
            if (sessions.isOpenedInbound(session) && sessions.isEmbryonic(session))
            {
                removeSession(session, false, nowNs);
                counters.increment(GlobalCounter.MAPPING_SESSIONS_EARLY_DROPPED);
                return true;
            }
            if (session != newest)
            {
                list.remove(mapping, session);
                list.addNewest(mapping, session);
            }
            session = older;
        }
        return false;
    }

    void removeSession(final int session, final boolean expired, final long nowNs)
    {
        events.report(expired ? SessionEvents.EXPIRED : SessionEvents.REMOVED, session, nowNs);
        final int mapping = sessions.mapping(session);
        tables.mappingSessions.remove(mapping, session);

        final boolean openedInbound = sessions.isOpenedInbound(session);
        // opened from outside through an inbound mapping: counted in its client's inbound budget
        final boolean forwarded = openedInbound && sessions.isAdmittedInbound(session);
        if (openedInbound)
        {
            tables.inboundLimits.closed(sessions.remoteAddress(session), mapping);
        }
        final ClientTable clients = tables.clients;
        final int client = clients.find(sessions.insideAddress(session));
        sessions.remove(session);
        if (client >= 0)
        {
            if (forwarded)
            {
                clients.addInboundSessions(client, -1);
            }
            clients.addSessions(client, -1);
        }
        counters.set(GlobalCounter.SESSIONS_ACTIVE, sessions.size());

        if (mappings.firstSession(mapping) == SessionTable.NONE && mappings.kind(mapping) == MappingKind.DYNAMIC &&
            mappings.deadlineNs(mapping) == 0)
        {
            removeMapping(mapping, expired, nowNs);
        }
    }

    void removeMapping(final int mapping, final boolean expired, final long nowNs)
    {
        final int protocol = mappings.protocol(mapping);
        final int insideAddress = mappings.insideAddress(mapping);
        final int insidePort = mappings.insidePort(mapping);
        final int publicAddress = mappings.publicAddress(mapping);
        final int publicPort = mappings.publicPort(mapping);
        if (mappings.kind(mapping) == MappingKind.INBOUND || mappings.deadlineNs(mapping) != 0)
        {
            tables.inboundMappings.forget(mapping);
        }
        tables.portAssigner.release(insideAddress, mappings.publicAddressIndex(mapping), protocol, publicPort, nowNs);
        mappings.remove(mapping);
        final int client = tables.clients.find(insideAddress);
        if (client >= 0)
        {
            tables.clients.addPorts(client, -1);
        }
        counters.set(GlobalCounter.MAPPINGS_ACTIVE, mappings.size());
        counters.set(GlobalCounter.PORTS_IN_USE, tables.ports.portsInUse());
        if (expired)
        {
            tables.events.onMappingExpired(nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
        else
        {
            tables.events.onMappingRemoved(nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
    }

    /**
     * Ends a static or inbound mapping: the sessions that came in through it end with it, so nothing
     * new or old reaches the inside endpoint that way any more. When the inside endpoint also has
     * sessions it opened itself, the mapping stays for them as a dynamic one.
     */
    void endMapping(final int mapping, final boolean expired, final long nowNs)
    {
        if (mappings.kind(mapping) == MappingKind.INBOUND || mappings.deadlineNs(mapping) != 0)
        {
            tables.inboundMappings.forget(mapping);
        }
        mappings.kind(mapping, MappingKind.DYNAMIC);
        mappings.remoteFilter(mapping, 0);
        mappings.deadlineNs(mapping, 0);

        int outboundOpened = 0;
        for (int s = mappings.firstSession(mapping); s != SessionTable.NONE; s = sessions.mappingNext(s))
        {
            outboundOpened += sessions.isAdmittedInbound(s) ? 0 : 1;
        }
        if (mappings.firstSession(mapping) == SessionTable.NONE)
        {
            removeMapping(mapping, expired, nowNs);
            return;
        }
        // removing the last session removes the (now dynamic) mapping too
        int session = mappings.firstSession(mapping);
        while (session != SessionTable.NONE)
        {
            final int next = sessions.mappingNext(session);
            if (outboundOpened == 0 || sessions.isAdmittedInbound(session))
            {
                removeSession(session, expired, nowNs);
            }
            session = next;
        }
    }
}
