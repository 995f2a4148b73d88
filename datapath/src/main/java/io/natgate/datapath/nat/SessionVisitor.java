package io.natgate.datapath.nat;

/**
 * Receives sessions when the table is walked (admin listing, digests, tests).
 */
@FunctionalInterface
public interface SessionVisitor
{
    void onSession(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
        int remotePort, long deadlineNs, int tcpFlags, MappingKind kind);
}
