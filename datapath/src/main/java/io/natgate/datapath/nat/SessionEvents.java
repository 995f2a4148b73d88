package io.natgate.datapath.nat;

/**
 * Reports a session's creation, refresh, expiry or removal to the {@link NatEventListener}.
 * Sessions are made and ended on the slow path, so an event each costs one ring write there;
 * refreshes are reported at most about once a minute a session ({@link NatEngine#REFRESH_EVENT_SHIFT}).
 */
final class SessionEvents
{
    static final int CREATED = 0;
    static final int REFRESHED = 1;
    static final int EXPIRED = 2;
    static final int REMOVED = 3;

    private final SessionTable sessions;
    private final NatEventListener events;

    SessionEvents(final NatTables tables)
    {
        sessions = tables.sessions;
        events = tables.events;
    }

    void report(final int type, final int session, final long nowNs)
    {
        final SessionTable sessions = this.sessions;
        final int protocol = sessions.protocol(session);
        final int insideAddress = sessions.insideAddress(session);
        final int insidePort = sessions.insidePort(session);
        final int publicAddress = sessions.publicAddress(session);
        final int publicPort = sessions.publicPort(session);
        final int remoteAddress = sessions.remoteAddress(session);
        final int remotePort = sessions.remotePort(session);
        final int state =
            sessions.tcpFlags(session) | (sessions.isAdmittedInbound(session) ? NatEngine.SESSION_ADMITTED_INBOUND : 0);
        switch (type)
        {
            case CREATED -> events.onSessionCreated(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            case REFRESHED -> events.onSessionRefreshed(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            case EXPIRED -> events.onSessionExpired(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
            default -> events.onSessionRemoved(nowNs, protocol, insideAddress, insidePort,
                publicAddress, publicPort, remoteAddress, remotePort, state);
        }
    }
}
