package io.natgate.control.firewall;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many new flows each access rule decided, counted by the datapath's slow path (every compiled
 * policy shares one) and read by the admin endpoint. A flow is counted once, for the first rule that
 * matched it; control-plane questions ({@link FirewallSession#checkInbound}, ...) are not counted.
 * An atomic add per new flow, no allocation; safe with any number of counting threads.
 */
final class RuleHits
{
    private final AtomicLongArray hits;

    RuleHits(final int ruleCount)
    {
        hits = new AtomicLongArray(ruleCount);
    }

    void increment(final int rule)
    {
        hits.getAndIncrement(rule);
    }

    long get(final int rule)
    {
        return hits.get(rule);
    }
}
