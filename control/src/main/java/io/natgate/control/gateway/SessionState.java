package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatEngine;

import java.util.Locale;

/**
 * A session's state as an operator reads it (conntrack's names where they fit), from the TCP flags the
 * engine has seen each way; UDP and ICMP sessions have no states beyond {@link #ACTIVE}.
 */
public enum SessionState
{
    /** A UDP or ICMP session. */
    ACTIVE,
    /** TCP: only the inside host's SYN seen. */
    SYN_SENT,
    /** TCP: only the remote's SYN seen (it came in through a port forward or an inbound mapping). */
    SYN_RECV,
    /** TCP: a SYN seen both ways and no FIN or RST. */
    ESTABLISHED,
    /** TCP: a FIN seen one way. */
    FIN_WAIT,
    /** TCP: a FIN seen both ways. */
    TIME_WAIT,
    /** TCP: a RST seen. */
    CLOSE,
    /** TCP: no flags recorded (a restored session before its first packet). */
    NONE;

    public static SessionState of(final int protocol, final int tcpFlags)
    {
        if (protocol != Ipv4Protocols.TCP)
        {
            return ACTIVE;
        }
        final int fins = tcpFlags & (NatEngine.TCP_FIN_OUT | NatEngine.TCP_FIN_IN);
        final int syns = tcpFlags & (NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN);
        if ((tcpFlags & NatEngine.TCP_RST) != 0)
        {
            return CLOSE;
        }
        if (fins == (NatEngine.TCP_FIN_OUT | NatEngine.TCP_FIN_IN))
        {
            return TIME_WAIT;
        }
        if (fins != 0)
        {
            return FIN_WAIT;
        }
        if (syns == (NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN))
        {
            return ESTABLISHED;
        }
        if (syns == NatEngine.TCP_SYN_OUT)
        {
            return SYN_SENT;
        }
        return syns == NatEngine.TCP_SYN_IN ? SYN_RECV : NONE;
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the states when {@code label} is none of them.
     */
    public static SessionState parse(final String label)
    {
        for (final SessionState state : values())
        {
            if (state.label().equalsIgnoreCase(label.trim()))
            {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown state '" + label + "' (one of " +
            java.util.Arrays.stream(values()).map(SessionState::label).toList() + ")");
    }
}
