package io.natgate.control.config;

/**
 * A firewall access rule from the config file, in order of evaluation; the firewall
 * ({@code io.natgate.control.firewall}) compiles them for the datapath.
 *
 * @param protocol    {@code tcp}, {@code udp}, {@code icmp} or {@code any}.
 * @param source      the remote (inbound) or client (outbound) addresses the rule applies to.
 * @param destination the addresses the traffic is for.
 * @param firstPort   the lowest destination port matched (0 with {@code lastPort} 65535: any).
 * @param user        the authenticated user the rule needs, or null: a rule with a user never matches
 *                    an anonymous session.
 * @param group       the group the session's authenticated user must belong to, or null; a rule names a
 *                    user or a group, not both.
 */
public record FirewallRuleConfig(
    String name, Action action, Direction direction, String protocol, Ipv4Prefix source, Ipv4Prefix destination,
    int firstPort, int lastPort, String user, String group)
{
    /** What a matching rule does. */
    public enum Action
    {
        ALLOW, DENY
    }

    /** Which connections a rule applies to: from the outside in, or from the inside out. */
    public enum Direction
    {
        INBOUND, OUTBOUND
    }
}
