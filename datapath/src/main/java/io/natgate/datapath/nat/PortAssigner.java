package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;

/**
 * Where the engine gets a public address and port for a new mapping, by the configured allocation:
 * per mapping from the whole address (paired pooling, port preservation, parity), in port blocks
 * ({@link PortBlockAllocator}), or in the inside address's deterministic range ({@link DeterministicMap}).
 * It also reports running out: a client at its limit ({@link NatEventListener#onQuotaExceeded}) and a
 * public address with no ports or blocks left ({@link NatEventListener#onPortsExhausted}), each kind at most
 * once per {@link #LIMIT_EVENT_INTERVAL_NS}, so an attack on the limits cannot flood the event ring.
 */
final class PortAssigner
{
    /** Quota-exceeded and ports-exhausted events are reported at most this often (each kind). */
    static final long LIMIT_EVENT_INTERVAL_NS = 1_000_000_000L;

    private final NatConfig config;
    private final AddressSet publicAddresses;
    private final PortAllocator ports;
    private final NatEventListener events;
    private final PortBlockAllocator blocks;
    private final DeterministicMap deterministic;
    private long nextQuotaEventNs;
    private long nextExhaustedEventNs;
    private boolean quotaEventSent;
    private boolean exhaustedEventSent;

    PortAssigner(
        final NatConfig config, final AddressSet publicAddresses, final PortAllocator ports,
        final NatEventListener events)
    {
        this.config = config;
        this.publicAddresses = publicAddresses;
        this.ports = ports;
        this.events = events;
        this.deterministic = config.deterministic();
        this.blocks = config.portBlockSize() == 0 ? null : new PortBlockAllocator(config.portBlockSize(),
            config.portBlocksPerClient(), config.portBlockInterimNs(), config.maxClients(), publicAddresses, ports,
            events);
    }

    /**
     * @return the index of the public address {@code insideAddress} always gets (paired pooling, RFC 4787
     * REQ-2, or its deterministic address), or -1 when it gets none (outside the deterministic prefix).
     */
    int addressIndex(final int insideAddress)
    {
        if (deterministic != null)
        {
            return deterministic.publicAddressIndex(insideAddress);
        }
        return (int)((HashIndex.hash(insideAddress, 0x2545F491L) & 0xFFFF_FFFFL) % publicAddresses.size());
    }

    /**
     * A public port of {@code addressIndex} for a new mapping of client {@code entry}, already marked in use.
     *
     * @return the port, or a negative drop code ({@link NatEngine#drop}).
     */
    int assign(
        final int entry, final int insideAddress, final int addressIndex, final int protocol, final int insidePort,
        final long nowNs)
    {
        final boolean parity = config.portParity() && protocol != Ipv4Protocols.ICMP;
        if (blocks != null)
        {
            final int port = blocks.assign(
                entry, insideAddress, addressIndex, protocol, insidePort, config.portPreservation(), parity, nowNs);
            if (port == PortBlockAllocator.QUOTA)
            {
                quotaExceeded(insideAddress, config.portBlocksPerClient() * config.portBlockSize(), nowNs);
                return NatEngine.drop(DropReason.CLIENT_PORT_QUOTA);
            }
            if (port < 0)
            {
                portsExhausted(addressIndex, nowNs);
                return NatEngine.drop(DropReason.OUT_OF_PORTS);
            }
            return port;
        }
        if (deterministic != null)
        {
            final int port = ports.acquireInRange(addressIndex, protocol, insidePort, config.portPreservation(), parity,
                deterministic.firstPort(insideAddress), deterministic.lastPort(insideAddress));
            if (port < 0)
            {
                quotaExceeded(insideAddress, deterministic.portsPerHost(), nowNs);
                return NatEngine.drop(DropReason.CLIENT_PORT_QUOTA);
            }
            return port;
        }
        final int port = ports.acquire(addressIndex, protocol, insidePort, config.portPreservation(), parity);
        if (port < 0)
        {
            portsExhausted(addressIndex, nowNs);
            return NatEngine.drop(DropReason.OUT_OF_PORTS);
        }
        return port;
    }

    /**
     * @return whether a mapping of {@code insideAddress} may ask for {@code port} by number (an inbound
     * mapping's wish): anywhere in this worker's ranges without blocks or deterministic ranges, else only
     * in its own.
     */
    boolean mayTake(final int insideAddress, final int addressIndex, final int port)
    {
        if (!ports.owns(port))
        {
            return false; // another worker's: inbound packets to it would go there
        }
        if (blocks != null)
        {
            return blocks.owns(insideAddress, addressIndex, port);
        }
        if (deterministic != null)
        {
            return port >= deterministic.firstPort(insideAddress) && port <= deterministic.lastPort(insideAddress);
        }
        return true;
    }

    /**
     * A mapping took {@code port} by number (static, restored, an inbound mapping's wish).
     */
    void taken(final int insideAddress, final int addressIndex, final int port)
    {
        if (blocks != null)
        {
            blocks.added(insideAddress, addressIndex, port);
        }
    }

    /**
     * A mapping went: its port is free again, and a port block left empty goes back.
     */
    void release(
        final int insideAddress, final int addressIndex, final int protocol, final int port, final long nowNs)
    {
        ports.release(addressIndex, protocol, port);
        if (blocks != null)
        {
            blocks.removed(insideAddress, addressIndex, port, nowNs);
        }
    }

    /**
     * Interim records of live port blocks that are due, looking at {@code limit} blocks at most.
     */
    int interim(final long nowNs, final int limit)
    {
        return blocks == null ? 0 : blocks.interim(nowNs, limit);
    }

    int blocksInUse()
    {
        return blocks == null ? 0 : blocks.blocksInUse();
    }

    long capacityBytes()
    {
        return blocks == null ? 0 : blocks.capacityBytes();
    }

    /**
     * A client hit a port limit ({@code limit} ports): reported, rate-limited.
     */
    void quotaExceeded(final int insideAddress, final int limit, final long nowNs)
    {
        if (!quotaEventSent || nowNs - nextQuotaEventNs >= 0)
        {
            quotaEventSent = true;
            nextQuotaEventNs = nowNs + LIMIT_EVENT_INTERVAL_NS;
            events.onQuotaExceeded(nowNs, insideAddress, limit);
        }
    }

    private void portsExhausted(final int addressIndex, final long nowNs)
    {
        if (!exhaustedEventSent || nowNs - nextExhaustedEventNs >= 0)
        {
            exhaustedEventSent = true;
            nextExhaustedEventNs = nowNs + LIMIT_EVENT_INTERVAL_NS;
            events.onPortsExhausted(nowNs, publicAddresses.address(addressIndex));
        }
    }
}
