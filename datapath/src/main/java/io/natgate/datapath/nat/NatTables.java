package io.natgate.datapath.nat;

import io.natgate.datapath.counters.GlobalCounter;

import io.natgate.datapath.counters.DatapathCounters;

/**
 * What the NAT stages share: the configuration, the tables they read and write, the timeouts per
 * session class, the flow policy and where events and counts go. One per engine; the worker that
 * owns the engine is the only thread touching it.
 */
final class NatTables
{
    final NatConfig config;
    final NatEventListener events;
    final DatapathCounters counters;
    final AddressSet publicAddresses;
    final SessionTable sessions;
    final MappingTable mappings;
    /** Each mapping's sessions, oldest to newest. */
    final MappingSessions mappingSessions;
    final ClientTable clients;
    final PortAllocator ports;
    /** Where a new mapping gets its public port: per mapping, in port blocks, or deterministically. */
    final PortAssigner portAssigner;
    final FragmentTable fragments;
    final InboundMappings inboundMappings;
    final InboundLimits inboundLimits;
    private final long[] timeoutNs = new long[SessionTable.CLASS_COUNT];

    FlowPolicy policy = FlowPolicy.ALLOW_ALL;
    /** Whether the journal can record new mappings and sessions now; set by the journal's writer. */
    RecordKeeping recordKeeping = new RecordKeeping();
    /** The time commands and restores are stamped with: set once per duty cycle. */
    long commandTimeNs;
    /**
     * The {@link io.natgate.datapath.offload.Offload} state of the packet being translated (checksum
     * partial: the transport checksum field holds the pseudo-header sum); set per packet by the forwarder.
     */
    int frameOffload;

    /** Which worker owns which flow: a hairpinned packet whose destination another worker owns crosses to it. */
    final WorkerSteering steering;

    NatTables(
        final NatConfig config, final NatEventListener events, final DatapathCounters counters,
        final WorkerSteering steering)
    {
        this.config = config;
        this.steering = steering;
        this.events = events;
        this.counters = counters;
        publicAddresses = new AddressSet(config.publicAddresses());
        sessions = new SessionTable(config.maxSessions());
        mappings = new MappingTable(config.maxMappings());
        mappingSessions = new MappingSessions(sessions, mappings);
        clients = new ClientTable(config.maxClients());
        ports = new PortAllocator(publicAddresses.size(), steering.ports(), config.workerIndex());
        portAssigner = new PortAssigner(config, publicAddresses, ports, events);
        fragments = new FragmentTable(config.maxFragmentFlows(), config.maxHeldFragments());
        inboundMappings = new InboundMappings(Math.min(config.maxMappings(), 65_536));
        inboundLimits = new InboundLimits(config.inboundSessionsPerRemote(), config.sessionsPerInboundMapping(),
            config.maxSessions(), config.maxMappings());
        timeoutNs[SessionTable.CLASS_UDP] = config.udpTimeoutNs();
        timeoutNs[SessionTable.CLASS_TCP_TRANSITORY] = config.tcpTransitoryTimeoutNs();
        timeoutNs[SessionTable.CLASS_TCP_ESTABLISHED] = config.tcpEstablishedTimeoutNs();
        timeoutNs[SessionTable.CLASS_ICMP] = config.icmpTimeoutNs();
    }

    /**
     * @return whether a command may make a mapping now: its record can be queued and the journal can keep it.
     */
    boolean canRecordNewMapping()
    {
        return events.canRecordCreation() && recordKeeping.recordsMappings();
    }

    long timeoutNs(final int timeoutClass)
    {
        return timeoutNs[timeoutClass];
    }

    /**
     * Ends a control-plane command: counted applied or rejected, and its one completion event.
     */
    void completeCommand(
        final long correlationId, final CommandStatus status, final int publicAddress, final int publicPort)
    {
        counters.increment(
            status == CommandStatus.OK ? GlobalCounter.COMMANDS_APPLIED : GlobalCounter.COMMANDS_REJECTED);
        events.onCommandCompleted(commandTimeNs, correlationId, status.id(), publicAddress, publicPort);
    }
}
