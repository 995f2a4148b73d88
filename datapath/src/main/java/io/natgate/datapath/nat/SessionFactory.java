package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.TcpSegment;

import static io.natgate.datapath.nat.NatEngine.drop;

/**
 * Makes sessions and mappings: the policy and quota checks, the public port, the mapping, the
 * session with its precomputed rewrite, the links between them, the counts and the events. Runs
 * only for the first packet of a flow (and for commands and restores).
 */
final class SessionFactory
{
    private final NatTables tables;
    private final NatConfig config;
    private final SessionTable sessions;
    private final MappingTable mappings;
    private final ClientTable clients;
    private final SessionEvents events;
    private final SessionReaper reaper;

    SessionFactory(final NatTables tables, final SessionEvents events, final SessionReaper reaper)
    {
        this.tables = tables;
        this.config = tables.config;
        this.sessions = tables.sessions;
        this.mappings = tables.mappings;
        this.clients = tables.clients;
        this.events = events;
        this.reaper = reaper;
    }

    /**
     * @return the new session, or a drop code.
     */
    int createOutbound(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final long nowNs)
    {
        if (!tables.policy.allowOutbound(nowNs, protocol, insideAddress, insidePort, remoteAddress, remotePort))
        {
            return drop(DropReason.FILTERED_BY_POLICY);
        }
        if (!tables.events.canRecordCreation())
        {
            return drop(DropReason.EVENT_RING_FULL); // no mapping goes unrecorded
        }
        final RecordKeeping keeping = tables.recordKeeping;
        if (!keeping.recordsSessions() || (!keeping.recordsMappings() &&
            mappings.findByInside(insideAddress, insidePort, protocol) == MappingTable.NONE))
        {
            return drop(DropReason.JOURNAL_UNWRITABLE); // only a session on a mapping already recorded may open
        }
        final int known = clients.find(insideAddress);
        if (known >= 0 && isOverOwnSessionQuota(known))
        {
            return drop(DropReason.CLIENT_SESSION_QUOTA); // before it could make room at others' expense
        }
        reaper.reclaimIfFull(nowNs);
        if (sessions.size() == sessions.capacity())
        {
            return drop(DropReason.MAX_SESSIONS); // before any mapping is made: no created/removed pair
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return drop(DropReason.MAX_SESSIONS);
        }
        if (isOverOwnSessionQuota(client))
        {
            clients.releaseIfEmpty(client);
            return drop(DropReason.CLIENT_SESSION_QUOTA);
        }

        int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        boolean newMapping = false;
        if (mapping == MappingTable.NONE)
        {
            if (config.portsPerClient() > 0 && clients.ports(client) >= config.portsPerClient())
            {
                clients.releaseIfEmpty(client);
                tables.portAssigner.quotaExceeded(insideAddress, config.portsPerClient(), nowNs);
                return drop(DropReason.CLIENT_PORT_QUOTA);
            }
            mapping = createMapping(
                protocol, insideAddress, insidePort, tables.portAssigner.addressIndex(insideAddress), 0,
                MappingKind.DYNAMIC, client, nowNs, true);
            if (mapping < 0)
            {
                clients.releaseIfEmpty(client);
                return mapping;
            }
            newMapping = true;
        }

        final int session = addSession(mapping, remoteAddress, remotePort, client, nowNs);
        if (session < 0 && newMapping)
        {
            reaper.removeMapping(mapping, false, nowNs);
        }
        else if (session < 0)
        {
            clients.releaseIfEmpty(client);
        }
        else
        {
            events.report(SessionEvents.CREATED, session, nowNs);
        }
        return session;
    }

    /**
     * A packet from outside matched a mapping but no session: the filtering behaviour decides
     * whether it may open one (RFC 4787 REQ-8; RFC 5382 REQ-3 for TCP), then the flow policy.
     *
     * @return the new session, or a drop code.
     */
    int createInbound(
        final int protocol, final int remoteAddress, final int remotePort, final int publicAddress,
        final int publicPort, final int tcpFlags, final long nowNs)
    {
        int mapping = mappings.findByPublic(publicAddress, publicPort, protocol);
        if (mapping == MappingTable.NONE)
        {
            return drop(DropReason.NO_MAPPING);
        }
        if (protocol == Ipv4Protocols.TCP && (tcpFlags & (TcpSegment.SYN | TcpSegment.RST)) != TcpSegment.SYN)
        {
            // only a SYN may open an inbound TCP session; anything else is stray
            return drop(DropReason.FILTERED);
        }
        if (!isAdmitted(mapping, remoteAddress))
        {
            return drop(DropReason.FILTERED);
        }
        if (!tables.policy.allowInbound(nowNs, protocol, remoteAddress, remotePort, mappings.insideAddress(mapping),
            mappings.insidePort(mapping), mappings.kind(mapping)))
        {
            return drop(DropReason.FILTERED_BY_POLICY);
        }
        if (!tables.events.canRecordCreation())
        {
            return drop(DropReason.EVENT_RING_FULL);
        }
        if (!tables.recordKeeping.recordsSessions())
        {
            return drop(DropReason.JOURNAL_UNWRITABLE);
        }
        final boolean hairpinned = tables.publicAddresses.contains(remoteAddress);
        final DropReason limit = hairpinned ? null : tables.inboundLimits.refusal(remoteAddress, mapping);
        if (limit == DropReason.MAPPING_SESSION_LIMIT && reaper.evictEmbryonicThrough(mapping, nowNs))
        {
            mapping = mappings.findByPublic(publicAddress, publicPort, protocol); // the last session may take it
            if (mapping == MappingTable.NONE)
            {
                return drop(DropReason.NO_MAPPING);
            }
        }
        else if (limit != null)
        {
            return drop(limit);
        }
        if (sessions.size() == sessions.capacity())
        {
            // only now, when the packet would be admitted, may it make room; what goes may take the mapping
            reaper.reclaimIfFull(nowNs);
            mapping = mappings.findByPublic(publicAddress, publicPort, protocol);
            if (mapping == MappingTable.NONE)
            {
                return drop(DropReason.NO_MAPPING);
            }
        }

        final int client = clients.findOrCreate(mappings.insideAddress(mapping));
        if (client < 0)
        {
            return drop(DropReason.MAX_SESSIONS);
        }
        // what outsiders open through a forward, PCP or firewall mapping has a budget of its own, so a flood
        // through one leaves the host behind it its own quota; through its own dynamic mappings it spends that
        final boolean forwarded = !hairpinned && mappings.kind(mapping) != MappingKind.DYNAMIC;
        if (config.sessionsPerClient() > 0 &&
            (forwarded ? clients.inboundSessions(client) >= config.sessionsPerClient() : isOverOwnSessionQuota(client)))
        {
            clients.releaseIfEmpty(client);
            return drop(DropReason.CLIENT_SESSION_QUOTA);
        }
        final int session = addSession(mapping, remoteAddress, remotePort, client, nowNs);
        if (session < 0)
        {
            clients.releaseIfEmpty(client);
        }
        else
        {
            if (mappings.kind(mapping) != MappingKind.DYNAMIC)
            {
                sessions.admittedInbound(session);
            }
            if (!hairpinned)
            {
                sessions.openedInbound(session);
                tables.inboundLimits.opened(remoteAddress, mapping);
            }
            if (forwarded)
            {
                clients.addInboundSessions(client, 1);
            }
            events.report(SessionEvents.CREATED, session, nowNs);
        }
        return session;
    }

    /**
     * @return whether the client holds its quota of sessions, less those outsiders opened through its forwards, PCP
     * and firewall mappings (which have their own budget, {@link ClientTable#inboundSessions}).
     */
    private boolean isOverOwnSessionQuota(final int client)
    {
        return config.sessionsPerClient() > 0 &&
            clients.sessions(client) - clients.inboundSessions(client) >= config.sessionsPerClient();
    }

    /**
     * Whether the filtering behaviour lets a remote open a session through a mapping. A hairpinned packet
     * (its source one of our public addresses: an inside host's, as no outside packet may carry one) passes
     * every filter: inside hosts share a LAN and could reach each other directly anyway.
     */
    private boolean isAdmitted(final int mapping, final int remoteAddress)
    {
        final MappingKind kind = mappings.kind(mapping);
        if (kind == MappingKind.STATIC || tables.publicAddresses.contains(remoteAddress))
        {
            return true;
        }
        if (kind == MappingKind.INBOUND)
        {
            final int filter = mappings.remoteFilter(mapping);
            return filter == 0 || filter == remoteAddress;
        }
        switch (config.filtering())
        {
            case ENDPOINT_INDEPENDENT:
                return true;
            case ADDRESS_DEPENDENT:
                for (int s = mappings.firstSession(mapping); s != SessionTable.NONE; s = sessions.mappingNext(s))
                {
                    if (sessions.remoteAddress(s) == remoteAddress)
                    {
                        return true;
                    }
                }
                return false;
            default:
                return false; // an admitted remote endpoint would have matched its session exactly
        }
    }

    /**
     * Adds a session to a mapping, with the initial deadline of its protocol; reports nothing.
     *
     * @return the new session, or a drop code.
     */
    int addSession(
        final int mapping, final int remoteAddress, final int remotePort, final int client, final long nowNs)
    {
        final int protocol = mappings.protocol(mapping);
        final int session = sessions.add(
            protocol, mappings.insideAddress(mapping), mappings.insidePort(mapping), remoteAddress, remotePort,
            mappings.publicAddress(mapping), mappings.publicPort(mapping), mapping, nowNs);
        if (session == SessionTable.NONE)
        {
            return drop(DropReason.MAX_SESSIONS);
        }

        tables.mappingSessions.addNewest(mapping, session);
        clients.addSessions(client, 1);
        final int timeoutClass = SessionRefresh.initialClass(protocol);
        sessions.place(session, timeoutClass, nowNs + tables.timeoutNs(timeoutClass));

        tables.counters.increment(GlobalCounter.SESSIONS_CREATED);
        tables.counters.set(GlobalCounter.SESSIONS_ACTIVE, sessions.size());
        return session;
    }

    /**
     * @param wantedPublicPort the public port to take, or 0 to allocate one.
     * @param report           whether to report the mapping (not when restoring one).
     * @return the new mapping, or a drop code.
     */
    int createMapping(
        final int protocol, final int insideAddress, final int insidePort, final int addressIndex,
        final int wantedPublicPort, final MappingKind kind, final int client, final long nowNs, final boolean report)
    {
        if (addressIndex < 0)
        {
            return drop(DropReason.OUT_OF_PORTS);
        }
        final PortAllocator ports = tables.ports;
        final int publicPort;
        if (wantedPublicPort != 0)
        {
            if (!ports.tryAcquire(addressIndex, protocol, wantedPublicPort))
            {
                return drop(DropReason.OUT_OF_PORTS);
            }
            publicPort = wantedPublicPort;
            tables.portAssigner.taken(insideAddress, addressIndex, publicPort);
        }
        else
        {
            publicPort = tables.portAssigner.assign(client, insideAddress, addressIndex, protocol, insidePort, nowNs);
            if (publicPort < 0)
            {
                return publicPort;
            }
        }
        final int publicAddress = tables.publicAddresses.address(addressIndex);
        final int mapping = mappings.add(
            protocol, insideAddress, insidePort, publicAddress, publicPort, addressIndex, kind);
        if (mapping == MappingTable.NONE)
        {
            tables.portAssigner.release(insideAddress, addressIndex, protocol, publicPort, nowNs);
            return drop(DropReason.MAX_SESSIONS);
        }
        clients.addPorts(client, 1);
        tables.counters.set(GlobalCounter.MAPPINGS_ACTIVE, mappings.size());
        tables.counters.set(GlobalCounter.PORTS_IN_USE, ports.portsInUse());
        if (report)
        {
            tables.events.onMappingCreated(
                nowNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind.id());
        }
        return mapping;
    }
}
