package io.natgate.datapath.nat;

import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.TcpSegment;

import static io.natgate.datapath.nat.NatEngine.TCP_ACKED;
import static io.natgate.datapath.nat.NatEngine.TCP_FIN_IN;
import static io.natgate.datapath.nat.NatEngine.TCP_FIN_OUT;
import static io.natgate.datapath.nat.NatEngine.TCP_RST;
import static io.natgate.datapath.nat.NatEngine.TCP_SYN_IN;
import static io.natgate.datapath.nat.NatEngine.TCP_SYN_OUT;

/**
 * A translated packet keeps its session alive: TCP state from the flags seen each way, the
 * timeout class that state implies, the new deadline, and a refresh event when the deadline
 * moves into another reporting period.
 */
final class SessionRefresh
{
    private final NatTables tables;
    private final SessionTable sessions;
    private final SessionEvents events;
    private final boolean inboundRefresh;

    SessionRefresh(final NatTables tables, final SessionEvents events)
    {
        this.tables = tables;
        this.sessions = tables.sessions;
        this.events = events;
        this.inboundRefresh = tables.config.inboundRefresh();
    }

    static int initialClass(final int protocol)
    {
        return switch (protocol)
        {
            case Ipv4Protocols.TCP -> SessionTable.CLASS_TCP_TRANSITORY;
            case Ipv4Protocols.UDP -> SessionTable.CLASS_UDP;
            default -> SessionTable.CLASS_ICMP;
        };
    }

    /**
     * Counts the packet on the session, then refreshes the session as the packet's direction and
     * TCP flags say.
     *
     * @param ipLength the packet's length, counted in the session's bytes.
     */
    void refresh(
        final int session, final int protocol, final int tcpFlags, final boolean outbound, final int ipLength,
        final long nowNs)
    {
        final SessionTable sessions = this.sessions;
        sessions.count(session, outbound, ipLength);
        int timeoutClass = initialClass(protocol);
        sessions.seen(session, outbound);
        if (protocol == Ipv4Protocols.TCP)
        {
            final int before = sessions.tcpFlags(session);
            final int after = nextTcpState(before, tcpFlags, outbound);
            if (after != before)
            {
                sessions.tcpFlags(session, after);
            }
            timeoutClass = isEstablished(after) ? SessionTable.CLASS_TCP_ESTABLISHED : SessionTable.CLASS_TCP_TRANSITORY;
            if (!outbound && !inboundRefresh && timeoutClass == sessions.timeoutClass(session))
            {
                return;
            }
        }
        else if (!outbound && !inboundRefresh)
        {
            return;
        }
        final long deadlineNs = nowNs + tables.timeoutNs(timeoutClass);
        if (((deadlineNs ^ sessions.deadlineNs(session)) >>> NatEngine.REFRESH_EVENT_SHIFT) != 0)
        {
            if (tables.events.canRecordRefresh())
            {
                events.report(SessionEvents.REFRESHED, session, nowNs);
            }
            else
            {
                tables.counters.increment(GlobalCounter.REFRESH_EVENTS_SKIPPED); // they give way to creates and removes
            }
        }
        sessions.touch(session, timeoutClass, deadlineNs);
    }

    /**
     * TCP state as the flags seen each way (RFC 5382 section 5; RFC 7857 section 2.2): established
     * once both sides sent a SYN (simultaneous open included) and a segment without SYN acknowledged
     * the handshake, transitory again after a FIN or RST; a fresh SYN on a closed session starts it
     * over. A SYN and a SYN-ACK alone (a half-open connection, what a SYN flood makes) stay transitory.
     */
    static int nextTcpState(final int state, final int tcpFlags, final boolean outbound)
    {
        int next = state;
        if ((tcpFlags & TcpSegment.SYN) != 0 && (tcpFlags & TcpSegment.ACK) == 0 &&
            (state & (TCP_FIN_OUT | TCP_FIN_IN | TCP_RST)) != 0)
        {
            next = 0;
        }
        if ((tcpFlags & TcpSegment.SYN) != 0)
        {
            next |= outbound ? TCP_SYN_OUT : TCP_SYN_IN;
        }
        if ((tcpFlags & TcpSegment.FIN) != 0)
        {
            next |= outbound ? TCP_FIN_OUT : TCP_FIN_IN;
        }
        if ((tcpFlags & TcpSegment.RST) != 0)
        {
            next |= TCP_RST;
        }
        if ((tcpFlags & (TcpSegment.SYN | TcpSegment.ACK)) == TcpSegment.ACK &&
            (next & (TCP_SYN_OUT | TCP_SYN_IN)) == (TCP_SYN_OUT | TCP_SYN_IN))
        {
            next |= TCP_ACKED;
        }
        return next;
    }

    static boolean isEstablished(final int state)
    {
        return (state & (TCP_SYN_OUT | TCP_SYN_IN | TCP_ACKED)) == (TCP_SYN_OUT | TCP_SYN_IN | TCP_ACKED) &&
            (state & (TCP_FIN_OUT | TCP_FIN_IN | TCP_RST)) == 0;
    }
}
