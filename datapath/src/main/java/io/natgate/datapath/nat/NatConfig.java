package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.ValidatedConfiguration;

import java.util.concurrent.TimeUnit;

/**
 * NAT44 engine configuration: property names and defaults side by side, validated once by
 * {@link #validate()}, which names the bad key and value. Timeouts may not go below the
 * RFC minimums (RFC 4787 REQ-5, RFC 5382 REQ-5, RFC 5508 REQ-2).
 */
public final class NatConfig extends ValidatedConfiguration
{
    public static final String PUBLIC_ADDRESSES = "nat.publicAddresses";

    public static final String FILTERING = "nat.filtering";
    public static final FilteringMode FILTERING_DEFAULT = FilteringMode.ADDRESS_DEPENDENT;

    public static final String MAX_SESSIONS = "nat.maxSessions";
    public static final int MAX_SESSIONS_DEFAULT = 65_536;

    public static final String MAX_MAPPINGS = "nat.maxMappings";
    /** 0: same as max sessions. */
    public static final int MAX_MAPPINGS_DEFAULT = 0;

    public static final String MAX_CLIENTS = "nat.maxClients";
    public static final int MAX_CLIENTS_DEFAULT = 16_384;

    /**
     * Not set: the limit's default, a fair share of the tables ({@link #portsPerClient()} and the others say
     * which). 0 sets no limit.
     */
    public static final int FAIR_SHARE = -1;

    public static final String PORTS_PER_CLIENT = "nat.quota.portsPerClient";
    /** A sixteenth of the mapping table, at least 64. */
    public static final int PORTS_PER_CLIENT_DEFAULT = FAIR_SHARE;

    public static final String SESSIONS_PER_CLIENT = "nat.quota.sessionsPerClient";
    /** A sixteenth of the session table, at least 64. */
    public static final int SESSIONS_PER_CLIENT_DEFAULT = FAIR_SHARE;

    public static final String INBOUND_SESSIONS_PER_REMOTE = "nat.quota.inboundSessionsPerRemote";
    /** Sessions one remote address may open from outside: a sixty-fourth of the session table, at least 16. */
    public static final int INBOUND_SESSIONS_PER_REMOTE_DEFAULT = FAIR_SHARE;

    public static final String SESSIONS_PER_INBOUND_MAPPING = "nat.quota.sessionsPerInboundMapping";
    /** Sessions opened from outside through one mapping (a forward ...): a thirty-second of the table, at least 64. */
    public static final int SESSIONS_PER_INBOUND_MAPPING_DEFAULT = FAIR_SHARE;

    public static final String UDP_TIMEOUT = "nat.timeout.udp";
    public static final long UDP_TIMEOUT_MIN_NS = TimeUnit.MINUTES.toNanos(2);
    public static final long UDP_TIMEOUT_DEFAULT_NS = TimeUnit.MINUTES.toNanos(5);

    public static final String TCP_ESTABLISHED_TIMEOUT = "nat.timeout.tcpEstablished";
    public static final long TCP_ESTABLISHED_TIMEOUT_MIN_NS = TimeUnit.MINUTES.toNanos(124);
    public static final long TCP_ESTABLISHED_TIMEOUT_DEFAULT_NS = TimeUnit.MINUTES.toNanos(124);

    public static final String TCP_TRANSITORY_TIMEOUT = "nat.timeout.tcpTransitory";
    public static final long TCP_TRANSITORY_TIMEOUT_MIN_NS = TimeUnit.MINUTES.toNanos(4);
    public static final long TCP_TRANSITORY_TIMEOUT_DEFAULT_NS = TimeUnit.MINUTES.toNanos(4);

    public static final String ICMP_TIMEOUT = "nat.timeout.icmp";
    public static final long ICMP_TIMEOUT_MIN_NS = TimeUnit.SECONDS.toNanos(60);
    public static final long ICMP_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);

    public static final String INBOUND_REFRESH = "nat.inboundRefresh";
    public static final boolean INBOUND_REFRESH_DEFAULT = true;

    public static final String PORT_PRESERVATION = "nat.portPreservation";
    public static final boolean PORT_PRESERVATION_DEFAULT = true;

    public static final String PORT_PARITY = "nat.portParity";
    public static final boolean PORT_PARITY_DEFAULT = true;

    public static final String HAIRPINNING = "nat.hairpinning";
    public static final boolean HAIRPINNING_DEFAULT = true;

    public static final String MAX_HELD_FRAGMENTS = "nat.fragments.maxHeld";
    public static final int MAX_HELD_FRAGMENTS_DEFAULT = 64;

    public static final String MAX_FRAGMENT_FLOWS = "nat.fragments.maxFlows";
    public static final int MAX_FRAGMENT_FLOWS_DEFAULT = 1024;

    public static final String FRAGMENT_TIMEOUT = "nat.fragments.timeout";
    public static final long FRAGMENT_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    public static final String VERIFY_CHECKSUMS = "nat.verifyChecksums";
    /**
     * Whether every packet's transport checksum is verified. When false (the default) it is
     * verified only before a packet creates a session; established flows rely on the
     * incremental update, which carries a bad checksum through unchanged for the end host
     * to refuse.
     */
    public static final boolean VERIFY_CHECKSUMS_DEFAULT = false;

    public static final String PORT_BLOCK_SIZE = "nat.portBlocks.size";
    /** 0: no port blocks, ports allocated one mapping at a time. */
    public static final int PORT_BLOCK_SIZE_DEFAULT = 0;

    public static final String PORT_BLOCKS_PER_CLIENT = "nat.portBlocks.maxPerClient";
    public static final int PORT_BLOCKS_PER_CLIENT_DEFAULT = 4;

    public static final String PORT_BLOCK_INTERIM = "nat.portBlocks.interimLog";
    /** 0: no interim records. */
    public static final long PORT_BLOCK_INTERIM_DEFAULT_NS = 0;

    private int[] publicAddresses = new int[0];
    private int portBlockSize = PORT_BLOCK_SIZE_DEFAULT;
    private int portBlocksPerClient = PORT_BLOCKS_PER_CLIENT_DEFAULT;
    private long portBlockInterimNs = PORT_BLOCK_INTERIM_DEFAULT_NS;
    private DeterministicMap deterministic;
    private FilteringMode filtering = FILTERING_DEFAULT;
    private int maxSessions = MAX_SESSIONS_DEFAULT;
    private int maxMappings = MAX_MAPPINGS_DEFAULT;
    private int maxClients = MAX_CLIENTS_DEFAULT;
    private int portsPerClient = PORTS_PER_CLIENT_DEFAULT;
    private int sessionsPerClient = SESSIONS_PER_CLIENT_DEFAULT;
    private int inboundSessionsPerRemote = INBOUND_SESSIONS_PER_REMOTE_DEFAULT;
    private int sessionsPerInboundMapping = SESSIONS_PER_INBOUND_MAPPING_DEFAULT;
    private long udpTimeoutNs = UDP_TIMEOUT_DEFAULT_NS;
    private long tcpEstablishedTimeoutNs = TCP_ESTABLISHED_TIMEOUT_DEFAULT_NS;
    private long tcpTransitoryTimeoutNs = TCP_TRANSITORY_TIMEOUT_DEFAULT_NS;
    private long icmpTimeoutNs = ICMP_TIMEOUT_DEFAULT_NS;
    private boolean inboundRefresh = INBOUND_REFRESH_DEFAULT;
    private boolean portPreservation = PORT_PRESERVATION_DEFAULT;
    private boolean portParity = PORT_PARITY_DEFAULT;
    private boolean hairpinning = HAIRPINNING_DEFAULT;
    private int maxHeldFragments = MAX_HELD_FRAGMENTS_DEFAULT;
    private int maxFragmentFlows = MAX_FRAGMENT_FLOWS_DEFAULT;
    private long fragmentTimeoutNs = FRAGMENT_TIMEOUT_DEFAULT_NS;
    private boolean verifyChecksums = VERIFY_CHECKSUMS_DEFAULT;
    private int workerCount = 1;
    private int workerIndex;

    /**
     * Checks every value; throws on the first bad one.
     *
     * @return this.
     */
    public NatConfig validate()
    {
        if (publicAddresses.length == 0)
        {
            throw new ConfigurationException(PUBLIC_ADDRESSES, "[]", "at least one public address is needed");
        }
        if (publicAddresses.length > 4096)
        {
            throw new ConfigurationException(PUBLIC_ADDRESSES, publicAddresses.length + " addresses", "at most 4096");
        }
        for (int i = 0; i < publicAddresses.length; i++)
        {
            for (int j = i + 1; j < publicAddresses.length; j++)
            {
                if (publicAddresses[i] == publicAddresses[j])
                {
                    throw new ConfigurationException(
                        PUBLIC_ADDRESSES, Ipv4.toString(publicAddresses[i]), "address listed twice");
                }
            }
        }
        positive(MAX_SESSIONS, maxSessions, 1 << 26);
        if (maxMappings != 0)
        {
            positive(MAX_MAPPINGS, maxMappings, 1 << 26);
        }
        positive(MAX_CLIENTS, maxClients, 1 << 24);
        notNegative(PORTS_PER_CLIENT, portsPerClient);
        notNegative(SESSIONS_PER_CLIENT, sessionsPerClient);
        notNegative(INBOUND_SESSIONS_PER_REMOTE, inboundSessionsPerRemote);
        notNegative(SESSIONS_PER_INBOUND_MAPPING, sessionsPerInboundMapping);
        atLeast(UDP_TIMEOUT, udpTimeoutNs, UDP_TIMEOUT_MIN_NS, "RFC 4787 REQ-5: UDP mapping timeout at least 2 minutes");
        atLeast(TCP_ESTABLISHED_TIMEOUT, tcpEstablishedTimeoutNs, TCP_ESTABLISHED_TIMEOUT_MIN_NS,
            "RFC 5382 REQ-5: established idle-timeout at least 2 hours 4 minutes");
        atLeast(TCP_TRANSITORY_TIMEOUT, tcpTransitoryTimeoutNs, TCP_TRANSITORY_TIMEOUT_MIN_NS,
            "RFC 5382 REQ-5: transitory idle-timeout at least 4 minutes");
        atLeast(ICMP_TIMEOUT, icmpTimeoutNs, ICMP_TIMEOUT_MIN_NS, "RFC 5508 REQ-2: ICMP query timeout at least 60 s");
        validateAllocation();
        validateWorkers();
        positive(MAX_HELD_FRAGMENTS, maxHeldFragments, 1 << 16);
        positive(MAX_FRAGMENT_FLOWS, maxFragmentFlows, 1 << 20);
        if (fragmentTimeoutNs <= 0)
        {
            throw new ConfigurationException(FRAGMENT_TIMEOUT, fragmentTimeoutNs + "ns", "must be positive");
        }
        freeze();
        return this;
    }

    private void validateAllocation()
    {
        if (portBlockSize != 0)
        {
            if (portBlockSize < 8 || portBlockSize > 32_768 || Integer.bitCount(portBlockSize) != 1)
            {
                throw new ConfigurationException(PORT_BLOCK_SIZE, portBlockSize, "must be a power of two, 8..32768");
            }
            positive(PORT_BLOCKS_PER_CLIENT, portBlocksPerClient, (65_536 - 1024) / portBlockSize);
            if ((long)publicAddresses.length * ((65_536 - 1024) / portBlockSize) > 1 << 22)
            {
                throw new ConfigurationException(PORT_BLOCK_SIZE, portBlockSize, "with " + publicAddresses.length +
                    " public addresses makes over " + (1 << 22) + " blocks to track: use larger blocks");
            }
            if ((long)maxClients * portBlocksPerClient > 1 << 26)
            {
                throw new ConfigurationException(PORT_BLOCKS_PER_CLIENT, portBlocksPerClient,
                    "times " + MAX_CLIENTS + " (" + maxClients + ") is over " + (1 << 26) + " block slots");
            }
            if (portBlockInterimNs != 0 && portBlockInterimNs < TimeUnit.MINUTES.toNanos(1))
            {
                throw new ConfigurationException(PORT_BLOCK_INTERIM, TimeUnit.NANOSECONDS.toSeconds(portBlockInterimNs) +
                    "s", "interim records at most once a minute (0: none)");
            }
            if (deterministic != null)
            {
                throw new ConfigurationException(PORT_BLOCK_SIZE, portBlockSize,
                    "port blocks and deterministic NAT exclude each other: choose one");
            }
        }
        if (deterministic != null && !java.util.Arrays.equals(deterministic.publicAddresses(), publicAddresses))
        {
            throw new ConfigurationException(PUBLIC_ADDRESSES, publicAddresses.length + " addresses",
                "with deterministic NAT the public addresses are " + DeterministicMap.PUBLIC + "'s, in its order");
        }
    }

    private void validateWorkers()
    {
        if (workerCount < 1 || workerCount > WorkerPorts.MAX_WORKERS || workerIndex < 0 || workerIndex >= workerCount)
        {
            throw new ConfigurationException("workers", workerIndex + " of " + workerCount,
                "a worker index below a worker count of 1.." + WorkerPorts.MAX_WORKERS);
        }
        if (workerCount > 1 && !logsPerMapping())
        {
            throw new ConfigurationException(portBlockSize != 0 ? PORT_BLOCK_SIZE : DeterministicMap.PUBLIC,
                portBlockSize != 0 ? Integer.toString(portBlockSize) : "set",
                "port blocks and deterministic NAT run on one worker only (their ranges are not split by worker yet)");
        }
    }

    /**
     * The configuration of worker {@code workerIndex} of {@code workerCount}: the same behaviour, the
     * tables' capacities split evenly (rounded up), the per-client and per-mapping quotas those of the
     * whole (a client lives on one worker), and the worker's own public port ranges ({@link WorkerPorts}).
     */
    public NatConfig forWorker(final int workerIndex, final int workerCount)
    {
        final NatConfig share = copy();
        share.workerIndex = workerIndex;
        share.workerCount = workerCount;
        if (workerCount == 1)
        {
            return share;
        }
        share.maxSessions = ceilShare(maxSessions, workerCount);
        share.maxMappings = ceilShare(maxMappings(), workerCount);
        share.maxClients = ceilShare(maxClients, workerCount);
        share.maxFragmentFlows = ceilShare(maxFragmentFlows, workerCount);
        share.portsPerClient = portsPerClient();
        share.sessionsPerClient = sessionsPerClient();
        share.inboundSessionsPerRemote = inboundSessionsPerRemote();
        share.sessionsPerInboundMapping = sessionsPerInboundMapping();
        return share;
    }

    private static int ceilShare(final int total, final int parts)
    {
        return (total + parts - 1) / parts;
    }

    private NatConfig copy()
    {
        final NatConfig copy = new NatConfig();
        copy.publicAddresses = publicAddresses.clone();
        copy.portBlockSize = portBlockSize;
        copy.portBlocksPerClient = portBlocksPerClient;
        copy.portBlockInterimNs = portBlockInterimNs;
        copy.deterministic = deterministic;
        copy.filtering = filtering;
        copy.maxSessions = maxSessions;
        copy.maxMappings = maxMappings;
        copy.maxClients = maxClients;
        copy.portsPerClient = portsPerClient;
        copy.sessionsPerClient = sessionsPerClient;
        copy.inboundSessionsPerRemote = inboundSessionsPerRemote;
        copy.sessionsPerInboundMapping = sessionsPerInboundMapping;
        copy.udpTimeoutNs = udpTimeoutNs;
        copy.tcpEstablishedTimeoutNs = tcpEstablishedTimeoutNs;
        copy.tcpTransitoryTimeoutNs = tcpTransitoryTimeoutNs;
        copy.icmpTimeoutNs = icmpTimeoutNs;
        copy.inboundRefresh = inboundRefresh;
        copy.portPreservation = portPreservation;
        copy.portParity = portParity;
        copy.hairpinning = hairpinning;
        copy.maxHeldFragments = maxHeldFragments;
        copy.maxFragmentFlows = maxFragmentFlows;
        copy.fragmentTimeoutNs = fragmentTimeoutNs;
        copy.verifyChecksums = verifyChecksums;
        copy.workerCount = workerCount;
        copy.workerIndex = workerIndex;
        return copy;
    }

    /**
     * @return the workers the NAT runs on (1 unless {@link #forWorker} made this configuration).
     */
    public int workerCount()
    {
        return workerCount;
    }

    /**
     * @return which of the {@link #workerCount()} workers this configuration is for.
     */
    public int workerIndex()
    {
        return workerIndex;
    }

    private static void positive(final String key, final int value, final int max)
    {
        if (value <= 0 || value > max)
        {
            throw new ConfigurationException(key, value, "must be between 1 and " + max);
        }
    }

    private static void notNegative(final String key, final int value)
    {
        if (value < 0 && value != FAIR_SHARE)
        {
            throw new ConfigurationException(key, value, "must be 0 (unlimited) or positive");
        }
    }

    private static void atLeast(final String key, final long valueNs, final long minNs, final String reason)
    {
        if (valueNs < minNs)
        {
            throw new ConfigurationException(key, TimeUnit.NANOSECONDS.toSeconds(valueNs) + "s", reason);
        }
    }

    public int[] publicAddresses()
    {
        return publicAddresses;
    }

    public NatConfig publicAddresses(final int... publicAddresses)
    {
        checkMutable();
        this.publicAddresses = publicAddresses.clone();
        return this;
    }

    public FilteringMode filtering()
    {
        return filtering;
    }

    public NatConfig filtering(final FilteringMode filtering)
    {
        checkMutable();
        this.filtering = filtering;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    public NatConfig maxSessions(final int maxSessions)
    {
        checkMutable();
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * @return the mapping table capacity (the session capacity when not set).
     */
    public int maxMappings()
    {
        return maxMappings == 0 ? maxSessions : maxMappings;
    }

    public NatConfig maxMappings(final int maxMappings)
    {
        checkMutable();
        this.maxMappings = maxMappings;
        return this;
    }

    public int maxClients()
    {
        return maxClients;
    }

    public NatConfig maxClients(final int maxClients)
    {
        checkMutable();
        this.maxClients = maxClients;
        return this;
    }

    /**
     * @return the public ports one inside address may hold; 0 for no limit.
     */
    public int portsPerClient()
    {
        return portsPerClient == FAIR_SHARE ? Math.max(64, maxMappings() / 16) : portsPerClient;
    }

    public NatConfig portsPerClient(final int portsPerClient)
    {
        checkMutable();
        this.portsPerClient = portsPerClient;
        return this;
    }

    /**
     * @return the sessions one inside address may hold; 0 for no limit.
     */
    public int sessionsPerClient()
    {
        return sessionsPerClient == FAIR_SHARE ? Math.max(64, maxSessions / 16) : sessionsPerClient;
    }

    /**
     * @return the sessions one remote address may open from outside; 0 for no limit.
     */
    public int inboundSessionsPerRemote()
    {
        return inboundSessionsPerRemote == FAIR_SHARE ? Math.max(16, maxSessions / 64) : inboundSessionsPerRemote;
    }

    public NatConfig inboundSessionsPerRemote(final int inboundSessionsPerRemote)
    {
        checkMutable();
        this.inboundSessionsPerRemote = inboundSessionsPerRemote;
        return this;
    }

    /**
     * @return the sessions that may be opened from outside through one mapping; 0 for no limit.
     */
    public int sessionsPerInboundMapping()
    {
        return sessionsPerInboundMapping == FAIR_SHARE ? Math.max(64, maxSessions / 32) : sessionsPerInboundMapping;
    }

    public NatConfig sessionsPerInboundMapping(final int sessionsPerInboundMapping)
    {
        checkMutable();
        this.sessionsPerInboundMapping = sessionsPerInboundMapping;
        return this;
    }

    /**
     * The one change a validated configuration takes: the per-client quotas, which {@code natgate reload}
     * applies live, on the worker thread that reads them. The values come from another validated configuration.
     */
    public void reloadQuotas(final int portsPerClient, final int sessionsPerClient)
    {
        this.portsPerClient = portsPerClient;
        this.sessionsPerClient = sessionsPerClient;
    }

    public NatConfig sessionsPerClient(final int sessionsPerClient)
    {
        checkMutable();
        this.sessionsPerClient = sessionsPerClient;
        return this;
    }

    public long udpTimeoutNs()
    {
        return udpTimeoutNs;
    }

    public NatConfig udpTimeoutNs(final long udpTimeoutNs)
    {
        checkMutable();
        this.udpTimeoutNs = udpTimeoutNs;
        return this;
    }

    public long tcpEstablishedTimeoutNs()
    {
        return tcpEstablishedTimeoutNs;
    }

    public NatConfig tcpEstablishedTimeoutNs(final long tcpEstablishedTimeoutNs)
    {
        checkMutable();
        this.tcpEstablishedTimeoutNs = tcpEstablishedTimeoutNs;
        return this;
    }

    public long tcpTransitoryTimeoutNs()
    {
        return tcpTransitoryTimeoutNs;
    }

    public NatConfig tcpTransitoryTimeoutNs(final long tcpTransitoryTimeoutNs)
    {
        checkMutable();
        this.tcpTransitoryTimeoutNs = tcpTransitoryTimeoutNs;
        return this;
    }

    public long icmpTimeoutNs()
    {
        return icmpTimeoutNs;
    }

    public NatConfig icmpTimeoutNs(final long icmpTimeoutNs)
    {
        checkMutable();
        this.icmpTimeoutNs = icmpTimeoutNs;
        return this;
    }

    public boolean inboundRefresh()
    {
        return inboundRefresh;
    }

    public NatConfig inboundRefresh(final boolean inboundRefresh)
    {
        checkMutable();
        this.inboundRefresh = inboundRefresh;
        return this;
    }

    public boolean portPreservation()
    {
        return portPreservation;
    }

    public NatConfig portPreservation(final boolean portPreservation)
    {
        checkMutable();
        this.portPreservation = portPreservation;
        return this;
    }

    public boolean portParity()
    {
        return portParity;
    }

    public NatConfig portParity(final boolean portParity)
    {
        checkMutable();
        this.portParity = portParity;
        return this;
    }

    public boolean hairpinning()
    {
        return hairpinning;
    }

    public NatConfig hairpinning(final boolean hairpinning)
    {
        checkMutable();
        this.hairpinning = hairpinning;
        return this;
    }

    public int maxHeldFragments()
    {
        return maxHeldFragments;
    }

    public NatConfig maxHeldFragments(final int maxHeldFragments)
    {
        checkMutable();
        this.maxHeldFragments = maxHeldFragments;
        return this;
    }

    public int maxFragmentFlows()
    {
        return maxFragmentFlows;
    }

    public NatConfig maxFragmentFlows(final int maxFragmentFlows)
    {
        checkMutable();
        this.maxFragmentFlows = maxFragmentFlows;
        return this;
    }

    public long fragmentTimeoutNs()
    {
        return fragmentTimeoutNs;
    }

    public NatConfig fragmentTimeoutNs(final long fragmentTimeoutNs)
    {
        checkMutable();
        this.fragmentTimeoutNs = fragmentTimeoutNs;
        return this;
    }

    public boolean verifyChecksums()
    {
        return verifyChecksums;
    }

    public NatConfig verifyChecksums(final boolean verifyChecksums)
    {
        checkMutable();
        this.verifyChecksums = verifyChecksums;
        return this;
    }

    /**
     * @return ports in a port block, or 0 when ports are allocated one mapping at a time.
     */
    public int portBlockSize()
    {
        return portBlockSize;
    }

    public NatConfig portBlockSize(final int portBlockSize)
    {
        checkMutable();
        this.portBlockSize = portBlockSize;
        return this;
    }

    public int portBlocksPerClient()
    {
        return portBlocksPerClient;
    }

    public NatConfig portBlocksPerClient(final int portBlocksPerClient)
    {
        checkMutable();
        this.portBlocksPerClient = portBlocksPerClient;
        return this;
    }

    /**
     * @return how often a live port block is reported again, 0 for never.
     */
    public long portBlockInterimNs()
    {
        return portBlockInterimNs;
    }

    public NatConfig portBlockInterimNs(final long portBlockInterimNs)
    {
        checkMutable();
        this.portBlockInterimNs = portBlockInterimNs;
        return this;
    }

    /**
     * @return the deterministic map (RFC 7422), or null when ports are not assigned deterministically.
     */
    public DeterministicMap deterministic()
    {
        return deterministic;
    }

    /**
     * Sets deterministic NAT; the public addresses become the map's.
     */
    public NatConfig deterministic(final DeterministicMap deterministic)
    {
        checkMutable();
        this.deterministic = deterministic;
        if (deterministic != null)
        {
            this.publicAddresses = deterministic.publicAddresses();
        }
        return this;
    }

    /**
     * @return whether mappings leave no per-mapping log record (port blocks or deterministic NAT log less).
     */
    public boolean logsPerMapping()
    {
        return portBlockSize == 0 && deterministic == null;
    }
}
