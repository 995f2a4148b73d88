package io.natgate.control.ha;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.SessionVisitor;

/**
 * A gateway as an HA node sees it, without a pipeline: a NAT engine that applies the node's commands at once
 * (as its worker would a duty cycle later), whose events go to the node as the gateway's event drain hands them on.
 */
final class EngineTarget implements HaTarget
{
    final NatEngine engine;
    NatEventListener node = NatEventListener.NONE;
    long nowNs;
    boolean forwarding;
    int announcements;
    boolean everForwarded;
    /** While true, every command is refused as a full command ring refuses it. */
    boolean ringFull;

    EngineTarget(final int... publicAddresses)
    {
        engine = new NatEngine(new NatConfig().publicAddresses(publicAddresses), new NatEventListener()
        {
            public void onMappingCreated(final long timeNs, final int protocol, final int insideAddress,
                final int insidePort, final int publicAddress, final int publicPort, final int kind)
            {
                node.onMappingCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind);
            }

            public void onMappingExpired(final long timeNs, final int protocol, final int insideAddress,
                final int insidePort, final int publicAddress, final int publicPort)
            {
                node.onMappingExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            }

            public void onMappingRemoved(final long timeNs, final int protocol, final int insideAddress,
                final int insidePort, final int publicAddress, final int publicPort)
            {
                node.onMappingRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            }

            public void onCommandCompleted(final long timeNs, final long correlationId, final int status,
                final int publicAddress, final int publicPort)
            {
                node.onCommandCompleted(timeNs, correlationId, status, publicAddress, publicPort);
            }

            public void onSessionCreated(final long timeNs, final int protocol, final int insideAddress,
                final int insidePort, final int publicAddress, final int publicPort, final int remoteAddress,
                final int remotePort, final int state)
            {
                node.onSessionCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                    remoteAddress, remotePort, state);
            }

            public void onSessionRemoved(final long timeNs, final int protocol, final int insideAddress,
                final int insidePort, final int publicAddress, final int publicPort, final int remoteAddress,
                final int remotePort, final int state)
            {
                node.onSessionRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                    remoteAddress, remotePort, state);
            }
        }, new DatapathCounters(2));
    }

    public void forwarding(final boolean forwarding)
    {
        this.forwarding = forwarding;
        everForwarded |= forwarding;
    }

    public void announce()
    {
        announcements++;
    }

    public boolean replicateSession(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        if (ringFull)
        {
            return false;
        }
        engine.commandTimeNs(nowNs);
        engine.replicateSession(REPLICA_CORRELATION_ID, protocol, insideAddress, insidePort, publicAddress,
            publicPort, remoteAddress, remotePort, state);
        return true;
    }

    public boolean removeSession(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort)
    {
        if (ringFull)
        {
            return false;
        }
        engine.commandTimeNs(nowNs);
        engine.removeSession(REPLICA_END_CORRELATION_ID, protocol, insideAddress, insidePort, remoteAddress,
            remotePort);
        return true;
    }

    public boolean addStaticMapping(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        engine.commandTimeNs(nowNs);
        engine.addStaticMapping(REPLICA_END_CORRELATION_ID, protocol, insideAddress, insidePort, publicAddress,
            publicPort);
        return true;
    }

    public boolean removeStaticMapping(final int protocol, final int publicAddress, final int publicPort)
    {
        engine.commandTimeNs(nowNs);
        engine.removeStaticMapping(REPLICA_END_CORRELATION_ID, protocol, publicAddress, publicPort);
        return true;
    }

    public int readSessions(final int fromRecord, final int recordCount, final SessionVisitor visitor)
    {
        return engine.forEachSession(fromRecord, recordCount, visitor);
    }
}
