package io.natgate.datapath.nat;

/**
 * Reads the tables for the admin endpoint, digests and tests: counts, capacities, walks.
 */
final class NatInspection
{
    private final NatTables tables;
    private final SessionTable sessions;
    private final MappingTable mappings;

    NatInspection(final NatTables tables)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
        this.mappings = tables.mappings;
    }

    long tableCapacityBytes()
    {
        return sessions.capacityBytes() + mappings.capacityBytes() + tables.clients.capacityBytes() +
            tables.ports.capacityBytes() + tables.portAssigner.capacityBytes();
    }

    double bytesPerSession()
    {
        return (double)(sessions.capacityBytes() + mappings.capacityBytes()) / sessions.capacity();
    }

    void forEachSession(final SessionVisitor visitor)
    {
        forEachSession(0, sessions.capacity(), visitor);
    }

    int forEachSession(final int fromRecord, final int recordCount, final SessionVisitor visitor)
    {
        final int end = (int)Math.min(sessions.capacity(), (long)Math.max(0, fromRecord) + recordCount);
        for (int s = Math.max(0, fromRecord); s < end; s++)
        {
            if (sessions.isLive(s))
            {
                visitor.onSession(
                    sessions.protocol(s), sessions.insideAddress(s), sessions.insidePort(s), sessions.publicAddress(s),
                    sessions.publicPort(s), sessions.remoteAddress(s), sessions.remotePort(s), sessions.deadlineNs(s),
                    sessions.tcpFlags(s), mappings.kind(sessions.mapping(s)));
            }
        }
        return end >= sessions.capacity() ? -1 : end;
    }

    int visitSessions(final int cursor, final int maxExamined, final SessionStatsVisitor visitor)
    {
        final SessionTable sessions = this.sessions;
        final int end = (int)Math.min(sessions.capacity(), (long)Math.max(0, cursor) + Math.max(1, maxExamined));
        for (int s = Math.max(0, cursor); s < end; s++)
        {
            if (sessions.isLive(s))
            {
                visitor.onSession(
                    sessions.protocol(s), sessions.insideAddress(s), sessions.insidePort(s), sessions.publicAddress(s),
                    sessions.publicPort(s), sessions.remoteAddress(s), sessions.remotePort(s), sessions.deadlineNs(s),
                    sessions.tcpFlags(s), mappings.kind(sessions.mapping(s)), sessions.packetsOut(s),
                    sessions.bytesOut(s), sessions.packetsIn(s), sessions.bytesIn(s), sessions.createdNs(s));
            }
        }
        return end < sessions.capacity() ? end : -1;
    }

    int forEachClient(final int fromEntry, final int entryCount, final ClientVisitor visitor)
    {
        final ClientTable clients = tables.clients;
        final int end = (int)Math.min(clients.capacity(), (long)Math.max(0, fromEntry) + entryCount);
        for (int c = Math.max(0, fromEntry); c < end; c++)
        {
            if (clients.isLive(c))
            {
                visitor.onClient(clients.address(c), clients.ports(c), clients.sessions(c));
            }
        }
        return end >= clients.capacity() ? -1 : end;
    }

    void forEachMapping(final MappingVisitor visitor)
    {
        for (int m = 0; m < mappings.capacity(); m++)
        {
            if (mappings.isLive(m))
            {
                int count = 0;
                for (int s = mappings.firstSession(m); s != SessionTable.NONE; s = sessions.mappingNext(s))
                {
                    count++;
                }
                visitor.onMapping(
                    mappings.protocol(m), mappings.insideAddress(m), mappings.insidePort(m), mappings.publicAddress(m),
                    mappings.publicPort(m), mappings.kind(m), count, mappings.deadlineNs(m));
            }
        }
    }
}
