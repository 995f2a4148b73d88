package io.natgate.control.firewall;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a firewall session is and what state it is in. Bits are stable (events carry them).
 */
public enum SessionFlag
{
    /** The session of a SecureNAT client of this gateway, made by {@link Firewall#getClientSession}. */
    NAT(1),
    /** Made by {@link Firewall#createPrivateSession} for an application-level proxy or inbound scenario. */
    PRIVATE(2),
    /** Rules see its authenticated user; without it only the client address counts. */
    AUTHENTICATED(4),
    /** Closed: it directs nothing any more and refuses every use. */
    TERMINATED(8);

    private final int bit;

    SessionFlag(final int bit)
    {
        this.bit = bit;
    }

    public int bit()
    {
        return bit;
    }

    public static int bits(final Set<SessionFlag> flags)
    {
        int bits = 0;
        for (final SessionFlag flag : flags)
        {
            bits |= flag.bit;
        }
        return bits;
    }

    public static Set<SessionFlag> of(final int bits)
    {
        final Set<SessionFlag> flags = EnumSet.noneOf(SessionFlag.class);
        for (final SessionFlag flag : values())
        {
            if ((bits & flag.bit) != 0)
            {
                flags.add(flag);
            }
        }
        return flags;
    }
}
