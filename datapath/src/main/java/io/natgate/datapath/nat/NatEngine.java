package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import org.agrona.MutableDirectBuffer;

import java.util.Objects;

/**
 * NAT44 translation of IPv4 packets in place (RFC 4787, 5382, 5508, 7857): endpoint-independent
 * mapping, configurable filtering, hairpinning, port preservation and parity, paired address
 * pooling, per-client quotas, TCP state tracking, ICMP query and error translation, fragments.
 * <p>
 * The engine wires its stages, each a class with one job: {@link FastPath} (look up and rewrite
 * an established session's packet), {@link SlowPath} (everything else, with {@link SessionFactory}
 * making sessions and mappings, {@link FragmentTranslation} and {@link IcmpErrorTranslation}),
 * {@link SessionRefresh} (TCP state and deadlines), {@link SessionReaper} (expiry), {@link BurstPrefetch},
 * {@link MappingCommands}, {@link WarmRestore} and {@link NatInspection}. A burst runs the fast path
 * over every packet ({@link #fastOutbound}, {@link #fastInbound}), then the slow path over the
 * {@link #MISS}es ({@link #slowOutbound}, {@link #slowInbound}); {@link #outbound} and {@link #inbound}
 * do both for one packet. Results are {@link #FORWARD}, {@link #HAIRPIN}, {@link #HELD} or a negative
 * drop code ({@link #drop}). Single-threaded: only the worker that owns it may call it, commands included.
 */
public final class NatEngine implements NatCommands, NatRestore
{
    /** Translated: send it out of the other side. */
    public static final int FORWARD = 0;
    /** Translated twice: an inside host reached another inside host's public endpoint. Send it back inside. */
    public static final int HAIRPIN = 1;
    /** A fragment held until its first fragment arrives. */
    public static final int HELD = 2;
    /** The fast path did not handle the packet and left it unchanged: give it to the slow path. */
    public static final int MISS = 3;
    /**
     * Hairpinned to a public endpoint another worker owns: the source is translated, the destination is
     * not. Hand the packet to worker {@link #handoffWorker()}, whose {@link #inbound} translates the rest;
     * its {@link #FORWARD} there means {@link #HAIRPIN}.
     */
    public static final int HANDOFF = 4;

    /**
     * What {@link #prefetchOutbound} and {@link #prefetchInbound} return for a packet they did not hash: the
     * fast path then hashes it itself. A flow hash is an int, so never this.
     */
    public static final long NO_FLOW_HASH = -1L;
    /** Packets {@link #prefetchOutbound} and {@link #prefetchInbound} remember until {@link #prefetchSessions}. */
    public static final int MAX_PREFETCH = 256;

    /** Session state bits (events and {@link #restoreSession}): the inside host sent a SYN. */
    public static final int TCP_SYN_OUT = 0x01;
    /** The remote host sent a SYN. */
    public static final int TCP_SYN_IN = 0x02;
    /** The inside host sent a FIN. */
    public static final int TCP_FIN_OUT = 0x04;
    /** The remote host sent a FIN. */
    public static final int TCP_FIN_IN = 0x08;
    /** Either side sent a RST. */
    public static final int TCP_RST = 0x10;
    /**
     * A segment without SYN acknowledged the handshake after both SYNs: the connection is established
     * (a SYN and a SYN-ACK alone are a half-open connection, still transitory and evictable).
     */
    public static final int TCP_ACKED = 0x20;
    /** Session state bit: opened from outside through a static or inbound mapping. */
    public static final int SESSION_ADMITTED_INBOUND = 0x100;

    /**
     * A session's refresh is reported ({@link NatEventListener#onSessionRefreshed}) when its deadline moves
     * into another 2^36 ns (about 69 s) period: at most about once a minute per active session, and at once
     * when its timeout class changes (TCP established, closing). The fast path pays one xor and shift of a
     * word it loads anyway. A session's deadline is therefore less than {@link #REFRESH_EVENT_SLACK_NS} after
     * the one its last reported refresh implies.
     */
    public static final int REFRESH_EVENT_SHIFT = 36;
    /** See {@link #REFRESH_EVENT_SHIFT}. */
    public static final long REFRESH_EVENT_SLACK_NS = 1L << REFRESH_EVENT_SHIFT;

    private final NatTables tables;
    private final FastPath fastPath;
    private final SlowPath slowPath;
    private final BurstPrefetch prefetch;
    private final FragmentTranslation fragments;
    private final SessionReaper reaper;
    private final MappingCommands commands;
    private final WarmRestore restore;
    private final ReplicaCommands replica;
    private final NatInspection inspection;

    /**
     * @param counters where gauges and fragment timeouts are counted; its port count bounds the
     *                 ingress port numbers passed in.
     */
    public NatEngine(final NatConfig config, final NatEventListener events, final DatapathCounters counters)
    {
        this(config, events, counters, WorkerSteering.SINGLE);
    }

    /**
     * One of several workers' engines.
     *
     * @param config   {@link NatConfig#forWorker this worker's share}.
     * @param steering which worker owns which flow, shared by every worker of the gateway.
     */
    public NatEngine(
        final NatConfig config, final NatEventListener events, final DatapathCounters counters,
        final WorkerSteering steering)
    {
        if (steering.workers() != config.workerCount())
        {
            throw new IllegalArgumentException(
                "steering for " + steering.workers() + " workers, configuration for " + config.workerCount());
        }
        tables = new NatTables(config.validate(), events, counters, steering);
        final SessionEvents sessionEvents = new SessionEvents(tables);
        final SessionRefresh refresh = new SessionRefresh(tables, sessionEvents);
        reaper = new SessionReaper(tables, sessionEvents);
        final SessionFactory factory = new SessionFactory(tables, sessionEvents, reaper);
        fragments = new FragmentTranslation(tables);
        fastPath = new FastPath(tables, refresh);
        slowPath = new SlowPath(tables, factory, refresh, fragments, new IcmpErrorTranslation(tables));
        prefetch = new BurstPrefetch(tables);
        final FixedEndpointMappings fixedEndpoints = new FixedEndpointMappings(tables, factory);
        commands = new MappingCommands(tables, factory, reaper, fixedEndpoints);
        restore = new WarmRestore(tables, factory);
        replica = new ReplicaCommands(tables, factory, sessionEvents, reaper, fixedEndpoints);
        inspection = new NatInspection(tables);
    }

    /**
     * @return the result code for dropping with {@code reason}.
     */
    public static int drop(final DropReason reason)
    {
        return -reason.id() - 1;
    }

    /**
     * @return the drop reason of a negative result.
     */
    public static DropReason dropReason(final int result)
    {
        return DropReason.get(-result - 1);
    }

    /**
     * @return the worker a {@link #HANDOFF} result names.
     */
    public int handoffWorker()
    {
        return slowPath.handoffWorker();
    }

    /**
     * @return which of the gateway's workers this engine is.
     */
    public int workerIndex()
    {
        return tables.config.workerIndex();
    }

    /**
     * @return a copy of the public address pool.
     */
    public int[] publicAddresses()
    {
        return tables.config.publicAddresses().clone();
    }

    /**
     * @return true when the address is one of the public pool's.
     */
    public boolean isPublicAddress(final int address)
    {
        return tables.publicAddresses.contains(address);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Translation
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Translates a packet from the inside: the fast path, then the slow path if it missed. The IPv4
     * header must have been validated (version, IHL, total length, header checksum) by the caller;
     * {@code ipLength} is its total length.
     */
    public int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        return outbound(buffer, ipOffset, ipLength, ingressPort, nowNs, NO_FLOW_HASH);
    }

    /**
     * As {@link #outbound(MutableDirectBuffer, int, int, int, long)}, for a packet of a prefetched burst.
     *
     * @param flowHash what {@link #prefetchOutbound} returned for this packet, unchanged since.
     */
    public int outbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs,
        final long flowHash)
    {
        final int result = fastPath.outbound(buffer, ipOffset, ipLength, false, nowNs, flowHash);
        return result != MISS ? result : slowPath.outbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
    }

    /**
     * Translates a packet from the outside addressed to a public address. Same preconditions as
     * {@link #outbound}.
     */
    public int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        return inbound(buffer, ipOffset, ipLength, ingressPort, nowNs, NO_FLOW_HASH);
    }

    /**
     * As {@link #inbound(MutableDirectBuffer, int, int, int, long)}, for a packet of a prefetched burst.
     *
     * @param flowHash what {@link #prefetchInbound} returned for this packet, unchanged since.
     */
    public int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs,
        final long flowHash)
    {
        final int result = fastPath.inbound(buffer, ipOffset, ipLength, false, nowNs, flowHash);
        return result != MISS ? result : slowPath.inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
    }

    /**
     * The fast path alone, for a packet from the inside (see {@link FastPath}).
     *
     * @param decrementTtl whether to decrement the TTL as well, in the same checksum update (a router
     *                     forwarding the packet, after checking the TTL is above 1).
     * @return {@link #FORWARD}, or {@link #MISS} with the packet unchanged.
     */
    public int fastOutbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs)
    {
        return fastPath.outbound(buffer, ipOffset, ipLength, decrementTtl, nowNs, NO_FLOW_HASH);
    }

    /**
     * The fast path alone, for a packet from the inside whose flow hash {@link #prefetchOutbound} returned,
     * so the packet is hashed once.
     *
     * @param flowHash what {@link #prefetchOutbound} returned for this packet, unchanged since.
     */
    public int fastOutbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs, final long flowHash)
    {
        return fastPath.outbound(buffer, ipOffset, ipLength, decrementTtl, nowNs, flowHash);
    }

    /**
     * The fast path alone, for a packet from the outside.
     *
     * @return {@link #FORWARD}, or {@link #MISS} with the packet unchanged.
     */
    public int fastInbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs)
    {
        return fastPath.inbound(buffer, ipOffset, ipLength, decrementTtl, nowNs, NO_FLOW_HASH);
    }

    /**
     * The fast path alone, for a packet from the outside whose flow hash {@link #prefetchInbound} returned.
     *
     * @param flowHash what {@link #prefetchInbound} returned for this packet, unchanged since.
     */
    public int fastInbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final boolean decrementTtl,
        final long nowNs, final long flowHash)
    {
        return fastPath.inbound(buffer, ipOffset, ipLength, decrementTtl, nowNs, flowHash);
    }

    /**
     * The slow path alone, for a packet from the inside the fast path missed (any packet will do).
     */
    public int slowOutbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        return slowPath.outbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
    }

    /**
     * The slow path alone, for a packet from the outside.
     */
    public int slowInbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        return slowPath.inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
    }

    /**
     * First step of prefetching a burst, for a packet from the inside: loads the session index
     * slot its lookup starts at. A worker holding a burst calls this (or {@link #prefetchInbound})
     * for each packet, then {@link #prefetchSessions()} once, then translates the packets, so the
     * burst's cache misses overlap instead of following one another. It only reads; leaving it out
     * changes nothing but speed. Beyond {@link #MAX_PREFETCH} packets before {@link #prefetchSessions()}
     * it does nothing. Same preconditions as {@link #outbound}.
     *
     * @return the packet's flow hash, for {@link #fastOutbound(MutableDirectBuffer, int, int, boolean, long, long)}
     * so the packet is hashed once; {@link #NO_FLOW_HASH} when the packet was not prefetched.
     */
    public long prefetchOutbound(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        return prefetch.slot(true, buffer, ipOffset, ipLength);
    }

    /**
     * As {@link #prefetchOutbound}, for a packet from the outside.
     */
    public long prefetchInbound(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        return prefetch.slot(false, buffer, ipOffset, ipLength);
    }

    /**
     * Second step of prefetching a burst: loads the session records the slots loaded by
     * {@link #prefetchOutbound} and {@link #prefetchInbound} name, then forgets them.
     */
    public void prefetchSessions()
    {
        prefetch.records();
    }

    /**
     * After a first fragment was translated, hands back, one per call, the fragments of its datagram
     * that arrived before it, as IP packets, for the caller to translate now.
     *
     * @return the length copied to {@code destination}, or 0 when none is left.
     */
    public int pollReleasedFragment(final MutableDirectBuffer destination, final int offset)
    {
        return fragments.pollReleased(destination, offset);
    }

    /**
     * @return whether {@link #pollReleasedFragment} has a fragment to hand back.
     */
    public boolean hasReleasedFragment()
    {
        return fragments.hasReleased();
    }

    /**
     * Expires sessions (and with them dynamic mappings), inbound mappings, fragment flows and held
     * fragments whose deadline has passed, at most {@code limit} sessions per call.
     *
     * @return the amount of work done.
     */
    public int expire(final long nowNs, final int limit)
    {
        return reaper.expire(nowNs, limit);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Commands from the control plane
    // ------------------------------------------------------------------------------------------------------------

    public void addStaticMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        commands.addStaticMapping(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        commands.removeStaticMapping(correlationId, protocol, publicAddress, publicPort);
    }

    public void openInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicPort, final int remoteAddress, final long lifetimeNs)
    {
        commands.openInboundMapping(
            correlationId, protocol, insideAddress, insidePort, publicPort, remoteAddress, lifetimeNs);
    }

    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        commands.closeInboundMapping(correlationId, protocol, insideAddress, insidePort);
    }

    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        commands.removeSession(correlationId, protocol, insideAddress, insidePort, remoteAddress, remotePort);
    }

    @Override
    public void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        replica.replicateSession(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    /**
     * Keeps a public port another worker's static mapping holds out of this worker's allocation (the
     * port may lie in this worker's range: the operator chose it). Nothing is reported.
     *
     * @return false when this worker has it in use.
     */
    public boolean reservePort(final int protocol, final int publicAddress, final int publicPort)
    {
        final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
        return addressIndex >= 0 && tables.ports.reserve(addressIndex, protocol, publicPort);
    }

    /**
     * Gives back a port {@link #reservePort} kept.
     */
    public void unreservePort(final int protocol, final int publicAddress, final int publicPort)
    {
        final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
        if (addressIndex >= 0)
        {
            tables.ports.unreserve(addressIndex, protocol, publicPort);
        }
    }

    /**
     * @return whether this worker has public port {@code publicPort} of {@code protocol} free.
     */
    public boolean isPortFree(final int protocol, final int publicAddress, final int publicPort)
    {
        final int addressIndex = tables.publicAddresses.indexOf(publicAddress);
        return addressIndex >= 0 && tables.ports.isFree(addressIndex, protocol, publicPort);
    }

    /**
     * Where the engine learns whether the journal can record new mappings and sessions (it refuses them while it
     * cannot). Before the worker starts.
     */
    public void recordKeeping(final RecordKeeping keeping)
    {
        tables.recordKeeping = Objects.requireNonNull(keeping, "keeping");
    }

    /**
     * Replaces the policy new flows are checked against (existing sessions keep going). Worker thread
     * only, like every other call: the control plane swaps it in through a worker task.
     */
    public void flowPolicy(final FlowPolicy policy)
    {
        tables.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * The {@link io.natgate.datapath.offload.Offload} state of the packets translated from now on,
     * until the next call: a checksum-partial packet is accepted without a checksum to verify and
     * gets only the pseudo-header change patched in. 0 for complete packets.
     */
    public void frameOffload(final int offload)
    {
        tables.frameOffload = offload;
    }

    /**
     * Sets the time commands applied next are stamped with; the worker calls it once per duty cycle.
     */
    public void commandTimeNs(final long nowNs)
    {
        commands.commandTimeNs(nowNs);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Warm restart
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Puts back a mapping a journal says was live, before the first frame of a restart. Nothing is
     * reported: whoever restores journals what it restored. A dynamic mapping is held until
     * {@code holdUntilNs} even without sessions (its inside host may send again and find its public
     * endpoint unchanged), then lives by its sessions as any other. Inbound mappings belong to the
     * control-plane state that opened them and are not restored.
     *
     * @param holdUntilNs for a dynamic mapping, when it may go if it has no session (engine clock); ignored
     *                    for a static one.
     */
    public CommandStatus restoreMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final MappingKind kind, final long holdUntilNs)
    {
        return restore.restoreMapping(protocol, insideAddress, insidePort, publicAddress, publicPort, kind, holdUntilNs);
    }

    /**
     * Puts back a session a journal says was live, through the mapping of its inside endpoint, which
     * must have been restored (or configured) first. Sessions of one timeout class must come in
     * order of deadline, as expiry takes them oldest first. Nothing is reported.
     *
     * @param state      the TCP bits ({@link #TCP_SYN_OUT} ...) and {@link #SESSION_ADMITTED_INBOUND}, as
     *                   the session events carry them.
     * @param deadlineNs when it expires unless refreshed (engine clock).
     * @return {@link CommandStatus#NOT_FOUND} without the mapping, {@link CommandStatus#PUBLIC_ENDPOINT_IN_USE}
     * when the session exists already.
     */
    public CommandStatus restoreSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort, final int state, final long deadlineNs)
    {
        return restore.restoreSession(protocol, insideAddress, insidePort, remoteAddress, remotePort, state, deadlineNs);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inspection
    // ------------------------------------------------------------------------------------------------------------

    public int sessionCount()
    {
        return tables.sessions.size();
    }

    public int mappingCount()
    {
        return tables.mappings.size();
    }

    public int portsInUse()
    {
        return tables.ports.portsInUse();
    }

    /**
     * @return the public ports (TCP, UDP and ICMP identifiers) in use on the public pool's address
     * {@code publicAddresses()[addressIndex]}.
     */
    public int portsInUse(final int addressIndex)
    {
        return tables.ports.portsInUse(addressIndex);
    }

    public int clientCount()
    {
        return tables.clients.size();
    }

    /**
     * @return the memory the tables take, all preallocated at construction.
     */
    public long tableCapacityBytes()
    {
        return inspection.tableCapacityBytes();
    }

    /**
     * @return bytes of session and mapping tables per session of capacity: the cost of one session
     * with its own mapping (the worst case).
     */
    public double bytesPerSession()
    {
        return inspection.bytesPerSession();
    }

    /**
     * Walks every session. Not for the fast path: the admin endpoint and tests use it.
     */
    public void forEachSession(final SessionVisitor visitor)
    {
        inspection.forEachSession(visitor);
    }

    /**
     * Walks a part of the session table, for inspection that must not hold the worker long (the admin
     * endpoint calls it once per worker task, a duty cycle apart): the records from {@code cursor} on,
     * at most {@code maxExamined} of them, live or free.
     *
     * @param cursor where to start: 0 the first time, then what the previous call returned.
     * @return where to go on from, or -1 when the walk is done.
     */
    public int visitSessions(final int cursor, final int maxExamined, final SessionStatsVisitor visitor)
    {
        return inspection.visitSessions(cursor, maxExamined, visitor);
    }

    /**
     * Walks the session records {@code [fromRecord, fromRecord + recordCount)}, so a large table can be read a
     * bounded chunk per duty cycle.
     *
     * @return the record to continue from, or -1 when the walk has reached the end of the table.
     */
    public int forEachSession(final int fromRecord, final int recordCount, final SessionVisitor visitor)
    {
        return inspection.forEachSession(fromRecord, recordCount, visitor);
    }

    /**
     * @return the session table's capacity (the records {@link #forEachSession(int, int, SessionVisitor)} walks).
     */
    public int sessionCapacity()
    {
        return tables.sessions.capacity();
    }

    /**
     * Walks the client entries {@code [fromEntry, fromEntry + entryCount)}: each inside host's public ports and
     * sessions, as the per-client quotas count them.
     *
     * @return the entry to continue from, or -1 when the walk has reached the end of the table.
     */
    public int forEachClient(final int fromEntry, final int entryCount, final ClientVisitor visitor)
    {
        return inspection.forEachClient(fromEntry, entryCount, visitor);
    }

    /**
     * Walks every mapping.
     */
    public void forEachMapping(final MappingVisitor visitor)
    {
        inspection.forEachMapping(visitor);
    }
}
