package io.natgate.control.ha;

import io.natgate.datapath.nat.SessionVisitor;

/**
 * What the HA node does to its gateway: throws the forwarding switch, asks for gratuitous ARP, offers the
 * replicated records to the worker's command ring and reads the tables for a snapshot. The gateway implements it
 * over its pipeline; tests over an engine of their own.
 */
public interface HaTarget
{
    /** The correlation id of the commands replication sends, so their completions can be told apart. */
    long REPLICA_CORRELATION_ID = -18;
    /** The correlation id of the other replicated commands (session ends, static mappings): not found is no failure. */
    long REPLICA_END_CORRELATION_ID = -19;

    void forwarding(boolean forwarding);

    void announce();

    /**
     * @return false when the command ring is full (offer again later).
     */
    boolean replicateSession(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
        int remotePort, int state);

    boolean removeSession(int protocol, int insideAddress, int insidePort, int remoteAddress, int remotePort);

    boolean addStaticMapping(int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort);

    boolean removeStaticMapping(int protocol, int publicAddress, int publicPort);

    /**
     * Reads the session records {@code [fromRecord, fromRecord + recordCount)} on the worker thread, between bursts,
     * and waits for it.
     *
     * @return the record to go on from, -1 at the end of the table.
     */
    int readSessions(int fromRecord, int recordCount, SessionVisitor visitor);
}
