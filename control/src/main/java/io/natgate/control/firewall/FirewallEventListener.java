package io.natgate.control.firewall;

/**
 * Firewall events on their way to the journal: sessions opened and closed, the inbound mappings each
 * session opened (the session that admits the connections through it), and flows the compiled
 * policy refused (rate-limited). Times are the datapath clock's nanoseconds. Addresses are IPv4 as
 * ints, as in {@code io.natgate.datapath.nat.Ipv4}; values only, so that a journal can write and
 * replay them through this same interface.
 */
public interface FirewallEventListener
{
    /**
     * A listener that ignores every event.
     */
    FirewallEventListener NONE = new FirewallEventListener()
    {
        public void onSessionOpened(
            final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
            final int internalAddress, final String user)
        {
        }

        public void onSessionClosed(
            final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
        {
        }

        public void onInboundMappingOpened(
            final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress)
        {
        }

        public void onFlowDenied(
            final long timeNs, final DenialReason reason, final boolean inbound, final int protocol,
            final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
            final String rule, final long suppressedBefore)
        {
        }
    };

    /**
     * A client or private session opened.
     *
     * @param flags {@link SessionFlag} bits: {@link SessionFlag#NAT} for a client session,
     *              {@link SessionFlag#PRIVATE} for a private one, {@link SessionFlag#AUTHENTICATED} with a user.
     * @param user  the authenticated user's name, or null for an anonymous session.
     */
    void onSessionOpened(
        long timeNs, long sessionId, int flags, int clientAddress, int clientPort, int internalAddress, String user);

    /**
     * A session closed; its flags include {@link SessionFlag#TERMINATED} from now on.
     */
    void onSessionClosed(long timeNs, long sessionId, int flags, int clientAddress, String user);

    /**
     * A session opened an inbound mapping (or renewed it with another public endpoint): inbound primary
     * connections through it are the session's, judged by its access rules and its user.
     *
     * @param remoteAddress the only remote that may connect through it; 0 for any.
     */
    void onInboundMappingOpened(
        long timeNs, long sessionId, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort,
        int remoteAddress);

    /**
     * The datapath refused a new flow. At most a configured number per second are reported; the
     * others are counted in the next report's {@code suppressedBefore}.
     *
     * @param inbound true for a flow from outside (source is the remote, destination the inside endpoint).
     * @param rule    the rule that decided, or null when none matched (the default decided).
     */
    void onFlowDenied(
        long timeNs, DenialReason reason, boolean inbound, int protocol, int sourceAddress, int sourcePort,
        int destinationAddress, int destinationPort, String rule, long suppressedBefore);
}
