package io.natgate.control.journal;

import io.natgate.control.firewall.DenialReason;
import io.natgate.control.firewall.FirewallEventListener;

/**
 * The journal's listener for firewall events, from the admin's threads and the event thread: each is
 * handed to the log, then queued for the writer on the event thread, its time turned to the wall clock's.
 */
final class FirewallEventJournal implements FirewallEventListener
{
    private final JournalWriter writer;
    private final FirewallEventListener alsoTo;

    FirewallEventJournal(final JournalWriter writer, final FirewallEventListener alsoTo)
    {
        this.writer = writer;
        this.alsoTo = alsoTo;
    }

    public void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
        alsoTo.onSessionOpened(timeNs, sessionId, flags, clientAddress, clientPort, internalAddress, user);
        final long epochNs = writer.epochFromAnyThread(timeNs);
        writer.enqueue(out -> out.onSessionOpened(
            epochNs, sessionId, flags, clientAddress, clientPort, internalAddress, user));
    }

    public void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
        alsoTo.onSessionClosed(timeNs, sessionId, flags, clientAddress, user);
        final long epochNs = writer.epochFromAnyThread(timeNs);
        writer.enqueue(out -> out.onSessionClosed(epochNs, sessionId, flags, clientAddress, user));
    }

    public void onInboundMappingOpened(
        final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress)
    {
        alsoTo.onInboundMappingOpened(timeNs, sessionId, protocol, insideAddress, insidePort, publicAddress,
            publicPort, remoteAddress);
        final long epochNs = writer.epochFromAnyThread(timeNs);
        writer.enqueue(out -> out.onInboundMappingOpened(epochNs, sessionId, protocol, insideAddress, insidePort,
            publicAddress, publicPort, remoteAddress));
    }

    public void onFlowDenied(
        final long timeNs, final DenialReason reason, final boolean inbound, final int protocol,
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final String rule, final long suppressedBefore)
    {
        alsoTo.onFlowDenied(timeNs, reason, inbound, protocol, sourceAddress, sourcePort, destinationAddress,
            destinationPort, rule, suppressedBefore);
        final long epochNs = writer.epochFromAnyThread(timeNs);
        writer.enqueue(out -> out.onFlowDenied(epochNs, reason, inbound, protocol, sourceAddress, sourcePort,
            destinationAddress, destinationPort, rule, suppressedBefore));
    }
}
