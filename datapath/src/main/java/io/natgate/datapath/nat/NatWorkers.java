package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import org.agrona.MutableDirectBuffer;

import java.util.function.ToIntFunction;

/**
 * N worker engines and the steering in front of them, driven from one thread: the ownership model of
 * many workers ({@code docs/workers.md}) in a form tests and benchmarks can drive packet by packet. Each
 * engine is built from its {@link NatConfig#forWorker share} of the configuration and is the only
 * writer of its sessions, mappings, clients, port ranges, fragments and counters; a packet reaches
 * exactly one engine, the one {@link FlowSteering} picks, except a hairpinned packet whose destination
 * another worker owns, which the first engine hands over ({@link NatEngine#HANDOFF}, counted as
 * {@link GlobalCounter#WORKER_HANDOFFS}). Commands go to the worker that owns their inside host;
 * a static mapping's port is also kept out of every other worker's allocation and listed with the
 * steering, so inbound packets to it reach the mapping's worker.
 * <p>
 * Single-threaded, like one engine: with worker threads each engine runs on its own and steering runs
 * where frames arrive; this class is that arrangement with the threads folded into calls.
 */
public final class NatWorkers implements NatCommands, NatRestore
{
    private final NatEngine[] engines;
    private final NatConfig[] configs;
    private final DatapathCounters[] counters;
    private final WorkerSteering steering;
    private final FlowSteering flowSteering;
    private final NatEventListener[] events;
    private int lastWorker;
    private long commandTimeNs;

    /**
     * @param config   the whole gateway's NAT configuration.
     * @param events   where every worker reports (one thread here; each worker has its own event ring in a gateway).
     * @param counters one per worker; and {@code steeringCounters} for fragments the steering holds.
     */
    public NatWorkers(
        final NatConfig config, final NatEventListener events, final DatapathCounters[] counters,
        final DatapathCounters steeringCounters)
    {
        this(config, sameFor(counters.length, events), counters, steeringCounters);
    }

    /**
     * @param events           per worker, where it reports (its own event ring in a gateway).
     * @param counters         per worker, where it counts.
     * @param steeringCounters where this class's own steering counts the fragments it holds; null when frames
     *                         are steered elsewhere (a pipeline's rx agents, each with its own), and then
     *                         {@link #outbound}, {@link #inbound} and {@link #pollReleasedFragment} are not to
     *                         be called: commands, warm restart and inspection are.
     */
    public NatWorkers(
        final NatConfig config, final NatEventListener[] events, final DatapathCounters[] counters,
        final DatapathCounters steeringCounters)
    {
        final int workers = counters.length;
        if (events.length != workers)
        {
            throw new IllegalArgumentException(events.length + " event listeners for " + workers + " workers");
        }
        this.steering = new WorkerSteering(workers);
        this.events = events.clone();
        this.counters = counters.clone();
        this.engines = new NatEngine[workers];
        this.configs = new NatConfig[workers];
        for (int worker = 0; worker < workers; worker++)
        {
            configs[worker] = config.forWorker(worker, workers);
            engines[worker] = new NatEngine(configs[worker], events[worker], counters[worker], steering);
        }
        this.flowSteering = steeringCounters == null ? null :
            new FlowSteering(steering, config.validate(), steeringCounters);
    }

    private static NatEventListener[] sameFor(final int workers, final NatEventListener events)
    {
        final NatEventListener[] all = new NatEventListener[workers];
        java.util.Arrays.fill(all, events);
        return all;
    }

    public int workers()
    {
        return engines.length;
    }

    public NatEngine engine(final int worker)
    {
        return engines[worker];
    }

    /**
     * @return the share of the configuration worker {@code worker}'s engine runs on (its quotas reload there).
     */
    public NatConfig config(final int worker)
    {
        return configs[worker];
    }

    public WorkerSteering steering()
    {
        return steering;
    }

    /**
     * @return the worker the steering gave the last packet (for a hairpin handed over, the first one).
     */
    public int lastWorker()
    {
        return lastWorker;
    }

    /**
     * Translates a packet from the inside on the worker that owns its inside host.
     */
    public int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final int worker = flowSteering.outbound(buffer, ipOffset, ipLength);
        lastWorker = worker;
        final int result = engines[worker].outbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        if (result != NatEngine.HANDOFF)
        {
            return result;
        }
        counters[worker].increment(GlobalCounter.WORKER_HANDOFFS);
        final int inbound = engines[engines[worker].handoffWorker()].inbound(buffer, ipOffset, ipLength, ingressPort,
            nowNs);
        return inbound == NatEngine.FORWARD ? NatEngine.HAIRPIN : inbound;
    }

    /**
     * Translates a packet from the outside on the worker that owns its public endpoint.
     */
    public int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        final int worker = flowSteering.inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        if (worker == FlowSteering.HELD)
        {
            return NatEngine.HELD;
        }
        if (worker < 0)
        {
            return worker;
        }
        lastWorker = worker;
        return engines[worker].inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
    }

    /**
     * After a first fragment, hands back the later fragments of its datagram that came before it (held by
     * the steering or by its worker), for the caller to translate now, in the same direction.
     */
    public int pollReleasedFragment(final MutableDirectBuffer destination, final int offset)
    {
        final int length = flowSteering == null ? 0 : flowSteering.pollReleased(destination, offset);
        return length != 0 ? length : engines[lastWorker].pollReleasedFragment(destination, offset);
    }

    /**
     * Expires every worker's state, {@code limit} sessions per worker at most, and the steering's fragments.
     */
    public int expire(final long nowNs, final int limit)
    {
        int work = flowSteering == null ? 0 : flowSteering.expire(nowNs);
        for (final NatEngine engine : engines)
        {
            work += engine.expire(nowNs, limit);
        }
        return work;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Commands: routed to the inside host's worker
    // ------------------------------------------------------------------------------------------------------------

    public void commandTimeNs(final long nowNs)
    {
        commandTimeNs = nowNs;
        for (final NatEngine engine : engines)
        {
            engine.commandTimeNs(nowNs);
        }
    }

    public void addStaticMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        final int worker = steering.insideWorker(insideAddress);
        final NatEngine owner = engines[worker];
        if (!freeOnOthers(worker, protocol, publicAddress, publicPort))
        {
            rejected(worker, correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE);
            return;
        }
        final boolean wasFree = owner.isPortFree(protocol, publicAddress, publicPort);
        owner.addStaticMapping(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort);
        if (wasFree && !owner.isPortFree(protocol, publicAddress, publicPort))
        {
            holdOnOthers(worker, protocol, publicAddress, publicPort, insideAddress);
        }
    }

    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        final int listed = steering.staticWorker(protocol, publicAddress, publicPort);
        final int worker = steering.publicWorker(protocol, publicAddress, publicPort);
        final NatEngine owner = engines[worker];
        owner.removeStaticMapping(correlationId, protocol, publicAddress, publicPort);
        if (listed >= 0 && owner.isPortFree(protocol, publicAddress, publicPort))
        {
            steering.removeStatic(protocol, publicAddress, publicPort);
            for (int other = 0; other < engines.length; other++)
            {
                if (other != worker)
                {
                    engines[other].unreservePort(protocol, publicAddress, publicPort);
                }
            }
        }
    }

    public void openInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicPort, final int remoteAddress, final long lifetimeNs)
    {
        engines[steering.insideWorker(insideAddress)].openInboundMapping(
            correlationId, protocol, insideAddress, insidePort, publicPort, remoteAddress, lifetimeNs);
    }

    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        engines[steering.insideWorker(insideAddress)].closeInboundMapping(
            correlationId, protocol, insideAddress, insidePort);
    }

    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        engines[steering.insideWorker(insideAddress)].removeSession(
            correlationId, protocol, insideAddress, insidePort, remoteAddress, remotePort);
    }

    /**
     * High availability: on the inside host's worker, which must own the public port the active peer chose
     * (peers of one configuration split ports alike), else completed {@link CommandStatus#OTHER_WORKERS_PORT}.
     */
    public void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        final int worker = steering.insideWorker(insideAddress);
        if (steering.ports().owner(publicPort) != worker)
        {
            rejected(worker, correlationId, CommandStatus.OTHER_WORKERS_PORT);
            return;
        }
        engines[worker].replicateSession(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    /**
     * Broadcast: every worker checks new flows against {@code policy}.
     */
    public void flowPolicy(final FlowPolicy policy)
    {
        for (final NatEngine engine : engines)
        {
            engine.flowPolicy(policy);
        }
    }

    /**
     * Warm restart: a mapping goes back to its inside host's worker, which must own its public port (the
     * same configuration splits the ports the same way), else {@link CommandStatus#OTHER_WORKERS_PORT}; a
     * static one is held on the other workers as {@link #addStaticMapping} holds it.
     */
    public CommandStatus restoreMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final MappingKind kind, final long holdUntilNs)
    {
        final int worker = steering.insideWorker(insideAddress);
        if (kind == MappingKind.STATIC)
        {
            if (!freeOnOthers(worker, protocol, publicAddress, publicPort))
            {
                return CommandStatus.PUBLIC_ENDPOINT_IN_USE;
            }
        }
        else if (steering.ports().owner(publicPort) != worker)
        {
            return CommandStatus.OTHER_WORKERS_PORT;
        }
        final CommandStatus status = engines[worker].restoreMapping(
            protocol, insideAddress, insidePort, publicAddress, publicPort, kind, holdUntilNs);
        if (status == CommandStatus.OK && kind == MappingKind.STATIC)
        {
            holdOnOthers(worker, protocol, publicAddress, publicPort, insideAddress);
        }
        return status;
    }

    /**
     * Warm restart: a session goes back to its inside host's worker, after its mapping.
     */
    public CommandStatus restoreSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int state, final long deadlineNs)
    {
        return engines[steering.insideWorker(insideAddress)].restoreSession(
            protocol, insideAddress, insidePort, remoteAddress, remotePort, state, deadlineNs);
    }

    private void rejected(final int worker, final long correlationId, final CommandStatus status)
    {
        reject(worker, correlationId, status, commandTimeNs);
    }

    /**
     * Completes a command its routing refused before it reached its worker, as that worker reports; on the
     * worker's thread when the workers have threads.
     */
    public void reject(final int worker, final long correlationId, final CommandStatus status, final long nowNs)
    {
        counters[worker].increment(GlobalCounter.COMMANDS_REJECTED);
        events[worker].onCommandCompleted(nowNs, correlationId, status.id(), 0, 0);
    }

    /**
     * Every worker's engine refuses new mappings while {@code keeping} says the journal cannot record them.
     */
    public void recordKeeping(final RecordKeeping keeping)
    {
        for (final NatEngine engine : engines)
        {
            engine.recordKeeping(keeping);
        }
    }

    private boolean freeOnOthers(final int worker, final int protocol, final int publicAddress, final int publicPort)
    {
        for (int other = 0; other < engines.length; other++)
        {
            if (other != worker && !engines[other].isPortFree(protocol, publicAddress, publicPort))
            {
                return false;
            }
        }
        return true;
    }

    private void holdOnOthers(
        final int worker, final int protocol, final int publicAddress, final int publicPort, final int insideAddress)
    {
        if (engines.length == 1)
        {
            return;
        }
        steering.addStatic(protocol, publicAddress, publicPort, insideAddress);
        for (int other = 0; other < engines.length; other++)
        {
            if (other != worker)
            {
                engines[other].reservePort(protocol, publicAddress, publicPort);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inspection: every worker's tables gathered
    // ------------------------------------------------------------------------------------------------------------

    public boolean isPublicAddress(final int address)
    {
        return engines[0].isPublicAddress(address);
    }

    public int sessionCount()
    {
        return sum(NatEngine::sessionCount);
    }

    public int mappingCount()
    {
        return sum(NatEngine::mappingCount);
    }

    public int portsInUse()
    {
        return sum(NatEngine::portsInUse);
    }

    public int clientCount()
    {
        return sum(NatEngine::clientCount);
    }

    /**
     * @return the memory every worker's tables take.
     */
    public long tableCapacityBytes()
    {
        long bytes = 0;
        for (final NatEngine engine : engines)
        {
            bytes += engine.tableCapacityBytes();
        }
        return bytes;
    }

    private int sum(final ToIntFunction<NatEngine> count)
    {
        int sum = 0;
        for (final NatEngine engine : engines)
        {
            sum += count.applyAsInt(engine);
        }
        return sum;
    }

    public void forEachSession(final SessionVisitor visitor)
    {
        for (final NatEngine engine : engines)
        {
            engine.forEachSession(visitor);
        }
    }

    public void forEachMapping(final MappingVisitor visitor)
    {
        for (final NatEngine engine : engines)
        {
            engine.forEachMapping(visitor);
        }
    }
}
