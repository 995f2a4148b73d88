package io.natgate.datapath.nat;

/**
 * Commands the control plane sends the NAT engine. The engine implements this and applies
 * them on the worker thread (its single writer); the control plane calls an encoder that
 * implements the same interface and offers each command on the worker's command ring.
 * Every command carries a correlation id so its outcome can be reported back.
 */
public interface NatCommands
{
    /**
     * The time the commands that follow are applied at (their {@code onCommandCompleted} time and the
     * start of an inbound mapping's lifetime). The worker calls it once per duty cycle, before applying
     * that cycle's commands; an encoder onto the command ring ignores it.
     */
    default void commandTimeNs(final long nowNs)
    {
    }

    /**
     * Adds a static mapping (port forward): public endpoint to inside endpoint, never expiring.
     */
    void addStaticMapping(
        long correlationId, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort);

    /**
     * Removes a static mapping.
     */
    void removeStaticMapping(long correlationId, int protocol, int publicAddress, int publicPort);

    /**
     * Opens an inbound mapping for an inside endpoint, as a private session or PCP/NAT-PMP grant does.
     *
     * @param publicPort      the public port wanted, 0 to let the engine choose (it prefers the inside port).
     * @param remoteAddress   when not 0, only this remote address may use the mapping inbound.
     * @param lifetimeNs      how long the mapping lives unless refreshed by another open.
     */
    void openInboundMapping(
        long correlationId, int protocol, int insideAddress, int insidePort, int publicPort, int remoteAddress,
        long lifetimeNs);

    /**
     * Closes an inbound mapping opened by {@link #openInboundMapping}.
     */
    void closeInboundMapping(long correlationId, int protocol, int insideAddress, int insidePort);

    /**
     * Ends one session now (an operator's delete), journaled as removed; a dynamic mapping left without
     * sessions ends with it. Completes {@link CommandStatus#NOT_FOUND} when there is no such session.
     */
    void removeSession(
        long correlationId, int protocol, int insideAddress, int insidePort, int remoteAddress, int remotePort);

    /**
     * High availability, on a standby: makes or brings up to date a session its active peer reported (and the
     * session's mapping, on the public endpoint the peer chose, with its first session), with its TCP state and
     * a deadline of its timeout from now. Completes {@link CommandStatus#PUBLIC_ENDPOINT_IN_USE} when the inside
     * endpoint is mapped elsewhere or the public endpoint is taken here.
     *
     * @param state the session event's state: TCP bits and {@link NatEngine#SESSION_ADMITTED_INBOUND}.
     */
    default void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        throw new UnsupportedOperationException("replicateSession");
    }
}
