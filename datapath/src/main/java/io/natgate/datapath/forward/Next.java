package io.natgate.datapath.forward;

/**
 * The next index a forwarding pass writes for each frame: which stage takes it on. The classify
 * pass sends each frame to one; the NAT passes move {@link #NAT_OUT} and {@link #NAT_IN} frames on
 * to {@link #TRANSLATED_OUT}, {@link #TRANSLATED_IN} or {@link #HAIRPINNED} (or to their slow path);
 * the last pass acts on the rest in frame order.
 */
final class Next
{
    /** Done with: dropped and counted, held, or already sent. */
    static final int DONE = 0;
    /** An ARP packet; its offset and length are the ARP packet's. */
    static final int ARP = 1;
    /** An IPv6 frame; offset and length are the whole frame's. */
    static final int IPV6 = 2;
    /** Sent by the control plane through the local port. */
    static final int LOCAL_ORIGIN = 3;
    /** UDP to a registered local endpoint. */
    static final int LOCAL_PUNT = 4;
    /** A ping to one of the gateway's addresses. */
    static final int ECHO_REPLY = 5;
    /** TTL 1 or 0: answered with time exceeded. */
    static final int TTL_EXPIRED = 6;
    /** Too big for the egress with DF set: answered with fragmentation needed. */
    static final int FRAGMENTATION_NEEDED = 7;
    /** From the inside, to translate: fast path. */
    static final int NAT_OUT = 8;
    /** From the outside to a public address, to translate: fast path. */
    static final int NAT_IN = 9;
    /** Missed by the fast path: slow path, from the inside. */
    static final int NAT_SLOW_OUT = 10;
    /** Missed by the fast path: slow path, from the outside. */
    static final int NAT_SLOW_IN = 11;
    /** Translated from the inside: route and send. */
    static final int TRANSLATED_OUT = 12;
    /** Translated from the outside: route inside and send. */
    static final int TRANSLATED_IN = 13;
    /** Translated twice, an inside host to another's public endpoint: route inside and send. */
    static final int HAIRPINNED = 14;
    /** Translated from the inside by the fast path, TTL decremented with it: route and send. */
    static final int FAST_OUT = 15;
    /** Translated from the outside by the fast path, TTL decremented with it: route inside and send. */
    static final int FAST_IN = 16;
    /** From an inside source the gateway has not resolved yet: held while it asks; offset and length are the frame's. */
    static final int VERIFY_SOURCE = 17;

    private Next()
    {
    }
}
