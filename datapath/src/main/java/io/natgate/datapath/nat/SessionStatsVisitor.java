package io.natgate.datapath.nat;

/**
 * Receives sessions with their traffic when the table is walked a part at a time
 * ({@link NatEngine#visitSessions}): what {@link SessionVisitor} receives, and the packets and
 * bytes translated each way (packets modulo 2^32; a later fragment is not counted, having no
 * session lookup of its own), and when the session was created (or restored by a warm restart), on
 * the engine's clock as {@code deadlineNs} is.
 */
@FunctionalInterface
public interface SessionStatsVisitor
{
    void onSession(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
        int remotePort, long deadlineNs, int tcpFlags, MappingKind kind,
        long packetsOut, long bytesOut, long packetsIn, long bytesIn, long createdNs);
}
