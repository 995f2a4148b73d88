package io.natgate.control.journal;

import io.natgate.control.cp.ProviderEventListener;
import io.natgate.control.firewall.DenialReason;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.datapath.nat.NatEventListener;

/**
 * Everything the journal holds, as one interface: the NAT engine's, the Connectivity Platform's and the
 * firewall's events, and the journal's own (start of a run, derived mapping refreshes, restored state,
 * losses). It is the Chronicle Queue method-writer interface: the live writer calls a method writer of
 * it, and replay hands every entry to an implementation of it, so one implementation (a printer, the
 * state of {@link JournalState}) serves live and replayed events alike.
 * <p>
 * In the journal every time is nanoseconds since the epoch ({@code timeNs} of the inherited methods
 * included: the writer turns the datapath's clock into the epoch's). Every method has an empty
 * default, so an implementation takes only what it wants. Command completions are not journaled.
 */
public interface JournalEvents extends NatEventListener, ProviderEventListener, FirewallEventListener
{
    /**
     * A gateway started writing: what the journal held before is void, but for the mappings and sessions
     * it restores, which follow at once as {@link #onMappingRestored} and {@link #onSessionRestored}.
     *
     * @param destinations whether this run journals sessions with their remote endpoints.
     */
    default void onGatewayStarted(final long timeNs, final long processId, final boolean destinations)
    {
    }

    /**
     * A mapping saw traffic; at most one a minute per mapping ({@link JournalWriter#MAPPING_REFRESH_INTERVAL_NS}).
     */
    default void onMappingRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
    }

    /**
     * A warm restart put a mapping back.
     *
     * @param lastActiveNs when the journal last saw it in use before the restart.
     */
    default void onMappingRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind, final long lastActiveNs)
    {
    }

    /**
     * A warm restart put a session back.
     */
    default void onSessionRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state, final long lastActiveNs)
    {
    }

    /**
     * Events that never reached the journal: the event ring was full, or the journal could not write.
     *
     * @param reason in words, e.g. "event ring full", "disk full".
     */
    /**
     * This gateway of an HA pair changed role ({@code standby}, {@code active}).
     */
    default void onHaTransition(final long timeNs, final String from, final String to, final String reason)
    {
    }

    default void onEventsLost(final long timeNs, final long count, final String reason)
    {
    }

    @Override
    default void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
    }

    @Override
    default void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
    }

    @Override
    default void onInboundMappingOpened(
        final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress)
    {
    }

    @Override
    default void onFlowDenied(
        final long timeNs, final DenialReason reason, final boolean inbound, final int protocol,
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final String rule, final long suppressedBefore)
    {
    }
}
