package io.natgate.datapath.nat;

/**
 * A standby's side of replication: the sessions an active peer reports (created, refreshed, or read from its
 * tables for a snapshot) made or brought up to date in this engine, through the command ring like any other
 * command. A session's mapping comes with its first session, on the public endpoint the active chose; the
 * deadline is the session's timeout under this engine's config from now, plus the slack by which the active
 * may report a refresh late ({@link NatEngine#REFRESH_EVENT_SLACK_NS}), as a warm restart takes it. Creations
 * are reported, so the standby's own journal holds what it would forward with.
 */
final class ReplicaCommands
{
    private final NatTables tables;
    private final SessionTable sessions;
    private final MappingTable mappings;
    private final ClientTable clients;
    private final SessionFactory factory;
    private final SessionEvents events;
    private final SessionReaper reaper;
    private final FixedEndpointMappings fixedEndpoints;

    ReplicaCommands(
        final NatTables tables, final SessionFactory factory, final SessionEvents events, final SessionReaper reaper,
        final FixedEndpointMappings fixedEndpoints)
    {
        this.fixedEndpoints = fixedEndpoints;
        this.reaper = reaper;
        this.tables = tables;
        this.sessions = tables.sessions;
        this.mappings = tables.mappings;
        this.clients = tables.clients;
        this.factory = factory;
        this.events = events;
    }

    /**
     * See {@link NatCommands#replicateSession}.
     */
    void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        final long nowNs = tables.commandTimeNs;
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || publicPort == 0)
        {
            completed(correlationId, CommandStatus.BAD_ARGUMENT, 0, 0);
            return;
        }
        int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        final boolean newMapping = mapping == MappingTable.NONE;
        if (newMapping)
        {
            final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
            if (addressIndex < 0)
            {
                completed(correlationId, CommandStatus.NOT_A_PUBLIC_ADDRESS, 0, 0);
                return;
            }
            if (!tables.canRecordNewMapping())
            {
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0); // no mapping goes unrecorded
                return;
            }
            mapping = fixedEndpoints.create(correlationId, protocol, insideAddress, insidePort, addressIndex,
                publicPort, MappingKind.DYNAMIC, nowNs);
            if (mapping < 0)
            {
                return;
            }
        }
        else if (mappings.publicAddress(mapping) != publicAddress || mappings.publicPort(mapping) != publicPort)
        {
            completed(correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0);
            return;
        }

        int session = sessions.findOutbound(protocol, insideAddress, insidePort, remoteAddress, remotePort);
        final boolean created = session == SessionTable.NONE;
        if (created)
        {
            final int client = clients.findOrCreate(insideAddress);
            session = client < 0 ? -1 : factory.addSession(mapping, remoteAddress, remotePort, client, nowNs);
            if (session < 0)
            {
                if (client >= 0)
                {
                    clients.releaseIfEmpty(client);
                }
                if (newMapping)
                {
                    reaper.removeMapping(mapping, false, nowNs); // reported as made, so reported as gone
                }
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
        }
        final int tcpState = state & 0xFF;
        if (protocol == Ipv4Protocols.TCP)
        {
            sessions.tcpFlags(session, tcpState);
        }
        if ((state & NatEngine.SESSION_ADMITTED_INBOUND) != 0 && mappings.kind(mapping) != MappingKind.DYNAMIC)
        {
            sessions.admittedInbound(session);
        }
        final int timeoutClass = protocol != Ipv4Protocols.TCP ? SessionRefresh.initialClass(protocol) :
            SessionRefresh.isEstablished(tcpState) ? SessionTable.CLASS_TCP_ESTABLISHED : SessionTable.CLASS_TCP_TRANSITORY;
        sessions.place(session, timeoutClass, nowNs + tables.timeoutNs(timeoutClass) + NatEngine.REFRESH_EVENT_SLACK_NS);
        if (created)
        {
            events.report(SessionEvents.CREATED, session, nowNs);
        }
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    private void completed(
        final long correlationId, final CommandStatus status, final int publicAddress, final int publicPort)
    {
        tables.completeCommand(correlationId, status, publicAddress, publicPort);
    }
}
