package io.natgate.datapath.nat;

/**
 * Puts back the mappings and sessions a journal says were live, before the first frame of a
 * restart. Nothing is reported: whoever restores journals what it restored.
 */
final class WarmRestore
{
    private final NatTables tables;
    private final SessionTable sessions;
    private final MappingTable mappings;
    private final ClientTable clients;
    private final SessionFactory factory;

    WarmRestore(final NatTables tables, final SessionFactory factory)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
        this.mappings = tables.mappings;
        this.clients = tables.clients;
        this.factory = factory;
    }

    /**
     * See {@link NatEngine#restoreMapping}.
     */
    CommandStatus restoreMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final MappingKind kind, final long holdUntilNs)
    {
        final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
        if (!Ipv4Protocols.isTranslated(protocol) || insidePort == 0 || publicPort == 0 ||
            kind == MappingKind.INBOUND || (kind == MappingKind.DYNAMIC && holdUntilNs == 0))
        {
            return CommandStatus.BAD_ARGUMENT;
        }
        if (addressIndex < 0)
        {
            return CommandStatus.NOT_A_PUBLIC_ADDRESS;
        }
        if (mappings.findByInside(insideAddress, insidePort, protocol) != MappingTable.NONE ||
            !tables.ports.isFree(addressIndex, protocol, publicPort))
        {
            return CommandStatus.PUBLIC_ENDPOINT_IN_USE;
        }
        if (kind == MappingKind.DYNAMIC && tables.inboundMappings.isFull())
        {
            return CommandStatus.TABLE_FULL;
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return CommandStatus.TABLE_FULL;
        }
        final int mapping = factory.createMapping(
            protocol, insideAddress, insidePort, addressIndex, publicPort, kind, client, tables.commandTimeNs, false);
        if (mapping < 0)
        {
            clients.releaseIfEmpty(client);
            return CommandStatus.TABLE_FULL;
        }
        if (kind == MappingKind.DYNAMIC)
        {
            mappings.deadlineNs(mapping, holdUntilNs);
            tables.inboundMappings.add(mapping);
        }
        return CommandStatus.OK;
    }

    /**
     * See {@link NatEngine#restoreSession}.
     */
    CommandStatus restoreSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int state, final long deadlineNs)
    {
        final int mapping = mappings.findByInside(insideAddress, insidePort, protocol);
        if (mapping == MappingTable.NONE)
        {
            return CommandStatus.NOT_FOUND;
        }
        if (sessions.findOutbound(protocol, insideAddress, insidePort, remoteAddress, remotePort) != SessionTable.NONE)
        {
            return CommandStatus.PUBLIC_ENDPOINT_IN_USE;
        }
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            return CommandStatus.TABLE_FULL;
        }
        final int session = factory.addSession(mapping, remoteAddress, remotePort, client, tables.commandTimeNs);
        if (session < 0)
        {
            clients.releaseIfEmpty(client);
            return CommandStatus.TABLE_FULL;
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
            SessionRefresh.isEstablished(tcpState) ?
                SessionTable.CLASS_TCP_ESTABLISHED : SessionTable.CLASS_TCP_TRANSITORY;
        sessions.place(session, timeoutClass, deadlineNs);
        return CommandStatus.OK;
    }
}
