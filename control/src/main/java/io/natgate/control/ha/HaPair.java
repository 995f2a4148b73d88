package io.natgate.control.ha;

import io.natgate.control.journal.JournalState;
import io.natgate.control.journal.JournalWriter;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.SessionVisitor;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.NatCommandEncoder;
import io.natgate.datapath.pipeline.Pipeline;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A gateway's membership of an HA pair: the forwarding switch in front of its forwarder, the Aeron streams to
 * its peer, and the node that decides its role, run on the gateway's event thread ({@link #doWork}). The gateway
 * starts it before its pipeline (the pipeline runs {@link #processor()}) and closes it after its event thread.
 */
public final class HaPair implements HaTarget, AutoCloseable
{
    private static final long WORKER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final HaGate gate;
    private final Pipeline pipeline;
    private final NatEngine nat;
    private final NatCommandEncoder commands;
    private final HaTransport transport;
    private final HaNode node;

    private HaPair(
        final HaConfig config, final HaTransport transport, final Forwarder forwarder, final DatapathCounters counters,
        final Pipeline pipeline, final NatEngine nat, final JournalWriter journal, final PrintStream log)
    {
        this.gate = new HaGate(forwarder, counters);
        this.pipeline = pipeline;
        this.nat = nat;
        this.commands = pipeline.newCommandEncoder();
        this.transport = transport;
        this.node = new HaNode(config, transport, this, (timeEpochMs, from, to, reason) ->
        {
            if (journal != null)
            {
                journal.haTransition(timeEpochMs, from.label(), to.label(), reason);
            }
        }, log);
    }

    /**
     * Opens the streams to the peer (and the embedded media driver); the gateway starts as a standby.
     */
    public static HaPair open(
        final HaConfig config, final Forwarder forwarder, final DatapathCounters counters, final Pipeline pipeline,
        final NatEngine nat, final JournalWriter journal, final PrintStream log)
    {
        final HaTransport transport = AeronTransport.open(config, ex -> log.println("natgate: ha: aeron: " + ex));
        log.printf("natgate: ha: priority %d, link %s, peer %s, timeout %d ms, heartbeat %d ms, aeron %s (%s driver)%n",
            config.priority(), config.link(), config.peer(), config.timeoutNs() / 1_000_000,
            config.heartbeatNs() / 1_000_000, config.aeronDirectory(), config.embeddedDriver() ? "embedded" : "external");
        return new HaPair(config, transport, forwarder, counters, pipeline, nat, journal, log);
    }

    /**
     * @return what the pipeline runs: the forwarder behind the HA switch.
     */
    public FrameProcessor processor()
    {
        return gate;
    }

    /**
     * @return the listener the gateway's event drain hands every NAT event to.
     */
    public NatEventListener events()
    {
        return node.events();
    }

    /**
     * The node's duty cycle, on the gateway's event thread.
     */
    public int doWork()
    {
        return node.doWork(System.nanoTime());
    }

    public HaStatus status()
    {
        return node.status();
    }

    /**
     * @return the mapping and session digests of this gateway's tables (as the journal's replay makes them), read on
     * the worker: equal on both gateways of a pair in step.
     */
    public String[] digests()
    {
        return pipeline.callOnWorker(() -> new String[] {JournalState.mappingDigest(nat),
            JournalState.sessionDigest(nat)}, WORKER_TIMEOUT_NS);
    }

    public long announcementsSent()
    {
        return gate.announcementsSent();
    }

    public void forwarding(final boolean forwarding)
    {
        gate.forwarding(forwarding);
    }

    public void announce()
    {
        gate.announce();
    }

    public boolean replicateSession(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        return commands.offerReplicateSession(REPLICA_CORRELATION_ID, protocol, insideAddress, insidePort,
            publicAddress, publicPort, remoteAddress, remotePort, state);
    }

    public boolean removeSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort)
    {
        return commands.offerRemoveSession(REPLICA_END_CORRELATION_ID, protocol, insideAddress, insidePort,
            remoteAddress, remotePort);
    }

    public boolean addStaticMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        return commands.offerAddStaticMapping(REPLICA_END_CORRELATION_ID, protocol, insideAddress, insidePort,
            publicAddress, publicPort);
    }

    public boolean removeStaticMapping(final int protocol, final int publicAddress, final int publicPort)
    {
        return commands.offerRemoveStaticMapping(REPLICA_END_CORRELATION_ID, protocol, publicAddress, publicPort);
    }

    public int readSessions(final int fromRecord, final int recordCount, final SessionVisitor visitor)
    {
        return pipeline.callOnWorker(() -> nat.forEachSession(fromRecord, recordCount, visitor), WORKER_TIMEOUT_NS);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(transport);
    }
}
