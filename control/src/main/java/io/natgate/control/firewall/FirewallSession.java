package io.natgate.control.firewall;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.datapath.nat.Ipv4;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A firewall session: groups a client's connections so that access rules are evaluated for it (its
 * client address, and its authenticated user when it has one), and directs inbound primary
 * connections to the client through the inbound mappings it opens, which belong to it alone. A client
 * session ({@link SessionFlag#NAT}, from {@link Firewall#getClientSession}, one per address, never a
 * user) is the session of every plain flow of its address; a private one ({@link SessionFlag#PRIVATE},
 * from {@link Firewall#createPrivateSession}, several per address) stands only for the connections made
 * through it: the mappings it opens and the checks its filter asks of it for the proxy's own connections.
 * Once closed it is {@link SessionFlag#TERMINATED} and every use but reading its state throws a
 * {@link FirewallException} ({@link DenialReason#SESSION_TERMINATED}). Thread-safe: calls go through
 * its firewall's lock.
 */
public final class FirewallSession
{
    private final Firewall firewall;
    private final long id;
    private final int clientAddress;
    private final int clientPort;
    private final int internalAddress;
    private final int internalPort;
    private final String interfaceName;
    private final AuthenticatedUser user;
    private final long openedNs;
    private final List<InboundMapping> mappings = new ArrayList<>(); // guarded by the firewall
    private volatile int flags;
    private volatile long closedNs;

    FirewallSession(
        final Firewall firewall, final long id, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final int internalPort, final String interfaceName, final AuthenticatedUser user,
        final long openedNs)
    {
        this.firewall = firewall;
        this.id = id;
        this.flags = flags;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
        this.internalAddress = internalAddress;
        this.internalPort = internalPort;
        this.interfaceName = interfaceName;
        this.user = user;
        this.openedNs = openedNs;
    }

    public long id()
    {
        return id;
    }

    /**
     * @return the client's address; the port is the one given to {@link Firewall#createPrivateSession},
     * 0 for a client session (one per client address, the port ignored).
     */
    public InetSocketAddress clientAddress()
    {
        return new Ipv4Endpoint(clientAddress, clientPort).toSocketAddress();
    }

    /**
     * @return the gateway's address on the inside interface the session uses.
     */
    public InetSocketAddress internalAddress()
    {
        return new Ipv4Endpoint(internalAddress, internalPort).toSocketAddress();
    }

    /**
     * @return the name of the inside port the session uses.
     */
    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * @return the user rules are evaluated for, or null for an anonymous session (client address only).
     */
    public AuthenticatedUser authenticatedUser()
    {
        return user;
    }

    public Set<SessionFlag> flags()
    {
        return SessionFlag.of(flags);
    }

    public boolean has(final SessionFlag flag)
    {
        return (flags & flag.bit()) != 0;
    }

    public boolean isTerminated()
    {
        return has(SessionFlag.TERMINATED);
    }

    /**
     * @return when it opened, on the datapath clock.
     */
    public long openedNs()
    {
        return openedNs;
    }

    /**
     * @return when it closed, on the datapath clock; meaningful once terminated.
     */
    public long closedNs()
    {
        return closedNs;
    }

    /**
     * @return the inbound mappings it holds open (none once terminated).
     */
    public List<InboundMapping> inboundMappings()
    {
        synchronized (firewall)
        {
            return List.copyOf(mappings);
        }
    }

    /**
     * Would the rules let a connection made through this session out (a proxy's own connection for its
     * client)? Judged as this session, its user included; the client's plain flows are judged as its client
     * session.
     */
    public AccessDecision checkOutbound(final int protocol, final InetSocketAddress destination)
    {
        return firewall.checkOutbound(this, protocol, destination);
    }

    /**
     * Would a connection from {@code source} to the client's {@code insidePort}, directed by this session,
     * reach the client? (The rules for this session, inbound being denied unless a rule allows it.)
     */
    public AccessDecision checkInbound(final int protocol, final InetSocketAddress source, final int insidePort)
    {
        return firewall.checkInbound(this, protocol, source, insidePort);
    }

    /**
     * Directs inbound primary connections to the client's {@code insidePort}: asks the NAT for an
     * inbound mapping and makes the session the one that allows connections through it (the access
     * rules, for this session and its user, still decide which). Opening the same protocol and port again
     * renews it; while this session holds it, no other session of the client may open it.
     *
     * @param protocol   {@code Ipv4Protocols.TCP} or {@code Ipv4Protocols.UDP}.
     * @param publicPort the public port wanted, 0 to let the NAT choose (it prefers {@code insidePort}).
     * @param remote     the only remote that may connect through it, or null for any.
     * @param lifetime   how long the NAT keeps it, or null for as long as the session stays open.
     * @throws FirewallException {@link DenialReason#NAT_ADDRESS_NOT_AVAILABLE} when the NAT cannot grant it,
     *                           {@link DenialReason#MAPPING_HELD} when another open session holds it.
     */
    public InboundMapping openInboundMapping(
        final int protocol, final int insidePort, final int publicPort, final InetAddress remote, final Duration lifetime)
    {
        return firewall.openInboundMapping(this, protocol, insidePort, publicPort, remote, lifetime);
    }

    /**
     * Stops directing connections to the client's {@code insidePort}: the mapping and the connections that
     * came in through it end.
     *
     * @throws java.util.NoSuchElementException when the session holds no such mapping.
     */
    public void closeInboundMapping(final int protocol, final int insidePort)
    {
        firewall.closeInboundMapping(this, protocol, insidePort);
    }

    /**
     * Terminates the session: its inbound mappings close and the connections through them end, rules
     * no longer see its user; the client's other sessions and what they opened stay. Closing a terminated
     * session does nothing.
     *
     * @throws IllegalStateException after terminating, when the worker could not be told.
     */
    public void close()
    {
        firewall.close(this);
    }

    @Override
    public String toString()
    {
        return "session " + id + " (" + (has(SessionFlag.PRIVATE) ? "private" : "client") + ", " +
            Ipv4.toString(clientAddress) + (user == null ? "" : ", user " + user.name()) + ")";
    }

    // ------------------------------------------------------------------------------------------------------------
    // The firewall's view, under its lock
    // ------------------------------------------------------------------------------------------------------------

    int clientIpv4()
    {
        return clientAddress;
    }

    int clientPort()
    {
        return clientPort;
    }

    int internalIpv4()
    {
        return internalAddress;
    }

    int flagBits()
    {
        return flags;
    }

    List<InboundMapping> mappings()
    {
        return mappings;
    }

    long[] mappingKeys()
    {
        final long[] keys = new long[mappings.size()];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = mappings.get(i).key();
        }
        return keys;
    }

    void terminated(final long nowNs)
    {
        closedNs = nowNs;
        flags |= SessionFlag.TERMINATED.bit();
    }
}
