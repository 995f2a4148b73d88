package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.nat.FlowPolicy;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;

import java.util.Arrays;
import java.util.List;

/**
 * The access rules and the open sessions compiled into arrays for the datapath's slow path: deciding
 * on a new flow is a scan of the rules, and for a flow through a control-plane mapping a binary search
 * for the session that opened it, with no allocation, lock or call into the control plane. Immutable;
 * the firewall compiles a new one on every session change and swaps it in on the worker. Denials go to
 * the shared {@link DenialRecorder}, rule hits to the shared {@link RuleHits}.
 * <p>
 * A plain flow (outbound, or inbound through the client's own or a static mapping) belongs to its
 * inside address's SecureNAT client session, which has no user: rules are matched on addresses alone,
 * whatever private sessions the address has. A private session's user is seen only by connections
 * made through that session: the inbound primary connections it directs (through a mapping it opened)
 * and the checks its filter asks of it ({@link FirewallSession#checkOutbound} for the proxy's own
 * connections). Outbound flows match rules with the inside endpoint as source and the remote as
 * destination, inbound flows the remote as source and the inside endpoint as destination; the port is
 * the destination's. The first matching rule decides. When none matches, outbound is allowed, and so is
 * inbound through a mapping the client opened itself or a static mapping (a port forward is a
 * publishing decision already); an inbound primary connection through a control-plane mapping needs the
 * open session that opened that mapping and a rule that allows it for that session.
 */
final class CompiledPolicy implements FlowPolicy
{
    /** The session of a plain flow: the address's SecureNAT client session, anonymous. */
    static final int CLIENT_SESSION = -1;
    private static final int NO_RULE = -1;
    private static final int ANY_PROTOCOL = 0;

    private final int ruleCount;
    private final boolean[] ruleAllows;
    private final boolean[] ruleInbound;
    private final int[] ruleProtocol;
    private final int[] ruleSourceNetwork;
    private final int[] ruleSourceMask;
    private final int[] ruleDestinationNetwork;
    private final int[] ruleDestinationMask;
    private final int[] ruleFirstPort;
    private final int[] ruleLastPort;
    private final boolean[] ruleNeedsUser;
    /** Per rule that needs a user: a bitset over session indices whose user satisfies it. */
    private final long[][] ruleSessions;

    /** Open sessions by id, ascending: a session's index is its position here. */
    private final long[] sessionIds;
    private final boolean[] sessionAuthenticated;
    /** The open sessions' inbound mappings' keys, ascending, and the index of the session that opened each. */
    private final long[] mappingKeys;
    private final int[] mappingSessions;
    private final DenialRecorder denials;
    private final RuleHits hits;

    /**
     * @param rules    checked by {@link #checkRule} beforehand.
     * @param sessions the open sessions; a mapping key is held by one session at most.
     */
    CompiledPolicy(
        final List<FirewallRuleConfig> rules, final List<FirewallSession> sessions, final DenialRecorder denials,
        final RuleHits hits)
    {
        this.denials = denials;
        this.hits = hits;
        final FirewallSession[] byId = sessions.toArray(FirewallSession[]::new);
        Arrays.sort(byId, (a, b) -> Long.compare(a.id(), b.id()));
        sessionIds = new long[byId.length];
        sessionAuthenticated = new boolean[byId.length];
        int mappingCount = 0;
        for (int s = 0; s < byId.length; s++)
        {
            sessionIds[s] = byId[s].id();
            sessionAuthenticated[s] = byId[s].authenticatedUser() != null;
            mappingCount += byId[s].mappingKeys().length;
        }
        final long[][] keyAndSession = new long[mappingCount][];
        int m = 0;
        for (int s = 0; s < byId.length; s++)
        {
            for (final long key : byId[s].mappingKeys())
            {
                keyAndSession[m++] = new long[] {key, s};
            }
        }
        Arrays.sort(keyAndSession, (a, b) -> Long.compare(a[0], b[0]));
        mappingKeys = new long[mappingCount];
        mappingSessions = new int[mappingCount];
        for (int i = 0; i < mappingCount; i++)
        {
            mappingKeys[i] = keyAndSession[i][0];
            mappingSessions[i] = (int)keyAndSession[i][1];
            if (i > 0 && mappingKeys[i] == mappingKeys[i - 1])
            {
                throw new IllegalStateException("two open sessions hold one inbound mapping: " +
                    byId[mappingSessions[i - 1]] + " and " + byId[mappingSessions[i]]);
            }
        }

        ruleCount = rules.size();
        ruleAllows = new boolean[ruleCount];
        ruleInbound = new boolean[ruleCount];
        ruleProtocol = new int[ruleCount];
        ruleSourceNetwork = new int[ruleCount];
        ruleSourceMask = new int[ruleCount];
        ruleDestinationNetwork = new int[ruleCount];
        ruleDestinationMask = new int[ruleCount];
        ruleFirstPort = new int[ruleCount];
        ruleLastPort = new int[ruleCount];
        ruleNeedsUser = new boolean[ruleCount];
        ruleSessions = new long[ruleCount][];
        for (int r = 0; r < ruleCount; r++)
        {
            final FirewallRuleConfig rule = rules.get(r);
            ruleAllows[r] = rule.action() == FirewallRuleConfig.Action.ALLOW;
            ruleInbound[r] = rule.direction() == FirewallRuleConfig.Direction.INBOUND;
            ruleProtocol[r] = protocolNumber(rule.protocol());
            final Ipv4Prefix source = rule.source() == null ? Ipv4Prefix.ANY : rule.source();
            final Ipv4Prefix destination = rule.destination() == null ? Ipv4Prefix.ANY : rule.destination();
            ruleSourceMask[r] = Ipv4.mask(source.prefixLength());
            ruleSourceNetwork[r] = source.address() & ruleSourceMask[r];
            ruleDestinationMask[r] = Ipv4.mask(destination.prefixLength());
            ruleDestinationNetwork[r] = destination.address() & ruleDestinationMask[r];
            ruleFirstPort[r] = rule.firstPort();
            ruleLastPort[r] = rule.lastPort();
            ruleNeedsUser[r] = rule.user() != null || rule.group() != null;
            if (ruleNeedsUser[r])
            {
                final long[] bits = new long[(byId.length + 63) >>> 6];
                for (int s = 0; s < byId.length; s++)
                {
                    final AuthenticatedUser user = byId[s].authenticatedUser();
                    if (user != null && (rule.user() != null ? rule.user().equals(user.name()) : user.isMemberOf(rule.group())))
                    {
                        bits[s >>> 6] |= 1L << s;
                    }
                }
                ruleSessions[r] = bits;
            }
        }
    }

    /**
     * @throws IllegalArgumentException naming the rule when it cannot be compiled.
     */
    static void checkRule(final FirewallRuleConfig rule)
    {
        final String name = "firewall rule " + rule.name();
        if (rule.action() == null || rule.direction() == null)
        {
            throw new IllegalArgumentException(name + ": needs an action and a direction");
        }
        protocolNumber(rule.protocol());
        if (rule.firstPort() < 0 || rule.lastPort() > 65535 || rule.firstPort() > rule.lastPort())
        {
            throw new IllegalArgumentException(name + ": ports " + rule.firstPort() + "-" + rule.lastPort() +
                " are not a range within 0-65535");
        }
        if (isPortRestricted(rule.firstPort(), rule.lastPort()) && !"tcp".equals(rule.protocol()) &&
            !"udp".equals(rule.protocol()))
        {
            throw new IllegalArgumentException(name + ": ports need protocol tcp or udp");
        }
        if (rule.user() != null && rule.group() != null)
        {
            throw new IllegalArgumentException(name + ": a rule names a user or a group, not both");
        }
    }

    private static int protocolNumber(final String protocol)
    {
        return switch (protocol == null ? "any" : protocol)
        {
            case "any" -> ANY_PROTOCOL;
            case "tcp" -> Ipv4Protocols.TCP;
            case "udp" -> Ipv4Protocols.UDP;
            case "icmp" -> Ipv4Protocols.ICMP;
            default -> throw new IllegalArgumentException("protocol must be tcp, udp, icmp or any: " + protocol);
        };
    }

    private static boolean isPortRestricted(final int firstPort, final int lastPort)
    {
        return firstPort > 0 || lastPort < 65535;
    }

    static long mappingKey(final int protocol, final int insideAddress, final int insidePort)
    {
        return (long)protocol << 48 | (long)insidePort << 32 | (insideAddress & 0xFFFF_FFFFL);
    }

    // ------------------------------------------------------------------------------------------------------------
    // FlowPolicy: the worker's slow path
    // ------------------------------------------------------------------------------------------------------------

    public boolean allowOutbound(
        final long nowNs, final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
        final int remotePort)
    {
        final int decision = decideOutbound(CLIENT_SESSION, protocol, insideAddress, remoteAddress, remotePort, true);
        if (isAllowed(decision))
        {
            return true;
        }
        denials.record(nowNs, decision, false, protocol, insideAddress, insidePort, remoteAddress, remotePort);
        return false;
    }

    public boolean allowInbound(
        final long nowNs, final int protocol, final int remoteAddress, final int remotePort, final int insideAddress,
        final int insidePort, final MappingKind mappingKind)
    {
        final int decision;
        if (mappingKind == MappingKind.INBOUND)
        {
            final int mapping = Arrays.binarySearch(mappingKeys, mappingKey(protocol, insideAddress, insidePort));
            decision = mapping < 0 ? denied(DenialReason.NO_SESSION, NO_RULE) :
                decideInbound(mappingSessions[mapping], protocol, remoteAddress, insideAddress, insidePort, true, true);
        }
        else
        {
            decision = decideInbound(CLIENT_SESSION, protocol, remoteAddress, insideAddress, insidePort, false, true);
        }
        if (isAllowed(decision))
        {
            return true;
        }
        denials.record(nowNs, decision, true, protocol, remoteAddress, remotePort, insideAddress, insidePort);
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Decisions: a denial reason's id (0 when allowed) and the deciding rule + 1, packed in an int
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return the index of the open session with this id, for {@link #decideOutbound} and {@link #decideInbound}.
     * @throws IllegalStateException when it is not in this policy.
     */
    int sessionIndex(final long sessionId)
    {
        final int index = Arrays.binarySearch(sessionIds, sessionId);
        if (index < 0)
        {
            throw new IllegalStateException("session " + sessionId + " is not in the compiled policy");
        }
        return index;
    }

    /**
     * @param session  the index of the session the flow is made through, or {@link #CLIENT_SESSION}.
     * @param countHit count the deciding rule's hit (a flow the datapath decides, not a control-plane question).
     */
    int decideOutbound(
        final int session, final int protocol, final int insideAddress, final int remoteAddress, final int remotePort,
        final boolean countHit)
    {
        final int rule = firstMatch(false, protocol, insideAddress, remoteAddress, remotePort, session, false);
        if (countHit && rule != NO_RULE)
        {
            hits.increment(rule);
        }
        if (rule == NO_RULE || ruleAllows[rule])
        {
            return allowed(rule);
        }
        return refused(false, protocol, insideAddress, remoteAddress, remotePort, session, rule);
    }

    /**
     * @param session      the index of the session that directs the flow, or {@link #CLIENT_SESSION}.
     * @param primary      whether it is an inbound primary connection through a control-plane mapping, denied
     *                     unless a rule allows it; otherwise it comes through the client's own or a static mapping.
     * @param countHit     count the deciding rule's hit.
     */
    int decideInbound(
        final int session, final int protocol, final int remoteAddress, final int insideAddress, final int insidePort,
        final boolean primary, final boolean countHit)
    {
        final int rule = firstMatch(true, protocol, remoteAddress, insideAddress, insidePort, session, false);
        if (countHit && rule != NO_RULE)
        {
            hits.increment(rule);
        }
        if (rule != NO_RULE ? ruleAllows[rule] : !primary)
        {
            return allowed(rule);
        }
        return refused(true, protocol, remoteAddress, insideAddress, insidePort, session, rule);
    }

    /**
     * A refusal is for want of authentication when the session is anonymous and, were it authenticated
     * as the right user, the first rule to match would be one that needs a user and allows.
     */
    private int refused(
        final boolean inbound, final int protocol, final int source, final int destination, final int port,
        final int session, final int rule)
    {
        if (session == CLIENT_SESSION || !sessionAuthenticated[session])
        {
            final int withUser = firstMatch(inbound, protocol, source, destination, port, session, true);
            if (withUser != NO_RULE && ruleNeedsUser[withUser] && ruleAllows[withUser])
            {
                return denied(DenialReason.NOT_AUTHENTICATED, withUser);
            }
        }
        return denied(DenialReason.POLICY_RULES_DENIED, rule);
    }

    /**
     * @param assumeUser match rules that need a user as if the session had one that satisfies them.
     * @return the first matching rule's index, or {@link #NO_RULE}.
     */
    private int firstMatch(
        final boolean inbound, final int protocol, final int source, final int destination, final int port,
        final int session, final boolean assumeUser)
    {
        final boolean ported = protocol == Ipv4Protocols.TCP || protocol == Ipv4Protocols.UDP;
        for (int r = 0; r < ruleCount; r++)
        {
            if (ruleInbound[r] == inbound &&
                (ruleProtocol[r] == ANY_PROTOCOL || ruleProtocol[r] == protocol) &&
                (source & ruleSourceMask[r]) == ruleSourceNetwork[r] &&
                (destination & ruleDestinationMask[r]) == ruleDestinationNetwork[r] &&
                (ported ? port >= ruleFirstPort[r] && port <= ruleLastPort[r] :
                    !isPortRestricted(ruleFirstPort[r], ruleLastPort[r])) &&
                (!ruleNeedsUser[r] || assumeUser || (session != CLIENT_SESSION && isSet(ruleSessions[r], session))))
            {
                return r;
            }
        }
        return NO_RULE;
    }

    private static boolean isSet(final long[] bits, final int index)
    {
        return (bits[index >>> 6] & 1L << index) != 0;
    }

    private static int allowed(final int rule)
    {
        return rule + 1;
    }

    static int denied(final DenialReason reason, final int rule)
    {
        return reason.id() << 16 | (rule + 1);
    }

    static boolean isAllowed(final int decision)
    {
        return decision >>> 16 == 0;
    }

    /**
     * @return why it was denied; null when allowed.
     */
    static DenialReason reason(final int decision)
    {
        return isAllowed(decision) ? null : DenialReason.get(decision >>> 16);
    }

    /**
     * @return the index of the rule that decided, or -1 when none matched.
     */
    static int rule(final int decision)
    {
        return (decision & 0xFFFF) - 1;
    }
}
