package io.natgate.control.firewall;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

import java.io.PrintStream;

/**
 * Firewall events as lines on the gateway's log, until the journal records them.
 */
public final class FirewallEventLog implements FirewallEventListener
{
    private final PrintStream log;

    public FirewallEventLog(final PrintStream log)
    {
        this.log = log;
    }

    public void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
        log.printf("natgate: firewall session %d opened: %s client %s:%d via %s%s%n", sessionId, kind(flags),
            Ipv4.toString(clientAddress), clientPort, Ipv4.toString(internalAddress), user == null ? "" : " user " + user);
    }

    public void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
        log.printf("natgate: firewall session %d closed: %s client %s%s%n", sessionId, kind(flags),
            Ipv4.toString(clientAddress), user == null ? "" : " user " + user);
    }

    public void onInboundMappingOpened(
        final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress)
    {
        log.printf("natgate: firewall session %d opened inbound %s %s:%d -> %s:%d%s%n", sessionId,
            Ipv4Protocols.name(protocol), Ipv4.toString(publicAddress), publicPort, Ipv4.toString(insideAddress),
            insidePort, remoteAddress == 0 ? "" : " from " + Ipv4.toString(remoteAddress) + " only");
    }

    public void onFlowDenied(
        final long timeNs, final DenialReason reason, final boolean inbound, final int protocol, final int sourceAddress,
        final int sourcePort, final int destinationAddress, final int destinationPort, final String rule,
        final long suppressedBefore)
    {
        log.printf("natgate: firewall denied %s %s %s:%d -> %s:%d: %s (%s)%s%n", inbound ? "inbound" : "outbound",
            Ipv4Protocols.name(protocol), Ipv4.toString(sourceAddress), sourcePort, Ipv4.toString(destinationAddress),
            destinationPort, reason.name(), rule == null ? "no rule matched" : "rule " + rule,
            suppressedBefore == 0 ? "" : "; " + suppressedBefore + " more denials before this one not reported");
    }

    private static String kind(final int flags)
    {
        return (flags & SessionFlag.PRIVATE.bit()) != 0 ? "private" : "client";
    }
}
