package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;

/**
 * The control plane's commands applied to the tables: static mappings, inbound mappings opened
 * for a while (PCP, UPnP, firewall traversal). Each ends in one completion event, counted applied
 * or rejected. Stamped with the duty cycle's time ({@link NatTables#commandTimeNs}).
 */
final class MappingCommands implements NatCommands
{
    private final NatTables tables;
    private final MappingTable mappings;
    private final ClientTable clients;
    private final PortAllocator ports;
    private final SessionFactory factory;
    private final SessionReaper reaper;
    private final FixedEndpointMappings fixedEndpoints;

    MappingCommands(
        final NatTables tables, final SessionFactory factory, final SessionReaper reaper,
        final FixedEndpointMappings fixedEndpoints)
    {
        this.fixedEndpoints = fixedEndpoints;
        this.tables = tables;
        this.mappings = tables.mappings;
        this.clients = tables.clients;
        this.ports = tables.ports;
        this.factory = factory;
        this.reaper = reaper;
    }

    public void commandTimeNs(final long nowNs)
    {
        tables.commandTimeNs = nowNs;
    }

    public void addStaticMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        final long nowNs = tables.commandTimeNs;
        reaper.reclaimIfFull(nowNs);
        final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || publicPort == 0)
        {
            completed(correlationId, CommandStatus.BAD_ARGUMENT, 0, 0);
            return;
        }
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
        if (mappings.findByInside(insideAddress, insidePort, protocol) != MappingTable.NONE)
        {
            completed(correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0);
            return;
        }
        if (fixedEndpoints.create(correlationId, protocol, insideAddress, insidePort, addressIndex, publicPort,
            MappingKind.STATIC, nowNs) < 0)
        {
            return;
        }
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        final int mapping = mappings.findByPublic(publicAddress, publicPort, protocol);
        if (mapping == MappingTable.NONE || mappings.kind(mapping) != MappingKind.STATIC)
        {
            completed(correlationId, CommandStatus.NOT_FOUND, 0, 0);
            return;
        }
        reaper.endMapping(mapping, false, tables.commandTimeNs);
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    public void openInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicPort, final int remoteAddress, final long lifetimeNs)
    {
        final long nowNs = tables.commandTimeNs;
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || lifetimeNs <= 0)
        {
            completed(correlationId, CommandStatus.BAD_ARGUMENT, 0, 0);
            return;
        }
        if (!tables.canRecordNewMapping())
        {
            completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
            return;
        }
        reaper.reclaimIfFull(nowNs);
        final InboundMappings inbound = tables.inboundMappings;
        int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping != MappingTable.NONE)
        {
            final MappingKind kind = mappings.kind(mapping);
            if (kind == MappingKind.STATIC)
            {
                completed(correlationId, CommandStatus.CONFLICTS_WITH_STATIC, 0, 0);
                return;
            }
            if (kind == MappingKind.DYNAMIC)
            {
                final boolean held = mappings.deadlineNs(mapping) != 0; // restored, already listed
                if (!held && inbound.isFull())
                {
                    completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                    return;
                }
                mappings.kind(mapping, MappingKind.INBOUND);
                if (!held)
                {
                    inbound.add(mapping);
                }
            }
        }
        else
        {
            if (inbound.isFull())
            {
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            final int client = clients.findOrCreate(insideAddress);
            if (client < 0)
            {
                completed(correlationId, CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            final int portsPerClient = tables.config.portsPerClient();
            if (portsPerClient > 0 && clients.ports(client) >= portsPerClient)
            {
                clients.releaseIfEmpty(client);
                completed(correlationId, CommandStatus.QUOTA_EXCEEDED, 0, 0);
                return;
            }
            final int addressIndex = tables.portAssigner.addressIndex(insideAddress);
            final int wanted = publicPort != 0 && addressIndex >= 0 && ports.isFree(addressIndex, protocol, publicPort) &&
                tables.portAssigner.mayTake(insideAddress, addressIndex, publicPort) ? publicPort : 0;
            mapping = factory.createMapping(
                protocol, insideAddress, insidePort, addressIndex, wanted, MappingKind.INBOUND, client, nowNs, true);
            if (mapping < 0)
            {
                clients.releaseIfEmpty(client);
                completed(correlationId, mapping == NatEngine.drop(DropReason.OUT_OF_PORTS) ?
                    CommandStatus.OUT_OF_PORTS : CommandStatus.TABLE_FULL, 0, 0);
                return;
            }
            inbound.add(mapping);
        }
        mappings.remoteFilter(mapping, remoteAddress);
        mappings.deadlineNs(mapping, nowNs + lifetimeNs);
        completed(correlationId, CommandStatus.OK, mappings.publicAddress(mapping), mappings.publicPort(mapping));
    }

    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        final int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping == MappingTable.NONE || mappings.kind(mapping) != MappingKind.INBOUND)
        {
            completed(correlationId, CommandStatus.NOT_FOUND, 0, 0);
            return;
        }
        final int publicAddress = mappings.publicAddress(mapping);
        final int publicPort = mappings.publicPort(mapping);
        reaper.endMapping(mapping, false, tables.commandTimeNs);
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        final SessionTable sessions = tables.sessions;
        final int session = sessions.findOutbound(protocol, insideAddress, insidePort, remoteAddress, remotePort);
        if (session == SessionTable.NONE)
        {
            completed(correlationId, CommandStatus.NOT_FOUND, 0, 0);
            return;
        }
        final int publicAddress = sessions.publicAddress(session);
        final int publicPort = sessions.publicPort(session);
        reaper.removeSession(session, false, tables.commandTimeNs);
        completed(correlationId, CommandStatus.OK, publicAddress, publicPort);
    }

    private void completed(
        final long correlationId, final CommandStatus status, final int publicAddress, final int publicPort)
    {
        tables.completeCommand(correlationId, status, publicAddress, publicPort);
    }
}
