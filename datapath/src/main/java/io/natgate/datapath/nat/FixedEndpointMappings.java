package io.natgate.datapath.nat;

/**
 * A mapping made on a public endpoint the caller names rather than one the allocator picks: a static
 * mapping's, or the one an active peer chose for a session it replicates. What both need once the
 * endpoint's address is known to be public and the creation can be journaled: the port free, the
 * client's entry, the mapping, each failure ending the command with its status.
 */
final class FixedEndpointMappings
{
    private final NatTables tables;
    private final SessionFactory factory;

    FixedEndpointMappings(final NatTables tables, final SessionFactory factory)
    {
        this.tables = tables;
        this.factory = factory;
    }

    /**
     * @return the new mapping, or a negative value once the command has been completed with why it was not made.
     */
    int create(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int addressIndex, final int publicPort, final MappingKind kind, final long nowNs)
    {
        if (!tables.ports.isFree(addressIndex, protocol, publicPort))
        {
            tables.completeCommand(correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE, 0, 0);
            return -1;
        }
        final ClientTable clients = tables.clients;
        final int client = clients.findOrCreate(insideAddress);
        if (client < 0)
        {
            tables.completeCommand(correlationId, CommandStatus.TABLE_FULL, 0, 0);
            return -1;
        }
        final int mapping = factory.createMapping(
            protocol, insideAddress, insidePort, addressIndex, publicPort, kind, client, nowNs, true);
        if (mapping < 0)
        {
            clients.releaseIfEmpty(client);
            tables.completeCommand(correlationId, CommandStatus.TABLE_FULL, 0, 0);
            return -1;
        }
        return mapping;
    }
}
