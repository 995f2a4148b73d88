package io.natgate.control.journal;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The question abuse reports and lawful requests ask: which inside endpoint held a public endpoint at a
 * given time. Fed the journal in order, it follows every mapping of that public endpoint (and its
 * sessions, when destinations were journaled, and the firewall sessions of its inside host) and keeps
 * the one whose span covers the time asked about. With port-block allocation no mapping is journaled: the
 * port block that held the port then answers, naming the inside address and the block.
 */
public final class WhoHeld implements JournalEvents
{
    private final int protocol;
    private final int publicAddress;
    private final int publicPort;
    private final long atNs;
    private Span holder;
    private Answer answer;
    private Span blockHolder;
    private Answer blockAnswer;
    private final Map<Long, SessionSpan> sessions = new LinkedHashMap<>();
    private final List<SessionSpan> sessionsAt = new ArrayList<>();
    private final Map<Long, FirewallSpan> firewallSessions = new HashMap<>();
    private final List<FirewallSpan> firewallAt = new ArrayList<>();
    private long firstNs = Long.MAX_VALUE;
    private long lastNs = Long.MIN_VALUE;

    /**
     * Who held it: the inside endpoint, its mapping's kind, from when to when (or {@link Long#MAX_VALUE}
     * while it is still held), how it ended, the sessions it had at that time and the firewall users of its
     * inside host then.
     */
    public record Answer(
        int insideAddress, int insidePort, MappingKind kind, long fromNs, long toNs, String ended,
        List<SessionSpan> sessions, List<FirewallSpan> users, int blockFirstPort, int blockLastPort)
    {
        /**
         * @return the inside endpoint, or only its address when a port block answers (which port of it is not
         * journaled).
         */
        public String inside()
        {
            return Ipv4.toString(insideAddress) + (isBlock() ? "" : ":" + insidePort);
        }

        /**
         * @return whether a port block answers rather than a mapping.
         */
        public boolean isBlock()
        {
            return blockLastPort != 0;
        }
    }

    /**
     * A session of the public endpoint: its remote endpoint and span.
     */
    public record SessionSpan(int remoteAddress, int remotePort, int insideAddress, int insidePort, long fromNs,
        long toNs)
    {
        public String remote()
        {
            return Ipv4.toString(remoteAddress) + ":" + remotePort;
        }
    }

    /**
     * A firewall session of the inside host.
     */
    public record FirewallSpan(long sessionId, int flags, int clientAddress, String user, long fromNs, long toNs)
    {
    }

    private static final class Span
    {
        final int insideAddress;
        final int insidePort;
        final int kind;
        final long fromNs;
        final int lastPort;

        Span(final int insideAddress, final int insidePort, final int kind, final long fromNs, final int lastPort)
        {
            this.insideAddress = insideAddress;
            this.insidePort = insidePort;
            this.kind = kind;
            this.fromNs = fromNs;
            this.lastPort = lastPort;
        }
    }

    public WhoHeld(final int protocol, final int publicAddress, final int publicPort, final long atNs)
    {
        this.protocol = protocol;
        this.publicAddress = publicAddress;
        this.publicPort = publicPort;
        this.atNs = atNs;
    }

    /**
     * @return true once the answer cannot change: it ended, or the time asked about passed with nobody holding it.
     */
    public boolean done()
    {
        return (answer != null && answer.toNs() != Long.MAX_VALUE) ||
            (holder == null && blockHolder == null && lastNs != Long.MIN_VALUE && lastNs - atNs > 1_000_000_000L);
    }

    /**
     * @return the answer once the journal has been read, or null when nobody held the endpoint then.
     */
    public Answer answer()
    {
        if (answer == null && holder != null && holder.fromNs <= atNs)
        {
            answer = answerOf(holder, Long.MAX_VALUE, null);
        }
        if (answer == null && blockAnswer == null && blockHolder != null && blockHolder.fromNs <= atNs)
        {
            blockAnswer = answerOf(blockHolder, Long.MAX_VALUE, null);
        }
        if (answer == null && blockAnswer != null)
        {
            return blockAnswer;
        }
        if (answer != null)
        {
            for (final SessionSpan session : sessions.values())
            {
                collectSession(session);
            }
            for (final FirewallSpan firewall : firewallSessions.values())
            {
                collectFirewall(firewall);
            }
            sessions.clear();
            firewallSessions.clear();
            final Answer found = answer;
            answer = new Answer(found.insideAddress(), found.insidePort(), found.kind(), found.fromNs(),
                found.toNs(), found.ended(),
                sessionsAt.stream().filter(session -> session.insideAddress() == found.insideAddress() &&
                    session.insidePort() == found.insidePort()).toList(),
                firewallAt.stream().filter(firewall -> firewall.clientAddress() == found.insideAddress()).toList(),
                found.blockFirstPort(), found.blockLastPort());
        }
        return answer;
    }

    /**
     * @return the time of the first and last entry read, for saying what the journal covered.
     */
    public long firstNs()
    {
        return firstNs;
    }

    public long lastNs()
    {
        return lastNs;
    }

    private void seen(final long timeNs)
    {
        firstNs = Math.min(firstNs, timeNs);
        lastNs = Math.max(lastNs, timeNs);
    }

    private boolean matches(final int protocol, final int publicAddress, final int publicPort)
    {
        return protocol == this.protocol && publicAddress == this.publicAddress && publicPort == this.publicPort;
    }

    private Answer answerOf(final Span span, final long toNs, final String ended)
    {
        return new Answer(span.insideAddress, span.insidePort, MappingKind.get(span.kind), span.fromNs, toNs, ended,
            List.of(), List.of(), span.lastPort == 0 ? 0 : span.insidePort, span.lastPort);
    }

    private void begin(final long timeNs, final int insideAddress, final int insidePort, final int kind)
    {
        end(timeNs, "replaced");
        holder = new Span(insideAddress, insidePort, kind, timeNs, 0);
    }

    private void end(final long timeNs, final String how)
    {
        if (holder != null)
        {
            if (answer == null && holder.fromNs <= atNs && timeNs >= atNs)
            {
                answer = answerOf(holder, timeNs, how);
            }
            holder = null;
        }
    }

    /**
     * Keeps a session whose span covers the time asked about; which inside endpoint's it must be is known
     * only with the answer.
     */
    private void collectSession(final SessionSpan session)
    {
        if (session.fromNs() <= atNs && session.toNs() >= atNs)
        {
            sessionsAt.add(session);
        }
    }

    private void collectFirewall(final FirewallSpan firewall)
    {
        if (firewall.fromNs() <= atNs && firewall.toNs() >= atNs)
        {
            firewallAt.add(firewall);
        }
    }

    private static long remoteKey(final int remoteAddress, final int remotePort)
    {
        return ((remoteAddress & 0xFFFF_FFFFL) << 16) | remotePort;
    }

    private void sessionBegins(
        final long timeNs, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        sessions.putIfAbsent(remoteKey(remoteAddress, remotePort),
            new SessionSpan(remoteAddress, remotePort, insideAddress, insidePort, timeNs, Long.MAX_VALUE));
    }

    private void sessionEnds(final long timeNs, final int remoteAddress, final int remotePort)
    {
        final SessionSpan session = sessions.remove(remoteKey(remoteAddress, remotePort));
        if (session != null)
        {
            collectSession(new SessionSpan(session.remoteAddress(), session.remotePort(), session.insideAddress(),
                session.insidePort(), session.fromNs(), timeNs));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Entries
    // ------------------------------------------------------------------------------------------------------------

    public void onGatewayStarted(final long timeNs, final long processId, final boolean destinations)
    {
        seen(timeNs);
        end(timeNs, "gateway restarted");
        endBlock(timeNs, "gateway restarted");
        for (final SessionSpan session : List.copyOf(sessions.values()))
        {
            sessionEnds(timeNs, session.remoteAddress(), session.remotePort());
        }
        for (final long sessionId : List.copyOf(firewallSessions.keySet()))
        {
            onSessionClosed(timeNs, sessionId, 0, 0, null);
        }
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        seen(timeNs);
        if (matches(protocol, publicAddress, publicPort))
        {
            begin(timeNs, insideAddress, insidePort, kind);
        }
    }

    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        seen(timeNs);
        if (inBlock(publicAddress, firstPort, lastPort))
        {
            endBlock(timeNs, "replaced");
            blockHolder = new Span(insideAddress, firstPort, MappingKind.DYNAMIC.id(), timeNs, lastPort);
        }
    }

    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        seen(timeNs);
        if (blockHolder == null && inBlock(publicAddress, firstPort, lastPort))
        {
            // the journal began after the block was allocated: held since at least now
            blockHolder = new Span(insideAddress, firstPort, MappingKind.DYNAMIC.id(), timeNs, lastPort);
        }
    }

    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        seen(timeNs);
        if (inBlock(publicAddress, firstPort, lastPort))
        {
            endBlock(timeNs, "released");
        }
    }

    private boolean inBlock(final int publicAddress, final int firstPort, final int lastPort)
    {
        return publicAddress == this.publicAddress && publicPort >= firstPort && publicPort <= lastPort;
    }

    private void endBlock(final long timeNs, final String how)
    {
        if (blockHolder != null)
        {
            if (blockAnswer == null && blockHolder.fromNs <= atNs && timeNs >= atNs)
            {
                blockAnswer = answerOf(blockHolder, timeNs, how);
            }
            blockHolder = null;
        }
    }

    public void onMappingRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind, final long lastActiveNs)
    {
        onMappingCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind);
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        seen(timeNs);
        if (matches(protocol, publicAddress, publicPort))
        {
            end(timeNs, "expired");
        }
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        seen(timeNs);
        if (matches(protocol, publicAddress, publicPort))
        {
            end(timeNs, "removed");
        }
    }

    public void onMappingRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        seen(timeNs);
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        seen(timeNs);
        if (matches(protocol, publicAddress, publicPort))
        {
            sessionBegins(timeNs, insideAddress, insidePort, remoteAddress, remotePort);
        }
    }

    public void onSessionRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state, final long lastActiveNs)
    {
        onSessionCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        onSessionCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        seen(timeNs);
        if (matches(protocol, publicAddress, publicPort))
        {
            sessionEnds(timeNs, remoteAddress, remotePort);
        }
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        onSessionExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
    }

    public void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
        seen(timeNs);
        firewallSessions.put(sessionId, new FirewallSpan(sessionId, flags, clientAddress, user, timeNs, Long.MAX_VALUE));
    }

    public void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
        seen(timeNs);
        final FirewallSpan span = firewallSessions.remove(sessionId);
        if (span != null)
        {
            collectFirewall(new FirewallSpan(span.sessionId(), span.flags(), span.clientAddress(), span.user(),
                span.fromNs(), timeNs));
        }
    }

    /**
     * @return the protocol's name and the public endpoint, as the answer names them.
     */
    public String publicEndpoint()
    {
        return Ipv4Protocols.name(protocol) + " " + Ipv4.toString(publicAddress) + ":" + publicPort;
    }
}
