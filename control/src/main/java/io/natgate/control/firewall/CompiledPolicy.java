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
 * on a new flow is a binary search for the client's session and a scan of the rules, with no
 * allocation, lock or call into the control plane. Immutable; the firewall compiles a new one on
 * every session change and swaps it in on the worker. Denials go to the shared {@link DenialRecorder}.
 * <p>
 * A flow's session is the open session of its inside address; without one it is the client's
 * implicit anonymous session. Outbound flows match rules with the inside endpoint as source and the
 * remote as destination, inbound flows the remote as source and the inside endpoint as destination;
 * the port is the destination's. The first matching rule decides. When none matches, outbound is
 * allowed, and so is inbound through a mapping the client opened itself or a static mapping (a port
 * forward is a publishing decision already); an inbound primary connection through a control-plane
 * mapping needs an open session that opened that mapping and a rule that allows it.
 */
final class CompiledPolicy implements FlowPolicy
{
    static final int ALLOWED = 0;
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

    private final int[] sessionClients;
    private final boolean[] sessionAuthenticated;
    private final long[] sessionMappings;
    private final DenialRecorder denials;

    /**
     * @param rules    checked by {@link #checkRule} beforehand.
     * @param sessions open sessions, at most one per client address.
     */
    CompiledPolicy(final List<FirewallRuleConfig> rules, final List<FirewallSession> sessions, final DenialRecorder denials)
    {
        this.denials = denials;
        final FirewallSession[] byClient = sessions.toArray(FirewallSession[]::new);
        Arrays.sort(byClient, (a, b) -> Integer.compare(a.clientIpv4(), b.clientIpv4()));
        sessionClients = new int[byClient.length];
        sessionAuthenticated = new boolean[byClient.length];
        int mappingCount = 0;
        for (int s = 0; s < byClient.length; s++)
        {
            sessionClients[s] = byClient[s].clientIpv4();
            sessionAuthenticated[s] = byClient[s].authenticatedUser() != null;
            mappingCount += byClient[s].mappingKeys().length;
        }
        sessionMappings = new long[mappingCount];
        int m = 0;
        for (final FirewallSession session : byClient)
        {
            for (final long key : session.mappingKeys())
            {
                sessionMappings[m++] = key;
            }
        }
        Arrays.sort(sessionMappings);

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
                final long[] bits = new long[(byClient.length + 63) >>> 6];
                for (int s = 0; s < byClient.length; s++)
                {
                    final AuthenticatedUser user = byClient[s].authenticatedUser();
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
        final int decision = decideOutbound(protocol, insideAddress, remoteAddress, remotePort);
        if (decision == ALLOWED)
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
        final boolean directed = mappingKind == MappingKind.INBOUND &&
            Arrays.binarySearch(sessionMappings, mappingKey(protocol, insideAddress, insidePort)) >= 0;
        final int decision = decideInbound(protocol, remoteAddress, insideAddress, insidePort, mappingKind, directed);
        if (decision == ALLOWED)
        {
            return true;
        }
        denials.record(nowNs, decision, true, protocol, remoteAddress, remotePort, insideAddress, insidePort);
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Decisions: ALLOWED, or a denial reason's id and the deciding rule packed by denied()
    // ------------------------------------------------------------------------------------------------------------

    int decideOutbound(final int protocol, final int insideAddress, final int remoteAddress, final int remotePort)
    {
        final int session = sessionIndex(insideAddress);
        final int rule = firstMatch(false, protocol, insideAddress, remoteAddress, remotePort, session, false);
        if (rule == NO_RULE || ruleAllows[rule])
        {
            return ALLOWED;
        }
        return refused(false, protocol, insideAddress, remoteAddress, remotePort, session, rule);
    }

    /**
     * @param directed whether an open session opened the mapping the flow comes through.
     */
    int decideInbound(
        final int protocol, final int remoteAddress, final int insideAddress, final int insidePort,
        final MappingKind mappingKind, final boolean directed)
    {
        if (mappingKind == MappingKind.INBOUND && !directed)
        {
            return denied(DenialReason.NO_SESSION, NO_RULE);
        }
        final int session = sessionIndex(insideAddress);
        final int rule = firstMatch(true, protocol, remoteAddress, insideAddress, insidePort, session, false);
        if (rule != NO_RULE ? ruleAllows[rule] : mappingKind != MappingKind.INBOUND)
        {
            return ALLOWED;
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
        if (session < 0 || !sessionAuthenticated[session])
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
                (!ruleNeedsUser[r] || assumeUser || (session >= 0 && isSet(ruleSessions[r], session))))
            {
                return r;
            }
        }
        return NO_RULE;
    }

    private int sessionIndex(final int clientAddress)
    {
        final int index = Arrays.binarySearch(sessionClients, clientAddress);
        return index >= 0 ? index : -1;
    }

    private static boolean isSet(final long[] bits, final int index)
    {
        return (bits[index >>> 6] & 1L << index) != 0;
    }

    static int denied(final DenialReason reason, final int rule)
    {
        return reason.id() << 16 | (rule + 1);
    }

    static DenialReason reason(final int decision)
    {
        return DenialReason.get(decision >>> 16);
    }

    /**
     * @return the index of the rule that decided, or -1 when none matched.
     */
    static int rule(final int decision)
    {
        return (decision & 0xFFFF) - 1;
    }
}
