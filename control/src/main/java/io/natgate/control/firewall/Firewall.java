package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
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
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Firewall sessions and access rules (the firewall filter model of DESIGN.md). A session groups a
 * client's connections. {@link #getClientSession} gives a SecureNAT client of this gateway its one
 * client session, the one every plain flow of that address belongs to; {@link #createPrivateSession}
 * makes a new private session on each call, several per address if asked, for an application-level
 * proxy or to direct inbound primary connections to a client the firewall does not know yet. Only the
 * connections made through a private session are judged as its user: the inbound mappings it opens and
 * the checks its filter asks of it. The ordered rules and the open sessions are compiled into a
 * {@link FlowPolicy} the datapath's slow path consults on each new flow; every session change compiles
 * a new one and installs it on the worker before the call returns. Thread-safe: one lock, held while
 * the worker is told.
 */
public final class Firewall
{
    /** Lifetime of an inbound mapping opened without one: the NAT keeps it until the session closes it. */
    public static final long UNTIL_CLOSED_NS = Long.MAX_VALUE / 2;
    public static final int DENIAL_EVENTS_PER_SECOND_DEFAULT = 100;
    /** Open private sessions one client address may have at once. */
    public static final int MAX_PRIVATE_SESSIONS_PER_CLIENT = 64;
    /** Open sessions of every kind the firewall holds at once. */
    public static final int MAX_SESSIONS = 65_536;
    private static final int DENIAL_RING_CAPACITY_BYTES = 64 * 1024;
    private static final int MAX_RULES = 0xFFFE;
    private static final int CLOSED_SESSIONS_KEPT = 32;

    private volatile List<FirewallRuleConfig> rules;
    private volatile String[] ruleNames;
    private final List<PortSettings> ports;
    private final List<InsidePort> insidePorts = new ArrayList<>();
    private final NatCommandChannel nat;
    private final Consumer<FlowPolicy> installer;
    private final FirewallEventListener events;
    private final NanoClock clock;
    private final DenialRecorder denials;
    private volatile RuleHits hits;
    private final Map<Long, FirewallSession> openById = new TreeMap<>();
    private final Map<Integer, FirewallSession> clientSessions = new HashMap<>();
    private final Map<Integer, Integer> privateSessionCounts = new HashMap<>();
    private final Map<Long, FirewallSession> mappingOwners = new HashMap<>();
    private final Deque<FirewallSession> recentlyClosed = new ArrayDeque<>();
    private long nextSessionId = 1;
    private volatile CompiledPolicy policy;

    /**
     * An inside port and the networks beyond its router ({@link PortSettings#nextHop()}) the gateway
     * routes to it: the addresses its clients may have.
     */
    private record InsidePort(PortSettings settings, List<Ipv4Prefix> routes)
    {
        /**
         * @return the length of the longest of its network and routes that holds the client, or -1.
         */
        int reach(final int client)
        {
            int longest = settings.isOnLink(client) ? settings.prefixLength() : -1;
            for (final Ipv4Prefix route : routes)
            {
                if (route.contains(client) && route.prefixLength() > longest)
                {
                    longest = route.prefixLength();
                }
            }
            return longest;
        }

        @Override
        public String toString()
        {
            return describe(settings) + (routes.isEmpty() ? "" : " routes " + String.join(" ",
                routes.stream().map(Ipv4Prefix::toString).toList()));
        }
    }

    /**
     * Compiles the rules with no session open; the caller installs {@link #policy()} on the NAT engine
     * before the worker starts (or runs {@code installer} with it).
     *
     * @param rules                 in order of evaluation.
     * @param ports                 the gateway's ports; the inside ones are the networks clients live on.
     * @param insideRoutes          by inside port name: the networks beyond that port's next hop, where
     *                              routed clients live (a port without an entry has none).
     * @param nat                   where inbound mappings are opened and closed.
     * @param installer             swaps a compiled policy in on the worker thread and returns once it has.
     * @param events                session, mapping and (rate-limited) denial events.
     * @param clock                 the datapath's clock, for event times.
     * @param denialEventsPerSecond at most this many denials are reported per second.
     * @throws IllegalArgumentException naming a rule that cannot be compiled, or a route of no inside port.
     */
    public Firewall(
        final List<FirewallRuleConfig> rules, final List<PortSettings> ports,
        final Map<String, List<Ipv4Prefix>> insideRoutes, final NatCommandChannel nat,
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
        this.ports = List.copyOf(ports);
        for (final PortSettings port : ports)
        {
            if (port.role() == PortRole.INSIDE)
            {
                insidePorts.add(new InsidePort(port, List.copyOf(insideRoutes.getOrDefault(port.name(), List.of()))));
            }
        }
        for (final String name : insideRoutes.keySet())
        {
            if (insidePorts.stream().noneMatch(inside -> inside.settings().name().equals(name)))
            {
                throw new IllegalArgumentException("routes for " + name + ", which is not an inside port");
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
        hits = new RuleHits(rules.size());
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

    /**
     * @return the access rules, in order of evaluation.
     */
    public List<FirewallRuleConfig> rules()
    {
        return rules;
    }

    /**
     * @return how many new flows the rule at {@code index} of {@link #rules()} decided (was the first to match).
     */
    public long ruleHits(final int index)
    {
        return hits.get(index);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sessions
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Creates a new private session for a client: for an application filter that authenticates users
     * itself (its own connections are then checked as the session's), or to direct inbound primary
     * connections to a client the firewall does not know yet. Each call makes a session of its own, so a
     * client address may have several at once, each with its user or none, beside its client session.
     *
     * @param clientAddress        the client, IPv4; its port is kept as the session's.
     * @param proxyInternalAddress the gateway's address on the inside interface to use (a multihomed
     *                             gateway has several), or null to let the firewall choose the inside port
     *                             whose network or routes hold the client.
     * @param authenticatedUser    the user the session stands for, or null: rules then match on the client
     *                             address only, and rules that need a user never match.
     * @throws FirewallException {@link DenialReason#NETWORK_RULES_DENIED} when no inside interface reaches the
     *                           client, the one named does not, or the internal address is not one;
     *                           {@link DenialReason#SESSION_LIMIT} when the client has
     *                           {@value #MAX_PRIVATE_SESSIONS_PER_CLIENT} private sessions open already.
     * @throws IllegalArgumentException for an IPv6 or unresolved address.
     */
    public synchronized FirewallSession createPrivateSession(
        final InetSocketAddress clientAddress, final InetSocketAddress proxyInternalAddress,
        final AuthenticatedUser authenticatedUser)
    {
        final int client = ipv4(clientAddress, "client address");
        final InsidePort port;
        final int internalPort;
        if (proxyInternalAddress == null)
        {
            port = insidePortReaching(client);
            if (port == null)
            {
                throw unreachable("no inside interface reaches client " + Ipv4.toString(client), client);
            }
            internalPort = 0;
        }
        else
        {
            port = insidePortWithAddress(ipv4(proxyInternalAddress, "proxy internal address"));
            internalPort = proxyInternalAddress.getPort();
            if (port.reach(client) < 0)
            {
                throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, "client " + Ipv4.toString(client) +
                    " is not reachable through inside interface " + port + " (not on its network nor in its routes)");
            }
        }
        checkNotGatewayOwn(client, port.settings());
        final int privateSessions = privateSessionCounts.getOrDefault(client, 0);
        if (privateSessions >= MAX_PRIVATE_SESSIONS_PER_CLIENT)
        {
            throw new FirewallException(DenialReason.SESSION_LIMIT, Ipv4.toString(client) + " has " + privateSessions +
                " private sessions open, the most a client may have; close one first");
        }
        final int flags = SessionFlag.PRIVATE.bit() | (authenticatedUser == null ? 0 : SessionFlag.AUTHENTICATED.bit());
        final FirewallSession session =
            open(flags, client, clientAddress.getPort(), port.settings(), internalPort, authenticatedUser);
        privateSessionCounts.merge(client, 1, Integer::sum);
        return session;
    }

    /**
     * The client session of a SecureNAT client of this gateway (an address an inside port's network or
     * routes hold), created if it has none; the port is ignored, a client has one client session. It is
     * never a private session: those stand for their own connections only.
     *
     * @throws FirewallException {@link DenialReason#NETWORK_RULES_DENIED} when no inside port reaches the
     *                           address, or it is the gateway's own or a network's or broadcast address.
     * @throws IllegalArgumentException for an IPv6 or unresolved address.
     */
    public synchronized FirewallSession getClientSession(final InetSocketAddress clientAddress)
    {
        final int client = ipv4(clientAddress, "client address");
        final InsidePort port = insidePortReaching(client);
        if (port == null)
        {
            throw unreachable(Ipv4.toString(client) + " is not a SecureNAT client of this gateway", client);
        }
        checkNotGatewayOwn(client, port.settings());
        final FirewallSession existing = clientSessions.get(client);
        if (existing != null)
        {
            return existing;
        }
        final FirewallSession session = open(SessionFlag.NAT.bit(), client, 0, port.settings(), 0, null);
        clientSessions.put(client, session);
        return session;
    }

    /**
     * @return the open sessions, then the last few closed ones, by id.
     */
    public synchronized List<FirewallSession> sessions()
    {
        final List<FirewallSession> sessions = new ArrayList<>(openById.values());
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
        if (openById.size() >= MAX_SESSIONS)
        {
            throw new FirewallException(DenialReason.SESSION_LIMIT, "the firewall holds " + openById.size() +
                " open sessions, the most it holds; none opened for " + Ipv4.toString(client));
        }
        final FirewallSession session = new FirewallSession(this, nextSessionId++, flags, client, clientPort,
            port.address(), internalPort, port.name(), user, clock.nanoTime());
        openById.put(session.id(), session);
        try
        {
            install();
        }
        catch (final RuntimeException ex)
        {
            openById.remove(session.id());
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
        openById.remove(session.id());
        if (session.has(SessionFlag.PRIVATE))
        {
            privateSessionCounts.computeIfPresent(session.clientIpv4(), (client, count) -> count == 1 ? null : count - 1);
        }
        else
        {
            clientSessions.remove(session.clientIpv4());
        }
        for (final InboundMapping mapping : session.mappings())
        {
            mappingOwners.remove(mapping.key());
        }
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
        final CompiledPolicy compiled = policy;
        return decision(compiled.decideOutbound(compiled.sessionIndex(session.id()), translated(protocol),
            session.clientIpv4(), ipv4(destination, "destination"), destination.getPort(), false));
    }

    synchronized AccessDecision checkInbound(
        final FirewallSession session, final int protocol, final InetSocketAddress source, final int insidePort)
    {
        ensureOpen(session);
        final CompiledPolicy compiled = policy;
        return decision(compiled.decideInbound(compiled.sessionIndex(session.id()), translated(protocol),
            ipv4(source, "source"), session.clientIpv4(), port(insidePort, 0, "inside port"), true, false));
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
        final FirewallSession holder = mappingOwners.get(pending.key());
        if (holder != null && holder != session)
        {
            throw new FirewallException(DenialReason.MAPPING_HELD, "inbound " + Ipv4Protocols.name(protocol) +
                " mapping to " + pending.insideEndpoint() + " belongs to " + holder + "; it directs that port until" +
                " it closes the mapping");
        }
        if (before == null)
        {
            mappings.add(pending); // the session directs it before the NAT opens it
            mappingOwners.put(pending.key(), session);
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
        if (before == null || before.publicPort() != granted.publicPort() ||
            before.publicAddress() != granted.publicAddress())
        {
            events.onInboundMappingOpened(clock.nanoTime(), session.id(), protocol, granted.insideAddress(), insidePort,
                granted.publicAddress(), granted.publicPort(), remoteAddress);
        }
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
            mappingOwners.remove(pending.key());
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
        mappingOwners.remove(mapping.key());
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
        if (CompiledPolicy.isAllowed(decision))
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
        return new CompiledPolicy(rules, List.copyOf(openById.values()), denials, hits);
    }

    /**
     * Replaces the ordered rules (a config reload): new flows are judged by them from the moment this returns;
     * open sessions and established flows stay.
     *
     * @throws IllegalArgumentException naming a rule that cannot be compiled; the rules in force stay then.
     */
    public synchronized void replaceRules(final List<FirewallRuleConfig> newRules)
    {
        if (newRules.size() > MAX_RULES)
        {
            throw new IllegalArgumentException("at most " + MAX_RULES + " firewall rules, not " + newRules.size());
        }
        newRules.forEach(CompiledPolicy::checkRule);
        rules = List.copyOf(newRules);
        ruleNames = newRules.stream().map(FirewallRuleConfig::name).toArray(String[]::new);
        hits = new RuleHits(newRules.size()); // the new rules start counting from 0
        install();
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
     * @return the inside port whose network or routes hold the client (the longest prefix), or null.
     */
    private InsidePort insidePortReaching(final int client)
    {
        InsidePort reaching = null;
        int longest = -1;
        for (final InsidePort port : insidePorts)
        {
            final int reach = port.reach(client);
            if (reach > longest)
            {
                longest = reach;
                reaching = port;
            }
        }
        return reaching;
    }

    /**
     * @return the refusal of an address no inside port reaches, saying where it is instead.
     */
    private FirewallException unreachable(final String what, final int client)
    {
        String where = "no inside network or route holds it";
        for (final PortSettings port : ports)
        {
            if (port.role() != PortRole.INSIDE && port.isOnLink(client))
            {
                where = "it is on the " + port.role().name().toLowerCase(Locale.ROOT) + " network of " +
                    describe(port);
                break;
            }
        }
        return new FirewallException(DenialReason.NETWORK_RULES_DENIED, what + ": " + where + " (" +
            describeInsidePorts() + ")");
    }

    private InsidePort insidePortWithAddress(final int address)
    {
        for (final InsidePort port : insidePorts)
        {
            if (port.settings().address() == address)
            {
                return port;
            }
        }
        throw new FirewallException(DenialReason.NETWORK_RULES_DENIED, Ipv4.toString(address) +
            " is not an internal address of this gateway (" + describeInsidePorts() + ")");
    }

    private void checkNotGatewayOwn(final int client, final PortSettings port)
    {
        final boolean ownAddress = ports.stream().anyMatch(any -> any.address() == client);
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
            text.append(i == 0 ? "" : ", ").append(insidePorts.get(i));
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
