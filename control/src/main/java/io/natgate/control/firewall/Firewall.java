package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.gateway.CommandCompletion;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.FlowPolicy;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import org.agrona.concurrent.NanoClock;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Firewall sessions and access rules (the firewall filter model of DESIGN.md). A session groups a
 * client's flows, one per client address: {@link #getClientSession} for a SecureNAT client of this
 * gateway, {@link #createPrivateSession} for an application-level proxy or to direct inbound primary
 * connections to a client the firewall does not know yet. The ordered rules and the open sessions are
 * compiled into a {@link FlowPolicy} the datapath's slow path consults on each new flow; every session
 * change compiles a new one and installs it on the worker before the call returns. Thread-safe: one
 * lock, held while the worker is told.
 */
public final class Firewall
{
    /** Lifetime of an inbound mapping opened without one: the NAT keeps it until the session closes it. */
    public static final long UNTIL_CLOSED_NS = Long.MAX_VALUE / 2;
    public static final int DENIAL_EVENTS_PER_SECOND_DEFAULT = 100;
    private static final int DENIAL_RING_CAPACITY_BYTES = 64 * 1024;
    private static final int MAX_RULES = 0xFFFE;
    private static final int CLOSED_SESSIONS_KEPT = 32;

    private final List<FirewallRuleConfig> rules;
    private final String[] ruleNames;
    private final List<PortSettings> insidePorts = new ArrayList<>();
    private final NatCommandChannel nat;
    private final Consumer<FlowPolicy> installer;
    private final FirewallEventListener events;
    private final NanoClock clock;
    private final DenialRecorder denials;
    private final Map<Integer, FirewallSession> openByClient = new HashMap<>();
    private final Deque<FirewallSession> recentlyClosed = new ArrayDeque<>();
    private long nextSessionId = 1;
    private volatile CompiledPolicy policy;

    /**
     * Compiles the rules with no session open; the caller installs {@link #policy()} on the NAT engine
     * before the worker starts (or runs {@code installer} with it).
     *
     * @param rules                 in order of evaluation.
     * @param ports                 the gateway's ports; the inside ones are the networks clients live on.
     * @param nat                   where inbound mappings are opened and closed.
     * @param installer             swaps a compiled policy in on the worker thread and returns once it has.
     * @param events                session and (rate-limited) denial events.
     * @param clock                 the datapath's clock, for event times.
     * @param denialEventsPerSecond at most this many denials are reported per second.
     * @throws IllegalArgumentException naming a rule that cannot be compiled.
     */
    public Firewall(
        final List<FirewallRuleConfig> rules, final List<PortSettings> ports, final NatCommandChannel nat,
        final Consumer<FlowPolicy> installer, final FirewallEventListener events, final NanoClock clock,
        final int denialEventsPerSecond)
    {
        if (rules.size() > MAX_RULES)
        {
            throw new IllegalArgumentException("at most " + MAX_RULES + " firewall rules, not " + rules.size());
        }
        rules.forEach(CompiledPolicy::checkRule);
        this.rules = List.copyOf(rules);
        ruleNames = rules.stream().map(FirewallRuleConfig::name).toArray(String[]::new);
        for (final PortSettings port : ports)
        {
            if (port.role() == PortRole.INSIDE)
            {
                insidePorts.add(port);
            }
        }
        if (insidePorts.isEmpty())
        {
            throw new IllegalArgumentException("the firewall needs at least one inside port");
        }
        this.nat = nat;
        this.installer = installer;
        this.events = events;
        this.clock = clock;
        denials = new DenialRecorder(denialEventsPerSecond, DENIAL_RING_CAPACITY_BYTES);
        policy = compile();
    }

    /**
     * @return the policy compiled from the rules and the sessions open now.
     */
    public FlowPolicy policy()
    {
        return policy;
    }

    /**
     * @return now on the clock session and event times are read from.
     */
    public long nowNs()
    {
        return clock.nanoTime();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sessions
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Creates a private session for a client: for an application filter that authenticates users
     * itself, or to direct inbound primary connections to a client the firewall does not know yet.
     *
     * @param clientAddress        the client, IPv4; its port is kept as the session's.
     * @param proxyInternalAddress the gateway's address on the inside interface to use (a multihomed
     *                             gateway has several), or null to let the firewall choose the one facing
     *                             the client.
     * @param authenticatedUser    the user the session stands for, or null: rules then match on the client
     *                             address only, and rules that need a user never match.
     * @throws FirewallException {@link DenialReason#NETWORK_RULES_DENIED} when no inside interface reaches the
     *                           client or the internal address is not one; {@link DenialReason#SESSION_EXISTS}
     *                           when the client already has a session (use {@link #getClientSession}).
     * @throws IllegalArgumentException for an IPv6 or unresolved address.
     */
    public synchronized FirewallSession createPrivateSession(
        final InetSocketAddress clientAddress, final InetSocketAddress proxyInternalAddress,
        final AuthenticatedUser authenticatedUser)
    {
        final int client = ipv4(clientAddress, "client address");
        final PortSettings port;
        final int internalPort;
        if (proxyInternalAddress == null)
        {
            port = insidePortFacing(client);
            internalPort = 0;
        }
        else
        {
            port = insidePortWithAddress(ipv4(proxyInternalAddress, "proxy internal address"));
            internalPort = proxyInternalAddress.getPort();
            if (!port.isOnLink(client) && port.nextHop() == 0)
            {
                throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, "client " + Ipv4.toString(client) +
                    " is not reachable through inside interface " + describe(port) + " (not on its network, no next hop)");
            }
        }
        checkNotGatewayOwn(client, port);
        final int flags = SessionFlag.PRIVATE.bit() | (authenticatedUser == null ? 0 : SessionFlag.AUTHENTICATED.bit());
        return open(flags, client, clientAddress.getPort(), port, internalPort, authenticatedUser);
    }

    /**
     * The session of a SecureNAT client of this gateway (an address on an inside port's network),
     * created if it has none; the port is ignored, a client has one session. When the client already
     * has a session, private or not, that is the one returned.
     *
     * @throws FirewallException {@link DenialReason#NETWORK_RULES_DENIED} when the address is not on an inside
     *                           network of this gateway.
     * @throws IllegalArgumentException for an IPv6 or unresolved address.
     */
    public synchronized FirewallSession getClientSession(final InetSocketAddress clientAddress)
    {
        final int client = ipv4(clientAddress, "client address");
        PortSettings port = null;
        for (final PortSettings inside : insidePorts)
        {
            if (inside.isOnLink(client) && (port == null || inside.prefixLength() > port.prefixLength()))
            {
                port = inside;
            }
        }
        if (port == null)
        {
            throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, Ipv4.toString(client) +
                " is not a SecureNAT client of this gateway: no inside network holds it (" + describeInsidePorts() + ")");
        }
        checkNotGatewayOwn(client, port);
        final FirewallSession existing = openByClient.get(client);
        return existing != null ? existing : open(SessionFlag.NAT.bit(), client, 0, port, 0, null);
    }

    /**
     * @return the open sessions, then the last few closed ones, by id.
     */
    public synchronized List<FirewallSession> sessions()
    {
        final List<FirewallSession> sessions = new ArrayList<>(openByClient.values());
        sessions.sort(Comparator.comparingLong(FirewallSession::id));
        sessions.addAll(recentlyClosed);
        return sessions;
    }

    /**
     * @throws NoSuchElementException when no open or recently closed session has this id.
     */
    public synchronized FirewallSession session(final long id)
    {
        for (final FirewallSession session : sessions())
        {
            if (session.id() == id)
            {
                return session;
            }
        }
        throw new NoSuchElementException("no firewall session " + id);
    }

    /**
     * Hands the worker's denials recorded since the last call, up to {@code limit}, to the event listener.
     * One thread calls it (the gateway's event agent).
     *
     * @return how many were handed on.
     */
    public int pollDenials(final int limit)
    {
        return denials.drain(events, ruleNames, limit);
    }

    /**
     * Terminates every session without telling the worker (the datapath is stopping): for gateway shutdown.
     */
    public synchronized void shutdown()
    {
        for (final FirewallSession session : sessions())
        {
            if (!session.isTerminated())
            {
                terminate(session);
            }
        }
    }

    private FirewallSession open(
        final int flags, final int client, final int clientPort, final PortSettings port, final int internalPort,
        final AuthenticatedUser user)
    {
        final FirewallSession existing = openByClient.get(client);
        if (existing != null)
        {
            throw new FirewallException(DenialReason.SESSION_EXISTS, Ipv4.toString(client) + " already has " +
                existing + "; use it (getClientSession) or close it first");
        }
        final FirewallSession session = new FirewallSession(this, nextSessionId++, flags, client, clientPort,
            port.address(), internalPort, port.name(), user, clock.nanoTime());
        openByClient.put(client, session);
        try
        {
            install();
        }
        catch (final RuntimeException ex)
        {
            openByClient.remove(client);
            throw ex;
        }
        events.onSessionOpened(session.openedNs(), session.id(), flags, client, clientPort, port.address(),
            user == null ? null : user.name());
        return session;
    }

    synchronized void close(final FirewallSession session)
    {
        if (session.isTerminated())
        {
            return;
        }
        final List<InboundMapping> mappings = List.copyOf(session.mappings());
        terminate(session);
        try
        {
            install();
            for (final InboundMapping mapping : mappings)
            {
                closeInNat(mapping);
            }
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException(session + " terminated, but the datapath was not told: " + ex.getMessage(),
                ex);
        }
    }

    private void terminate(final FirewallSession session)
    {
        openByClient.remove(session.clientIpv4());
        session.mappings().clear();
        session.terminated(clock.nanoTime());
        recentlyClosed.addFirst(session);
        if (recentlyClosed.size() > CLOSED_SESSIONS_KEPT)
        {
            recentlyClosed.removeLast();
        }
        final AuthenticatedUser user = session.authenticatedUser();
        events.onSessionClosed(session.closedNs(), session.id(), session.flagBits(), session.clientIpv4(),
            user == null ? null : user.name());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Session operations (FirewallSession delegates here)
    // ------------------------------------------------------------------------------------------------------------

    synchronized AccessDecision checkOutbound(
        final FirewallSession session, final int protocol, final InetSocketAddress destination)
    {
        ensureOpen(session);
        return decision(policy.decideOutbound(
            translated(protocol), session.clientIpv4(), ipv4(destination, "destination"), destination.getPort()));
    }

    synchronized AccessDecision checkInbound(
        final FirewallSession session, final int protocol, final InetSocketAddress source, final int insidePort)
    {
        ensureOpen(session);
        return decision(policy.decideInbound(translated(protocol), ipv4(source, "source"), session.clientIpv4(),
            port(insidePort, 0, "inside port"), MappingKind.INBOUND, true));
    }

    synchronized InboundMapping openInboundMapping(
        final FirewallSession session, final int protocol, final int insidePort, final int publicPort,
        final InetAddress remote, final Duration lifetime)
    {
        ensureOpen(session);
        if (protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP)
        {
            throw new IllegalArgumentException("an inbound mapping is tcp or udp, not " + Ipv4Protocols.name(protocol));
        }
        port(insidePort, 1, "inside port");
        port(publicPort, 0, "public port");
        final int remoteAddress = remote == null ? 0 : ipv4(new InetSocketAddress(remote, 0), "remote address");
        final long lifetimeNs = lifetime == null ? UNTIL_CLOSED_NS : lifetime.toNanos();
        if (lifetimeNs <= 0 || lifetimeNs > UNTIL_CLOSED_NS)
        {
            throw new IllegalArgumentException("a mapping's lifetime must be positive and under 146 years: " + lifetime);
        }

        final List<InboundMapping> mappings = session.mappings();
        final InboundMapping before = find(mappings, protocol, insidePort);
        final InboundMapping pending = new InboundMapping(
            protocol, session.clientIpv4(), insidePort, 0, 0, remoteAddress, lifetimeNs, clock.nanoTime());
        if (before == null)
        {
            mappings.add(pending); // the session directs it before the NAT opens it
            install();
        }
        final CommandCompletion completion;
        try
        {
            completion = nat.submit((commands, id) -> commands.openInboundMapping(
                id, protocol, session.clientIpv4(), insidePort, publicPort, remoteAddress, lifetimeNs));
        }
        catch (final RuntimeException ex)
        {
            forgetPending(mappings, before == null, pending);
            throw ex;
        }
        if (!completion.isOk())
        {
            forgetPending(mappings, before == null, pending);
            throw refusal(session, protocol, insidePort, completion.status());
        }
        final InboundMapping granted = new InboundMapping(protocol, session.clientIpv4(), insidePort,
            completion.publicAddress(), completion.publicPort(), remoteAddress, lifetimeNs, pending.openedNs());
        mappings.set(mappings.indexOf(before == null ? pending : before), granted);
        return granted;
    }

    /**
     * The NAT did not grant a new mapping: the session stops directing it (a renewal keeps the mapping it had).
     */
    private void forgetPending(final List<InboundMapping> mappings, final boolean added, final InboundMapping pending)
    {
        if (added)
        {
            mappings.remove(pending);
            install();
        }
    }

    private static RuntimeException refusal(
        final FirewallSession session, final int protocol, final int insidePort, final CommandStatus status)
    {
        final String what = "inbound " + Ipv4Protocols.name(protocol) + " mapping to " +
            Ipv4.toString(session.clientIpv4()) + ":" + insidePort + " refused by the NAT: " + status.label();
        return status == CommandStatus.BAD_ARGUMENT ?
            new IllegalArgumentException(what) : new FirewallException(DenialReason.NAT_ADDRESS_NOT_AVAILABLE, what);
    }

    synchronized void closeInboundMapping(final FirewallSession session, final int protocol, final int insidePort)
    {
        ensureOpen(session);
        final InboundMapping mapping = find(session.mappings(), protocol, insidePort);
        if (mapping == null)
        {
            throw new NoSuchElementException(session + " has no " + Ipv4Protocols.name(protocol) +
                " mapping to port " + insidePort);
        }
        session.mappings().remove(mapping);
        install();
        closeInNat(mapping);
    }

    /**
     * Closes a mapping in the NAT; one that already expired there is not an error.
     */
    private void closeInNat(final InboundMapping mapping)
    {
        final CommandCompletion completion = nat.submit((commands, id) -> commands.closeInboundMapping(
            id, mapping.protocol(), mapping.insideAddress(), mapping.insidePort()));
        if (!completion.isOk() && completion.status() != CommandStatus.NOT_FOUND)
        {
            throw new IllegalStateException("closing " + mapping + ": " + completion.status().label());
        }
    }

    private static InboundMapping find(final List<InboundMapping> mappings, final int protocol, final int insidePort)
    {
        for (final InboundMapping mapping : mappings)
        {
            if (mapping.protocol() == protocol && mapping.insidePort() == insidePort)
            {
                return mapping;
            }
        }
        return null;
    }

    private static void ensureOpen(final FirewallSession session)
    {
        if (session.isTerminated())
        {
            throw new FirewallException(DenialReason.SESSION_TERMINATED, session + " was terminated; it directs" +
                " nothing and cannot be used: open a new session");
        }
    }

    private AccessDecision decision(final int decision)
    {
        if (decision == CompiledPolicy.ALLOWED)
        {
            return AccessDecision.ALLOWED;
        }
        final int rule = CompiledPolicy.rule(decision);
        return new AccessDecision(false, CompiledPolicy.reason(decision), rule < 0 ? null : ruleNames[rule]);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Compiling and installing
    // ------------------------------------------------------------------------------------------------------------

    private CompiledPolicy compile()
    {
        return new CompiledPolicy(rules, List.copyOf(openByClient.values()), denials);
    }

    private void install()
    {
        final CompiledPolicy compiled = compile();
        installer.accept(compiled);
        policy = compiled;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Addresses and interfaces
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The inside port the datapath reaches the client through: the one whose network holds it (the
     * longest prefix), else the first with a next hop (routed clients beyond an inside router).
     */
    private PortSettings insidePortFacing(final int client)
    {
        PortSettings onLink = null;
        PortSettings routed = null;
        for (final PortSettings port : insidePorts)
        {
            if (port.isOnLink(client) && (onLink == null || port.prefixLength() > onLink.prefixLength()))
            {
                onLink = port;
            }
            if (routed == null && port.nextHop() != 0)
            {
                routed = port;
            }
        }
        if (onLink == null && routed == null)
        {
            throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, "no inside interface faces client " +
                Ipv4.toString(client) + ": it is on no inside network and no inside port has a next hop (" +
                describeInsidePorts() + ")");
        }
        return onLink != null ? onLink : routed;
    }

    private PortSettings insidePortWithAddress(final int address)
    {
        for (final PortSettings port : insidePorts)
        {
            if (port.address() == address)
            {
                return port;
            }
        }
        throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, Ipv4.toString(address) +
            " is not an internal address of this gateway (" + describeInsidePorts() + ")");
    }

    private void checkNotGatewayOwn(final int client, final PortSettings port)
    {
        final boolean ownAddress = insidePorts.stream().anyMatch(inside -> inside.address() == client);
        final int hostBits = ~Ipv4.mask(port.prefixLength());
        final boolean networkOrBroadcast = port.isOnLink(client) && port.prefixLength() <= 30 &&
            ((client & hostBits) == 0 || (client & hostBits) == hostBits);
        if (ownAddress || networkOrBroadcast)
        {
            throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, Ipv4.toString(client) + " is " +
                (ownAddress ? "the gateway's own address" : "the network or broadcast address of " + describe(port)) +
                ", not a client");
        }
    }

    private String describeInsidePorts()
    {
        final StringBuilder text = new StringBuilder("inside: ");
        for (int i = 0; i < insidePorts.size(); i++)
        {
            text.append(i == 0 ? "" : ", ").append(describe(insidePorts.get(i)));
        }
        return text.toString();
    }

    private static String describe(final PortSettings port)
    {
        return port.name() + " " + Ipv4.toString(port.address()) + "/" + port.prefixLength();
    }

    /**
     * @throws IllegalArgumentException for a missing, unresolved or IPv6 address.
     */
    static int ipv4(final InetSocketAddress address, final String what)
    {
        if (address == null)
        {
            throw new IllegalArgumentException("a " + what + " is needed");
        }
        final InetAddress ip = address.getAddress();
        if (ip == null)
        {
            throw new IllegalArgumentException(what + " " + address.getHostString() +
                " is not resolved: give an IPv4 address");
        }
        if (!(ip instanceof Inet4Address))
        {
            throw new IllegalArgumentException(what + " " + ip.getHostAddress() +
                " is IPv6: natgate's firewall sessions are IPv4 only (NAT44)");
        }
        final byte[] bytes = ip.getAddress();
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF;
    }

    private static int port(final int port, final int min, final String what)
    {
        if (port < min || port > 65535)
        {
            throw new IllegalArgumentException(what + " must be " + min + "..65535, not " + port);
        }
        return port;
    }

    private static int translated(final int protocol)
    {
        if (!Ipv4Protocols.isTranslated(protocol))
        {
            throw new IllegalArgumentException("protocol must be tcp, udp or icmp, not " + protocol);
        }
        return protocol;
    }
}
