package io.natgate.benchmarks.ha;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.ha.AeronTransport;
import io.natgate.control.ha.HaConfig;
import io.natgate.control.ha.HaNode;
import io.natgate.control.ha.HaRole;
import io.natgate.control.ha.HaStatus;
import io.natgate.control.ha.HaTarget;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.SessionVisitor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How fast an HA pair replicates new sessions (docs/ha.md): two HA nodes, each with its own embedded Aeron media
 * driver, over UDP on loopback; the active is handed session-created events as fast as it publishes them, the
 * standby applies each to a NAT engine of its own (directly: no command ring and worker in between); at most
 * {@link #IN_FLIGHT} records are published and not yet applied (a producer paced by the standby, as records lost to
 * back-pressure would not be "nothing lost"). Prints, per
 * round, sessions replicated per second with nothing lost (records lost, gaps and refusals checked zero) and the
 * lag the active saw; the median of the rounds last.
 * <pre>
 * java @jvm.options -cp ... io.natgate.benchmarks.ha.HaReplicationLoad [SESSIONS [ROUNDS]]
 * </pre>
 */
public final class HaReplicationLoad
{
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int BATCH = 256;
    /**
     * Records published and not yet applied at most: about 400 KB of the stream, well inside the publication's window
     * (half a 4 MiB term), so the producer waits for the standby instead of losing records to back-pressure.
     */
    private static final int IN_FLIGHT = 4096;

    private HaReplicationLoad()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final Path state = Files.createTempDirectory("natgate-ha-load");
        final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
        final Ipv4Endpoint one = Ipv4Endpoint.parse("127.0.0.1:" + (30_000 + ProcessHandle.current().pid() % 20_000), 1);
        final Ipv4Endpoint two = new Ipv4Endpoint(one.address(), one.port() + 1);
        final List<Long> rates = new ArrayList<>();
        for (int round = 1; round <= rounds; round++)
        {
            try (AeronTransport activeLink = AeronTransport.open(new HaConfig(200, one, two, timeoutNs,
                    timeoutNs / 10, state.resolve("a" + round), true), Throwable::printStackTrace);
                AeronTransport standbyLink = AeronTransport.open(new HaConfig(100, two, one, timeoutNs,
                    timeoutNs / 10, state.resolve("b" + round), true), Throwable::printStackTrace))
            {
                final EngineTarget activeTarget = new EngineTarget(sessions);
                final EngineTarget standbyTarget = new EngineTarget(sessions);
                final HaNode active = new HaNode(new HaConfig(200, one, two, timeoutNs, timeoutNs / 10,
                    state, true), activeLink, activeTarget, (t, f, to, r) -> { }, System.out);
                final HaNode standby = new HaNode(new HaConfig(100, two, one, timeoutNs, timeoutNs / 10,
                    state, true), standbyLink, standbyTarget, (t, f, to, r) -> { }, System.out);
                standbyTarget.listener = standby.events();
                while (active.role() != HaRole.ACTIVE || !standby.status().synced())
                {
                    active.doWork(System.nanoTime());
                    standby.doWork(System.nanoTime());
                    Thread.onSpinWait();
                }
                final NatEventListener events = active.events();
                long maxLagNs = 0;
                final long startNs = System.nanoTime();
                int made = 0;
                while (standbyTarget.engine.sessionCount() < sessions)
                {
                    final int applied = standbyTarget.engine.sessionCount();
                    for (int i = 0; i < BATCH && made < sessions && made - applied < IN_FLIGHT; i++, made++)
                    {
                        // 16 sessions a mapping, 1,024 mappings an inside host
                        final int mapping = made >>> 4;
                        events.onSessionCreated(System.nanoTime(), 17, Ipv4.parse("10.0.0.1") + (mapping >>> 10),
                            1024 + (mapping & 1023), PUBLIC, 1024 + mapping, Ipv4.parse("198.51.100.7"),
                            1 + (made & 15), 0);
                    }
                    final long nowNs = System.nanoTime();
                    active.doWork(nowNs);
                    standby.doWork(nowNs);
                    maxLagNs = Math.max(maxLagNs, active.status().lagNs());
                    if (nowNs - startNs > TimeUnit.SECONDS.toNanos(120))
                    {
                        throw new IllegalStateException("not replicated in 2 minutes: " + standby.status().toJson());
                    }
                }
                final long elapsedNs = System.nanoTime() - startNs;
                final HaStatus sent = active.status();
                final HaStatus applied = standby.status();
                if (sent.recordsLost() != 0 || applied.gaps() != 0 || applied.recordsRefused() != 0)
                {
                    throw new IllegalStateException("lost " + sent.recordsLost() + ", gaps " + applied.gaps() +
                        ", refused " + applied.recordsRefused());
                }
                final long rate = sessions * 1_000_000_000L / elapsedNs;
                rates.add(rate);
                System.out.printf("round %d: %d sessions replicated in %d ms: %d sessions/s, none lost; " +
                    "max lag the active saw %d us%n", round, sessions, elapsedNs / 1_000_000, rate, maxLagNs / 1000);
            }
        }
        rates.sort(null);
        System.out.printf("median %d sessions/s over %d rounds (min %d, max %d)%n", rates.get(rates.size() / 2),
            rounds, rates.getFirst(), rates.getLast());
    }

    /**
     * A gateway's tables without a pipeline: commands applied to the engine at once.
     */
    private static final class EngineTarget implements HaTarget
    {
        final NatEngine engine;
        NatEventListener listener = NatEventListener.NONE;

        EngineTarget(final int sessions)
        {
            engine = new NatEngine(new NatConfig().publicAddresses(PUBLIC).maxSessions(sessions + 1024)
                .maxMappings(sessions + 1024).portsPerClient(65_535).sessionsPerClient(65_535),
                new NatEventListener()
                {
                    public void onCommandCompleted(final long timeNs, final long correlationId, final int status,
                        final int publicAddress, final int publicPort)
                    {
                        listener.onCommandCompleted(timeNs, correlationId, status, publicAddress, publicPort);
                    }
                }, new DatapathCounters(2));
        }

        public void forwarding(final boolean forwarding)
        {
        }

        public void announce()
        {
        }

        public boolean replicateSession(
            final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
            final int publicPort, final int remoteAddress, final int remotePort, final int state)
        {
            engine.commandTimeNs(System.nanoTime());
            engine.replicateSession(REPLICA_CORRELATION_ID, protocol, insideAddress, insidePort, publicAddress,
                publicPort, remoteAddress, remotePort, state);
            return true;
        }

        public boolean removeSession(
            final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
            final int remotePort)
        {
            return true;
        }

        public boolean addStaticMapping(
            final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
            final int publicPort)
        {
            return true;
        }

        public boolean removeStaticMapping(final int protocol, final int publicAddress, final int publicPort)
        {
            return true;
        }

        public int readSessions(final int fromRecord, final int recordCount, final SessionVisitor visitor)
        {
            return engine.forEachSession(fromRecord, recordCount, visitor);
        }
    }
}
