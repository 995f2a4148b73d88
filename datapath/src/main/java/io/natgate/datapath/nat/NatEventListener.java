package io.natgate.datapath.nat;

/**
 * Mapping lifecycle events the NAT engine emits. The same interface is implemented by the
 * encoder onto the event ring, by the journal writer and by anything replaying a journal,
 * so live and replayed events take one path. Addresses are IPv4 as ints, ports unsigned
 * 16-bit, protocol the IP protocol number (1 ICMP, 6 TCP, 17 UDP; for ICMP the "port" is
 * the query identifier).
 * <p>
 * Session events name the remote endpoint too; they come one per session made or ended (the slow
 * path) and one per refresh at most about once a minute ({@link NatEngine#REFRESH_EVENT_SHIFT}).
 * Their {@code state} is the session's TCP bits ({@link NatEngine#TCP_SYN_OUT} ...) and
 * {@link NatEngine#SESSION_ADMITTED_INBOUND}.
 * <p>
 * Every event has an empty default, so a listener implements only what it wants.
 */
public interface NatEventListener
{
    /**
     * A listener that ignores every event.
     */
    NatEventListener NONE = new NatEventListener()
    {
    };

    /**
     * Whether the records of a new mapping and session can be queued now with room left for the records
     * that end live ones: the engine refuses a new flow (counted) rather than make a mapping that would go
     * unrecorded. Listeners that never lose a record keep the default.
     */
    default boolean canRecordCreation()
    {
        return true;
    }

    /**
     * Whether a refresh record may be queued now; refreshes give way to creations and removals.
     */
    default boolean canRecordRefresh()
    {
        return true;
    }

    /**
     * Whether the records of a session's end, and its mapping's, can be queued now; expiry waits while not.
     */
    default boolean canRecordRemoval()
    {
        return true;
    }

    /**
     * A mapping (endpoint-independent binding of an inside endpoint to a public endpoint) was created.
     *
     * @param kind one of {@link MappingKind}'s ids.
     */
    default void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
    }

    /**
     * A mapping's last session timed out and the mapping went with it.
     */
    default void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
    }

    /**
     * A mapping was removed by command (static or control-plane mapping deleted).
     */
    default void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
    }

    /**
     * A {@link NatCommands} command was applied or refused.
     *
     * @param status        one of {@link CommandStatus}'s ids.
     * @param publicAddress the public endpoint the command resulted in (0 when refused or not applicable).
     */
    default void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
    }

    /**
     * A session (an inside endpoint talking to one remote endpoint through its mapping) was made.
     */
    default void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
    }

    /**
     * A session was refreshed by traffic; reported when its deadline moved on by about a minute or its
     * timeout class changed, not for every packet.
     */
    default void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
    }

    /**
     * A session timed out (or was reclaimed past its deadline).
     */
    default void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
    }

    /**
     * A session ended with the mapping it came in through (static or inbound mapping removed or closed).
     */
    default void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
    }

    /**
     * Port-block allocation: a block of ports {@code firstPort..lastPort} of {@code publicAddress} was given to
     * {@code insideAddress}; every mapping it makes uses them until the block is released.
     */
    default void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
    }

    /**
     * Port-block allocation: the block's last mapping went and the block with it.
     */
    default void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
    }

    /**
     * Port-block allocation: an interim record of a block still held ({@code nat.portBlocks.interimLog}).
     */
    default void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
    }

    /**
     * A client reached its port limit and a new mapping was refused (rate-limited: at most one a second).
     *
     * @param limit the ports the client may hold.
     */
    default void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
    }

    /**
     * A public address had no free port (or port block) for a new mapping (rate-limited: at most one a second).
     */
    default void onPortsExhausted(final long timeNs, final int publicAddress)
    {
    }
}
