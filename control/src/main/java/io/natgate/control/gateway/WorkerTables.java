package io.natgate.control.gateway;

import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.pipeline.Pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin views of the NAT tables, gathered from every worker: each worker reads its own tables on its own
 * thread, {@link #WALK_CHUNK_RECORDS} records per task between its bursts, so a listing never holds a worker up
 * for long and never stops the others; the chunks are handed on on the caller's thread (it may write to a slow
 * client). Worker by worker, so a session that moves on meanwhile may be seen as it was.
 */
final class WorkerTables
{
    /** Table records a worker reads per task when a listing walks its tables. */
    static final int WALK_CHUNK_RECORDS = 4096;

    private final Pipeline pipeline;
    private final NatWorkers workers;
    private final NatConfig total;
    private final long timeoutNs;

    /**
     * @param total the whole gateway's configuration: its table sizes and quotas, which the workers share.
     */
    WorkerTables(final Pipeline pipeline, final NatWorkers workers, final NatConfig total, final long timeoutMs)
    {
        this.pipeline = pipeline;
        this.workers = workers;
        this.total = total;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    /**
     * @see Gateway#sessions
     */
    int sessions(final SessionQuery query, final int limit, final Consumer<List<SessionView>> chunk)
    {
        int count = 0;
        for (int worker = 0; worker < workers.workers() && count < limit; worker++)
        {
            final NatEngine nat = workers.engine(worker);
            for (int next = 0; next >= 0 && count < limit; )
            {
                final int from = next;
                final int room = limit - count;
                final List<SessionView> sessions = new ArrayList<>();
                next = onWorker(worker, () ->
                {
                    final long nowNs = System.nanoTime();
                    return nat.visitSessions(from, WALK_CHUNK_RECORDS, (protocol, insideAddress, insidePort,
                        publicAddress, publicPort, remoteAddress, remotePort, deadlineNs, tcpFlags, kind, packetsOut,
                        bytesOut, packetsIn, bytesIn, createdNs) ->
                    {
                        if (sessions.size() < room && query.matches(protocol, insideAddress, insidePort,
                            publicAddress, publicPort, remoteAddress, remotePort, tcpFlags))
                        {
                            sessions.add(new SessionView(protocol, insideAddress, insidePort, publicAddress,
                                publicPort, remoteAddress, remotePort, kind, SessionState.of(protocol, tcpFlags),
                                Math.max(0, (deadlineNs - nowNs) / 1_000_000),
                                Math.max(0, (nowNs - createdNs) / 1_000_000), packetsOut, bytesOut, packetsIn,
                                bytesIn));
                        }
                    });
                });
                if (!sessions.isEmpty())
                {
                    count += sessions.size();
                    chunk.accept(sessions);
                }
            }
        }
        return count;
    }

    /**
     * @see Gateway#clients
     */
    void clients(final Consumer<List<ClientView>> chunk)
    {
        for (int worker = 0; worker < workers.workers(); worker++)
        {
            final NatEngine nat = workers.engine(worker);
            for (int next = 0; next >= 0; )
            {
                final int from = next;
                final List<ClientView> clients = new ArrayList<>();
                next = onWorker(worker, () ->
                {
                    final int portQuota = total.portsPerClient();
                    final int sessionQuota = total.sessionsPerClient();
                    return nat.forEachClient(from, WALK_CHUNK_RECORDS, (address, ports, sessions) ->
                        clients.add(new ClientView(address, ports, portQuota, sessions, sessionQuota)));
                });
                if (!clients.isEmpty())
                {
                    chunk.accept(clients);
                }
            }
        }
    }

    /**
     * @see Gateway#summary
     */
    TableSummary summary()
    {
        final Map<String, Integer> counts = TableSummary.newCounts();
        for (int worker = 0; worker < workers.workers(); worker++)
        {
            final NatEngine nat = workers.engine(worker);
            for (int next = 0; next >= 0; )
            {
                final int from = next;
                final Map<String, Integer> chunk = new HashMap<>();
                next = onWorker(worker, () -> nat.forEachSession(from, WALK_CHUNK_RECORDS, (protocol, insideAddress,
                    insidePort, publicAddress, publicPort, remoteAddress, remotePort, deadlineNs, tcpFlags, kind) ->
                    chunk.merge(TableSummary.key(protocol, SessionState.of(protocol, tcpFlags)), 1, Integer::sum)));
                chunk.forEach((key, count) -> counts.merge(key, count, Integer::sum));
            }
        }
        return new TableSummary(counts, tableUse());
    }

    /**
     * @see Gateway#tableUse
     */
    TableUse tableUse()
    {
        final int[] publicAddresses = total.publicAddresses();
        final int[] ports = new int[publicAddresses.length];
        int sessions = 0;
        int mappings = 0;
        int clients = 0;
        int portsInUse = 0;
        long tableBytes = 0;
        for (int worker = 0; worker < workers.workers(); worker++)
        {
            final NatEngine nat = workers.engine(worker);
            final WorkerUse use = onWorker(worker, () -> WorkerUse.of(nat, publicAddresses.length));
            for (int i = 0; i < ports.length; i++)
            {
                ports[i] += use.portsByAddress()[i];
            }
            sessions += use.sessions();
            mappings += use.mappings();
            clients += use.clients();
            portsInUse += use.ports();
            tableBytes += use.tableBytes();
        }
        final Map<Integer, Integer> portsByAddress = new LinkedHashMap<>();
        for (int i = 0; i < publicAddresses.length; i++)
        {
            portsByAddress.put(publicAddresses[i], ports[i]);
        }
        return new TableUse(sessions, total.maxSessions(), mappings, total.maxMappings(), clients,
            total.maxClients(), portsInUse, (long)publicAddresses.length * 3 * 65_535, portsByAddress, tableBytes);
    }

    /**
     * One worker's counts, read on its thread.
     */
    private record WorkerUse(int sessions, int mappings, int clients, int ports, long tableBytes, int[] portsByAddress)
    {
        static WorkerUse of(final NatEngine nat, final int addresses)
        {
            final int[] portsByAddress = new int[addresses];
            for (int i = 0; i < addresses; i++)
            {
                portsByAddress[i] = nat.portsInUse(i);
            }
            return new WorkerUse(nat.sessionCount(), nat.mappingCount(), nat.clientCount(), nat.portsInUse(),
                nat.tableCapacityBytes(), portsByAddress);
        }
    }

    /**
     * @see Gateway#mappings
     */
    List<MappingView> mappings(final int limit)
    {
        final List<MappingView> mappings = new ArrayList<>();
        for (int worker = 0; worker < workers.workers() && mappings.size() < limit; worker++)
        {
            final NatEngine nat = workers.engine(worker);
            onWorker(worker, () ->
            {
                final long nowNs = System.nanoTime();
                nat.forEachMapping((protocol, insideAddress, insidePort, publicAddress, publicPort, kind, sessions,
                    deadlineNs) ->
                {
                    if (mappings.size() < limit)
                    {
                        mappings.add(new MappingView(protocol, insideAddress, insidePort, publicAddress, publicPort,
                            kind, sessions, deadlineNs == 0 ? -1 : Math.max(0, (deadlineNs - nowNs) / 1_000_000)));
                    }
                });
                return 0;
            });
        }
        return mappings;
    }

    private <T> T onWorker(final int worker, final Supplier<T> task)
    {
        return pipeline.callOnWorker(worker, task, timeoutNs);
    }
}
