package io.natgate.control.firewall;

/**
 * What the access rules say about a flow for a session ({@link FirewallSession#checkOutbound},
 * {@link FirewallSession#checkInbound}), as the datapath would decide it.
 *
 * @param reason why it is denied; null when allowed.
 * @param rule   the rule that decided a denial, or null when none matched.
 */
public record AccessDecision(boolean allowed, DenialReason reason, String rule)
{
    static final AccessDecision ALLOWED = new AccessDecision(true, null, null);
}
