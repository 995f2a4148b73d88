package io.natgate.control.ha;

import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One gateway of an active–standby pair, run on the gateway's event thread (the thread that drains the worker's
 * events, so a replicated record leaves in the order the journal gets it).
 * <ul>
 * <li>Heartbeats both ways, every {@link HaConfig#heartbeatNs}, over the replication link and, when configured, a
 * second path. A gateway starts standby (not forwarding); it becomes active when its peer has been silent on every
 * path for {@link HaConfig#timeoutNs} (at start: no peer heard within that time), or when both are standby and it
 * outranks the peer. A peer heard on the second path only means the replication link is down: the standby stays
 * standby, not synced, and catches up by a snapshot when the link is heard again. An active that hears an active peer which
 * outranks it becomes standby at once. A gateway that hears an active peer never preempts it.</li>
 * <li>The active publishes each session event (and static mapping change) as a numbered record; the standby
 * offers each to its worker's command ring ({@code replicateSession}, {@code removeSession}), so its tables follow.
 * A full ring leaves the record to be read again; a gap in the numbers (a record the active could not send)
 * makes the standby ask for a snapshot.</li>
 * <li>Catch-up is a snapshot request answered by the active with its session table, read a chunk per duty cycle
 * on the worker and sent between the live records: each chunk leaves before any event drained after it was read,
 * so the standby never applies a stale copy after the event that ended a session.</li>
 * </ul>
 * Every transition is logged, handed to a listener (the journal) and counted.
 */
public final class HaNode
{
    /** Session records a snapshot reads per duty cycle. */
    static final int SNAPSHOT_CHUNK_RECORDS = 16_384;
    private static final int POLL_LIMIT = 256;
    private static final int OFFER_ATTEMPTS = 3;

    /**
     * Where transitions go besides the log: the journal.
     */
    @FunctionalInterface
    public interface TransitionListener
    {
        void onTransition(long timeEpochMs, HaRole from, HaRole to, String reason);
    }

    /**
     * The last transition, for {@code /ha}.
     */
    public record Transition(long timeEpochMs, HaRole from, HaRole to, String reason)
    {
    }

    private final HaConfig config;
    private final HaTransport transport;
    private final HaTarget target;
    private final TransitionListener transitions;
    private final java.io.PrintStream log;
    private final long incarnation = ThreadLocalRandom.current().nextLong();
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(HaWire.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN));
    private final HaTransport.Handler handler = this::onMessage;
    private final Publisher publisher = new Publisher();

    // snapshot chunk, filled on the worker thread and sent from this one
    private final int[] chunk = new int[SNAPSHOT_CHUNK_RECORDS * 8];
    private int chunkSize;

    private volatile long nowNs;
    private long startNs = Long.MIN_VALUE;
    private long nextHeartbeatNs;
    private volatile HaRole role = HaRole.STANDBY;
    private volatile Transition lastTransition;
    private volatile long transitionCount;

    // the peer, as its heartbeats say (on any path; on the replication link)
    private volatile boolean peerHeard;
    private volatile long peerHeardNs;
    private boolean linkHeard;
    private volatile long linkHeardNs;
    private boolean secondHeard;
    private volatile long secondHeardNs;
    /** The peer is heard on the second path only: the replication link is down. */
    private volatile boolean linkLost;
    private volatile long linkLosses;
    private volatile HaRole peerRole = HaRole.STANDBY;
    private volatile int peerPriority;
    private volatile boolean peerSynced;
    private long peerIncarnation;
    private volatile long peerSequence;

    // active side
    private volatile long sentSequence;
    private volatile long recordsUnsent;
    private volatile long recordsLost;
    private volatile long lagNs = -1;
    private volatile long snapshotsSent;
    private boolean snapshotting;
    private boolean snapshotBegun;
    private long snapshotRequestId;
    private int snapshotCursor;
    private int snapshotCount;

    // standby side
    private volatile long appliedSequence;
    private long lastAppliedSendNs;
    private long lastAppliedAtNs;
    private boolean sequenceKnown;
    private volatile boolean synced;
    private boolean snapshotWanted = true;
    private long nextSnapshotRequestNs;
    private long snapshotRequestsSent;
    private volatile long snapshotsReceived;
    private volatile long recordsApplied;
    private volatile long recordsRefused;
    private volatile long gaps;
    private volatile long ringFullWaits;
    private long lastLinkLossNs;

    public HaNode(
        final HaConfig config, final HaTransport transport, final HaTarget target,
        final TransitionListener transitions, final java.io.PrintStream log)
    {
        this.config = config;
        this.transport = transport;
        this.target = target;
        this.transitions = transitions;
        this.log = log;
        out.setMemory(0, HaWire.MAX_LENGTH, (byte)0);
    }

    /**
     * @return where the gateway's NAT events go (a downstream listener of the event drain): the active replicates
     * them; on the standby, the completions of replicated commands are counted.
     */
    public NatEventListener events()
    {
        return publisher;
    }

    /**
     * The duty cycle, on the event thread.
     *
     * @return the work done.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        if (startNs == Long.MIN_VALUE)
        {
            startNs = nowNs;
            nextHeartbeatNs = nowNs;
            target.forwarding(false);
        }
        int work = transport.poll(handler, POLL_LIMIT);
        if (nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + config.heartbeatNs();
            sendHeartbeat();
            work++;
        }
        work += decide();
        work += watchLink();
        if (role == HaRole.ACTIVE && snapshotting)
        {
            work += snapshotStep();
        }
        else if (role == HaRole.STANDBY && snapshotWanted && peerAlive() && !linkLost && peerRole == HaRole.ACTIVE &&
            nowNs - nextSnapshotRequestNs >= 0)
        {
            nextSnapshotRequestNs = nowNs + config.timeoutNs();
            out.putInt(HaWire.TYPE_OFFSET, HaWire.SNAPSHOT_REQUEST);
            out.putLong(HaWire.SNAP_REQUEST_ID_OFFSET, ++snapshotRequestsSent);
            out.putLong(HaWire.SNAP_VALUE_OFFSET, 0);
            transport.offer(out, 0, HaWire.SNAPSHOT_LENGTH);
            work++;
        }
        return work;
    }

    private boolean peerAlive()
    {
        return peerHeard && nowNs - peerHeardNs < config.timeoutNs();
    }

    /**
     * @return whether the peer's heartbeats come over the replication link (at start: none missed yet).
     */
    private boolean linkUp()
    {
        return linkHeard ? nowNs - linkHeardNs < config.timeoutNs() : nowNs - startNs < config.timeoutNs();
    }

    private boolean secondPathUp()
    {
        return secondHeard && nowNs - secondHeardNs < config.timeoutNs();
    }

    /**
     * Notes the replication link going down while the peer is still heard on the second path, and coming back.
     */
    private int watchLink()
    {
        if (!linkLost && peerAlive() && !linkUp())
        {
            linkLost = true;
            linkLosses++;
            lastLinkLossNs = nowNs;
            if (role == HaRole.STANDBY)
            {
                synced = false;
                sequenceKnown = false;
                snapshotWanted = true;
            }
            report("replication link down: peer heard on the heartbeat path " + config.heartbeatPeer() + " only, " +
                (role == HaRole.STANDBY ? "staying standby, not synced" : "staying active, standby not synced"));
            return 1;
        }
        if (linkLost && linkHeard && linkUp())
        {
            linkLost = false;
            nextSnapshotRequestNs = nowNs;
            report("replication link up, " + (nowNs - lastLinkLossNs) / 1_000_000 + " ms after it was found down" +
                (role == HaRole.STANDBY ? ": catching up by snapshot" : ""));
            return 1;
        }
        return 0;
    }

    /**
     * Logs and journals an event of the pair that leaves the role as it is (journaled as a transition to the same
     * role); not counted as a transition.
     */
    private void report(final String reason)
    {
        log.printf("natgate: ha: %s: %s%n", role.label(), reason);
        transitions.onTransition(System.currentTimeMillis(), role, role, reason);
    }

    private int decide()
    {
        final boolean alive = peerAlive();
        if (role == HaRole.STANDBY)
        {
            if (!alive && nowNs - startNs >= config.timeoutNs())
            {
                become(HaRole.ACTIVE, peerHeard ?
                    "peer silent" + (config.hasHeartbeatPath() ? " on every path" : "") + " for " + (nowNs - peerHeardNs) / 1_000_000 + " ms" :
                    "no peer heard within " + config.timeoutNs() / 1_000_000 + " ms of start");
                return 1;
            }
            if (alive && peerRole == HaRole.STANDBY && config.outranks(peerPriority))
            {
                become(HaRole.ACTIVE, "both standby, priority " + config.priority() + " over the peer's " + peerPriority);
                return 1;
            }
        }
        else if (alive && peerRole == HaRole.ACTIVE && !config.outranks(peerPriority))
        {
            become(HaRole.STANDBY, "peer active with priority " + peerPriority + " over " + config.priority());
            return 1;
        }
        return 0;
    }

    private void become(final HaRole next, final String reason)
    {
        final HaRole previous = role;
        if (next == HaRole.ACTIVE)
        {
            role = next;
            target.forwarding(true);
            target.announce();
            snapshotting = false;
        }
        else
        {
            target.forwarding(false);
            role = next;
            snapshotWanted = true;
            synced = false;
            sequenceKnown = false;
            nextSnapshotRequestNs = nowNs;
        }
        final long epochMs = System.currentTimeMillis();
        lastTransition = new Transition(epochMs, previous, next, reason);
        transitionCount++;
        log.printf("natgate: ha: %s -> %s: %s%n", previous.label(), next.label(), reason);
        transitions.onTransition(epochMs, previous, next, reason);
        sendHeartbeat(); // tell the peer at once
    }

    private void sendHeartbeat()
    {
        final UnsafeBuffer out = this.out;
        out.putInt(HaWire.TYPE_OFFSET, HaWire.HEARTBEAT);
        out.putLong(HaWire.HB_INCARNATION_OFFSET, incarnation);
        final boolean active = role == HaRole.ACTIVE;
        out.putLong(HaWire.HB_SEQUENCE_OFFSET, active ? sentSequence : appliedSequence);
        out.putLong(HaWire.HB_ECHO_SEND_NS_OFFSET, active ? 0 : lastAppliedSendNs);
        out.putLong(HaWire.HB_ECHO_HELD_NS_OFFSET, active || lastAppliedSendNs == 0 ? 0 : nowNs - lastAppliedAtNs);
        out.putInt(HaWire.HB_ROLE_OFFSET, role.id());
        out.putInt(HaWire.HB_PRIORITY_OFFSET, config.priority());
        out.putInt(HaWire.HB_SYNCED_OFFSET, synced ? 1 : 0);
        transport.offer(out, 0, HaWire.HEARTBEAT_LENGTH);
    }

    private boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int path)
    {
        if (length < HaWire.SNAPSHOT_LENGTH)
        {
            return true;
        }
        switch (buffer.getInt(offset + HaWire.TYPE_OFFSET))
        {
            case HaWire.HEARTBEAT ->
            {
                if (length >= HaWire.HEARTBEAT_LENGTH)
                {
                    onHeartbeat(buffer, offset, path);
                }
            }
            case HaWire.RECORD ->
            {
                return length < HaWire.RECORD_LENGTH || onRecord(buffer, offset);
            }
            case HaWire.SNAPSHOT_REQUEST ->
            {
                if (role == HaRole.ACTIVE)
                {
                    snapshotting = true;
                    snapshotBegun = false;
                    snapshotRequestId = buffer.getLong(offset + HaWire.SNAP_REQUEST_ID_OFFSET);
                }
            }
            case HaWire.SNAPSHOT_BEGIN ->
            {
                if (role == HaRole.STANDBY)
                {
                    appliedSequence = buffer.getLong(offset + HaWire.SNAP_VALUE_OFFSET);
                    sequenceKnown = true;
                    snapshotWanted = false;
                }
            }
            case HaWire.SNAPSHOT_END ->
            {
                if (role == HaRole.STANDBY && sequenceKnown)
                {
                    synced = true;
                    snapshotsReceived++;
                }
            }
            default ->
            {
                // a newer peer's message: ignored
            }
        }
        return true;
    }

    private void onHeartbeat(final DirectBuffer buffer, final int offset, final int path)
    {
        if (path == HaTransport.PATH_SECOND)
        {
            secondHeard = true;
            secondHeardNs = nowNs;
        }
        else
        {
            linkHeard = true;
            linkHeardNs = nowNs;
        }
        final long incarnation = buffer.getLong(offset + HaWire.HB_INCARNATION_OFFSET);
        final HaRole role = HaRole.of(buffer.getInt(offset + HaWire.HB_ROLE_OFFSET));
        if (peerHeard && incarnation != peerIncarnation && role == HaRole.ACTIVE && this.role == HaRole.STANDBY)
        {
            snapshotWanted = true; // a new active: its numbers start again
            sequenceKnown = false;
            synced = false;
        }
        peerIncarnation = incarnation;
        peerRole = role;
        peerPriority = buffer.getInt(offset + HaWire.HB_PRIORITY_OFFSET);
        peerSequence = buffer.getLong(offset + HaWire.HB_SEQUENCE_OFFSET);
        peerSynced = buffer.getInt(offset + HaWire.HB_SYNCED_OFFSET) != 0;
        peerHeardNs = nowNs;
        peerHeard = true;
        final long echoSendNs = buffer.getLong(offset + HaWire.HB_ECHO_SEND_NS_OFFSET);
        if (this.role == HaRole.ACTIVE && echoSendNs != 0)
        {
            lagNs = peerSequence >= sentSequence ? 0 :
                Math.max(0, nowNs - echoSendNs - buffer.getLong(offset + HaWire.HB_ECHO_HELD_NS_OFFSET));
        }
    }

    private boolean onRecord(final DirectBuffer buffer, final int offset)
    {
        if (role != HaRole.STANDBY)
        {
            return true; // two actives: the one that stays active does not take the other's state
        }
        final long sequence = buffer.getLong(offset + HaWire.REC_SEQUENCE_OFFSET);
        if (sequenceKnown && sequence <= appliedSequence)
        {
            return true; // sent before the snapshot began: the snapshot has it
        }
        final int protocol = buffer.getInt(offset + HaWire.REC_PROTOCOL_OFFSET);
        final int insideAddress = buffer.getInt(offset + HaWire.REC_INSIDE_ADDRESS_OFFSET);
        final int insidePort = buffer.getInt(offset + HaWire.REC_INSIDE_PORT_OFFSET);
        final int publicAddress = buffer.getInt(offset + HaWire.REC_PUBLIC_ADDRESS_OFFSET);
        final int publicPort = buffer.getInt(offset + HaWire.REC_PUBLIC_PORT_OFFSET);
        final int remoteAddress = buffer.getInt(offset + HaWire.REC_REMOTE_ADDRESS_OFFSET);
        final int remotePort = buffer.getInt(offset + HaWire.REC_REMOTE_PORT_OFFSET);
        final boolean offered = switch (buffer.getInt(offset + HaWire.REC_KIND_OFFSET))
        {
            case HaWire.KIND_SESSION -> target.replicateSession(protocol, insideAddress, insidePort, publicAddress,
                publicPort, remoteAddress, remotePort, buffer.getInt(offset + HaWire.REC_STATE_OFFSET));
            case HaWire.KIND_SESSION_END ->
                target.removeSession(protocol, insideAddress, insidePort, remoteAddress, remotePort);
            case HaWire.KIND_STATIC ->
                target.addStaticMapping(protocol, insideAddress, insidePort, publicAddress, publicPort);
            case HaWire.KIND_MAPPING_END -> target.removeStaticMapping(protocol, publicAddress, publicPort);
            default -> true;
        };
        if (!offered)
        {
            ringFullWaits++;
            return false; // read again next cycle
        }
        if (sequenceKnown && sequence != appliedSequence + 1)
        {
            gaps++;
            snapshotWanted = true;
            synced = false;
            nextSnapshotRequestNs = nowNs;
        }
        appliedSequence = sequence;
        lastAppliedSendNs = buffer.getLong(offset + HaWire.REC_SEND_NS_OFFSET);
        lastAppliedAtNs = nowNs;
        return true;
    }

    private int snapshotStep()
    {
        if (!snapshotBegun)
        {
            out.putInt(HaWire.TYPE_OFFSET, HaWire.SNAPSHOT_BEGIN);
            out.putLong(HaWire.SNAP_REQUEST_ID_OFFSET, snapshotRequestId);
            out.putLong(HaWire.SNAP_VALUE_OFFSET, sentSequence);
            if (!transport.offer(out, 0, HaWire.SNAPSHOT_LENGTH))
            {
                return 0;
            }
            snapshotBegun = true;
            snapshotCursor = 0;
            snapshotCount = 0;
        }
        chunkSize = 0;
        final int[] chunk = this.chunk;
        final int next = target.readSessions(snapshotCursor, SNAPSHOT_CHUNK_RECORDS,
            (protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, deadlineNs,
                tcpFlags, kind) ->
            {
                final int base = chunkSize++ * 8;
                chunk[base] = protocol;
                chunk[base + 1] = insideAddress;
                chunk[base + 2] = insidePort;
                chunk[base + 3] = publicAddress;
                chunk[base + 4] = publicPort;
                chunk[base + 5] = remoteAddress;
                chunk[base + 6] = remotePort;
                chunk[base + 7] = tcpFlags;
            });
        for (int i = 0; i < chunkSize; i++)
        {
            final int base = i * 8;
            publisher.record(HaWire.KIND_SESSION, chunk[base], chunk[base + 1], chunk[base + 2], chunk[base + 3],
                chunk[base + 4], chunk[base + 5], chunk[base + 6], chunk[base + 7]);
        }
        snapshotCount += chunkSize;
        snapshotCursor = next;
        if (next < 0)
        {
            out.putInt(HaWire.TYPE_OFFSET, HaWire.SNAPSHOT_END);
            out.putLong(HaWire.SNAP_REQUEST_ID_OFFSET, snapshotRequestId);
            out.putLong(HaWire.SNAP_VALUE_OFFSET, snapshotCount);
            if (transport.offer(out, 0, HaWire.SNAPSHOT_LENGTH))
            {
                snapshotting = false;
                snapshotsSent++;
            }
            else
            {
                snapshotBegun = false; // the standby asks again; start over
                snapshotting = false;
            }
        }
        return 1 + chunkSize;
    }

    /**
     * @return what {@code /ha} and {@code natgate ha status} show.
     */
    public HaStatus status()
    {
        final boolean active = role == HaRole.ACTIVE;
        final long lagEvents = active ? Math.max(0, sentSequence - peerSequence) : Math.max(0, peerSequence - appliedSequence);
        return new HaStatus(role, config.priority(), config.link().toString(), config.peer().toString(),
            peerHeard ? peerRole : null, peerPriority, peerHeard ? (nowNs - peerHeardNs) / 1_000_000 : -1,
            peerAlive(), !linkLost && linkHeard && linkUp(), config.hasHeartbeatPath() ?
            config.heartbeatPeer().toString() : null, secondPathUp(), linkLosses, active ? peerSynced : synced, lagEvents, active ? lagNs : -1, sentSequence, recordsUnsent,
            recordsLost, appliedSequence, recordsApplied, recordsRefused, gaps, ringFullWaits, snapshotsSent,
            snapshotsReceived, transitionCount, lastTransition, config.timeoutNs() / 1_000_000);
    }

    public HaRole role()
    {
        return role;
    }

    /**
     * Publishes the active's events; counts the standby's replicated command outcomes.
     */
    private final class Publisher implements NatEventListener
    {
        void record(
            final int kind, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
            final int publicPort, final int remoteAddress, final int remotePort, final int state)
        {
            final UnsafeBuffer out = HaNode.this.out;
            final long sequence = ++sentSequence;
            out.putInt(HaWire.TYPE_OFFSET, HaWire.RECORD);
            out.putLong(HaWire.REC_SEQUENCE_OFFSET, sequence);
            out.putLong(HaWire.REC_SEND_NS_OFFSET, System.nanoTime());
            out.putInt(HaWire.REC_KIND_OFFSET, kind);
            out.putInt(HaWire.REC_PROTOCOL_OFFSET, protocol);
            out.putInt(HaWire.REC_INSIDE_ADDRESS_OFFSET, insideAddress);
            out.putInt(HaWire.REC_INSIDE_PORT_OFFSET, insidePort);
            out.putInt(HaWire.REC_PUBLIC_ADDRESS_OFFSET, publicAddress);
            out.putInt(HaWire.REC_PUBLIC_PORT_OFFSET, publicPort);
            out.putInt(HaWire.REC_REMOTE_ADDRESS_OFFSET, remoteAddress);
            out.putInt(HaWire.REC_REMOTE_PORT_OFFSET, remotePort);
            out.putInt(HaWire.REC_STATE_OFFSET, state);
            for (int attempt = 0; attempt < OFFER_ATTEMPTS; attempt++)
            {
                if (transport.offer(out, 0, HaWire.RECORD_LENGTH))
                {
                    return;
                }
            }
            if (peerAlive() && !linkLost)
            {
                recordsLost++; // the standby sees the gap and asks for a snapshot
            }
            else
            {
                recordsUnsent++; // no standby, or no link to it: it asks for a snapshot when it hears the active
            }
        }

        public void onMappingCreated(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int kind)
        {
            if (role == HaRole.ACTIVE && kind == MappingKind.STATIC.id())
            {
                record(HaWire.KIND_STATIC, protocol, insideAddress, insidePort, publicAddress, publicPort, 0, 0, 0);
            }
        }

        public void onMappingExpired(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort)
        {
        }

        public void onMappingRemoved(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort)
        {
            if (role == HaRole.ACTIVE)
            {
                record(HaWire.KIND_MAPPING_END, protocol, insideAddress, insidePort, publicAddress, publicPort, 0, 0,
                    0);
            }
        }

        public void onCommandCompleted(
            final long timeNs, final long correlationId, final int status, final int publicAddress,
            final int publicPort)
        {
            if (correlationId == HaTarget.REPLICA_CORRELATION_ID)
            {
                if (status == CommandStatus.OK.id())
                {
                    recordsApplied++;
                }
                else
                {
                    recordsRefused++;
                }
            }
        }

        public void onSessionCreated(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session(HaWire.KIND_SESSION, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onSessionRefreshed(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session(HaWire.KIND_SESSION, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onSessionExpired(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session(HaWire.KIND_SESSION_END, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }

        public void onSessionRemoved(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session(HaWire.KIND_SESSION_END, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }

        private void session(
            final int kind, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            if (role == HaRole.ACTIVE)
            {
                record(kind, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort,
                    state);
            }
        }
    }
}
