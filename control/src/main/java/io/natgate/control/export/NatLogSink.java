package io.natgate.control.export;

/**
 * One output of NAT event records (IPFIX, syslog). Times are milliseconds since the epoch; addresses IPv4
 * as ints; {@code event} a {@link NatEvent} value. Called on the gateway's event thread only.
 */
public interface NatLogSink extends AutoCloseable
{
    /**
     * An address-and-port mapping (BIB entry) made or gone: {@link NatEvent#BIB_CREATE} or {@link NatEvent#BIB_DELETE}.
     */
    void mapping(
        int event, long timeMs, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort);

    /**
     * A session made or gone: {@link NatEvent#SESSION_CREATE} or {@link NatEvent#SESSION_DELETE}.
     */
    void session(
        int event, long timeMs, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort,
        int remoteAddress, int remotePort);

    /**
     * A port block allocated, released ({@link NatEvent#PORT_BLOCK_ALLOCATE}, {@link NatEvent#PORT_BLOCK_RELEASE}),
     * or still held ({@code interim}, with {@link NatEvent#PORT_BLOCK_ALLOCATE}).
     */
    void block(int event, boolean interim, long timeMs, int insideAddress, int publicAddress, int firstPort, int lastPort);

    /**
     * A client at its port limit was refused a mapping.
     */
    void quotaExceeded(long timeMs, int insideAddress, int limit);

    /**
     * A public address had no port or block left.
     */
    void portsExhausted(long timeMs, int publicAddress);

    /**
     * Sends what is pending and whatever is due (template refresh).
     *
     * @return the work done.
     */
    int flush(long nowMs);

    /**
     * @return records handed to the network.
     */
    long recordsSent();

    /**
     * @return records that could not be sent (a full queue, a refused datagram), counted once per collector.
     */
    long recordsUnsent();

    @Override
    void close();
}
