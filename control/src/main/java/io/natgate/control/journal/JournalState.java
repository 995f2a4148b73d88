package io.natgate.control.journal;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatEngine;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The mapping and session tables as the journal tells them: fed entries in order (replay, or live), it
 * holds the mappings and sessions live after the last one, each with when it began and when it was last
 * seen active, and the open firewall sessions. A gateway start voids what came before it; the restored
 * state follows it. Sessions are there only when the gateway journaled destinations.
 */
public final class JournalState implements JournalEvents
{
    private final Long2ObjectHashMap<Mapping> mappings = new Long2ObjectHashMap<>();
    private final Map<SessionKey, Session> sessions = new HashMap<>();
    private final Long2ObjectHashMap<FirewallSession> firewallSessions = new Long2ObjectHashMap<>();
    private long lastEventNs;
    private long startNs;
    private boolean destinations;
    private long entries;
    private long untilNs = Long.MAX_VALUE;
    private boolean passedUntil;

    /**
     * A state of everything read.
     */
    public JournalState()
    {
    }

    /**
     * A state as it was at {@code untilNs}: later entries are left out.
     */
    public JournalState(final long untilNs)
    {
        this.untilNs = untilNs;
    }

    /**
     * @return true once an entry more than a second after the time the state is wanted at was read (control-plane
     * entries may lag the datapath's by that much), so reading may stop.
     */
    public boolean passedUntil()
    {
        return passedUntil;
    }

    /**
     * A mapping the journal holds as live.
     */
    public static final class Mapping
    {
        public final int protocol;
        public final int insideAddress;
        public final int insidePort;
        public final int publicAddress;
        public final int publicPort;
        int kind;
        final long sinceNs;
        long lastActiveNs;

        Mapping(
            final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
            final int publicPort, final int kind, final long sinceNs, final long lastActiveNs)
        {
            this.protocol = protocol;
            this.insideAddress = insideAddress;
            this.insidePort = insidePort;
            this.publicAddress = publicAddress;
            this.publicPort = publicPort;
            this.kind = kind;
            this.sinceNs = sinceNs;
            this.lastActiveNs = lastActiveNs;
        }

        public MappingKind kind()
        {
            return MappingKind.get(kind);
        }

        public long sinceNs()
        {
            return sinceNs;
        }

        public long lastActiveNs()
        {
            return lastActiveNs;
        }

        /**
         * @return {@code udp 10.0.0.2:5000 203.0.113.1:5000 dynamic}: what the digest is made of.
         */
        public String line()
        {
            return mappingLine(protocol, insideAddress, insidePort, publicAddress, publicPort, kind());
        }
    }

    /**
     * A session the journal holds as live.
     */
    public static final class Session
    {
        public final int protocol;
        public final int insideAddress;
        public final int insidePort;
        public final int publicAddress;
        public final int publicPort;
        public final int remoteAddress;
        public final int remotePort;
        int state;
        final long sinceNs;
        long lastActiveNs;

        Session(
            final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
            final int publicPort, final int remoteAddress, final int remotePort, final int state, final long sinceNs,
            final long lastActiveNs)
        {
            this.protocol = protocol;
            this.insideAddress = insideAddress;
            this.insidePort = insidePort;
            this.publicAddress = publicAddress;
            this.publicPort = publicPort;
            this.remoteAddress = remoteAddress;
            this.remotePort = remotePort;
            this.state = state;
            this.sinceNs = sinceNs;
            this.lastActiveNs = lastActiveNs;
        }

        public int state()
        {
            return state;
        }

        public long sinceNs()
        {
            return sinceNs;
        }

        public long lastActiveNs()
        {
            return lastActiveNs;
        }

        public String line()
        {
            return sessionLine(protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort);
        }
    }

    /**
     * An open firewall session: its client and user, for {@code who}.
     */
    public record FirewallSession(long sessionId, int flags, int clientAddress, String user, long sinceNs)
    {
    }

    private record SessionKey(long mapping, long remote)
    {
    }

    /**
     * @return the mappings, ordered by protocol, inside address and port.
     */
    public List<Mapping> mappings()
    {
        final List<Mapping> list = new ArrayList<>(mappings.values());
        list.sort(Comparator.comparingInt((Mapping m) -> m.protocol).thenComparingLong(m -> m.insideAddress & 0xFFFF_FFFFL)
            .thenComparingInt(m -> m.insidePort));
        return list;
    }

    /**
     * @return the sessions, ordered by protocol, inside endpoint and remote endpoint.
     */
    public List<Session> sessions()
    {
        final List<Session> list = new ArrayList<>(sessions.values());
        list.sort(Comparator.comparingInt((Session s) -> s.protocol).thenComparingLong(s -> s.insideAddress & 0xFFFF_FFFFL)
            .thenComparingInt(s -> s.insidePort).thenComparingLong(s -> s.remoteAddress & 0xFFFF_FFFFL)
            .thenComparingInt(s -> s.remotePort));
        return list;
    }

    public List<FirewallSession> firewallSessions()
    {
        return new ArrayList<>(firewallSessions.values());
    }

    /**
     * @return the time of the newest entry read.
     */
    public long lastEventNs()
    {
        return lastEventNs;
    }

    /**
     * @return when the last gateway start read began, 0 when none was read.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * @return whether the run read last journaled destinations (sessions).
     */
    public boolean destinations()
    {
        return destinations;
    }

    public long entries()
    {
        return entries;
    }

    /**
     * @return a digest of the mappings (protocol, inside and public endpoint, kind), for comparing with a
     * gateway's ({@link #mappingDigest(NatEngine)}).
     */
    public String mappingDigest()
    {
        final List<String> lines = new ArrayList<>();
        for (final Mapping mapping : mappings.values())
        {
            lines.add(mapping.line());
        }
        return digest(lines);
    }

    /**
     * @return the digest of the sessions (protocol, inside, public and remote endpoint).
     */
    public String sessionDigest()
    {
        final List<String> lines = new ArrayList<>();
        for (final Session session : sessions.values())
        {
            lines.add(session.line());
        }
        return digest(lines);
    }

    /**
     * @return the digest {@link #mappingDigest()} gives for the same mappings, of an engine's table. On the
     * engine's own thread.
     */
    public static String mappingDigest(final NatEngine engine)
    {
        final List<String> lines = new ArrayList<>();
        engine.forEachMapping((protocol, insideAddress, insidePort, publicAddress, publicPort, kind, count,
            deadlineNs) -> lines.add(mappingLine(protocol, insideAddress, insidePort, publicAddress, publicPort, kind)));
        return digest(lines);
    }

    /**
     * @return the digest {@link #sessionDigest()} gives for the same sessions, of an engine's table.
     */
    public static String sessionDigest(final NatEngine engine)
    {
        final List<String> lines = new ArrayList<>();
        engine.forEachSession((protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, deadlineNs, tcpFlags, kind) -> lines.add(
                sessionLine(protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort)));
        return digest(lines);
    }

    static String mappingLine(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress, final int publicPort,
        final MappingKind kind)
    {
        return Ipv4Protocols.name(protocol) + " " + endpoint(insideAddress, insidePort) + " " +
            endpoint(publicAddress, publicPort) + " " + kind.name().toLowerCase();
    }

    static String sessionLine(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress, final int publicPort,
        final int remoteAddress, final int remotePort)
    {
        return Ipv4Protocols.name(protocol) + " " + endpoint(insideAddress, insidePort) + " " +
            endpoint(publicAddress, publicPort) + " " + endpoint(remoteAddress, remotePort);
    }

    static String endpoint(final int address, final int port)
    {
        return Ipv4.toString(address) + ":" + port;
    }

    private static String digest(final List<String> lines)
    {
        lines.sort(null);
        try
        {
            final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (final String line : lines)
            {
                sha256.update(line.getBytes(StandardCharsets.US_ASCII));
                sha256.update((byte)'\n');
            }
            return lines.size() + ":" + HexFormat.of().formatHex(sha256.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static long mappingKey(final int protocol, final int insideAddress, final int insidePort)
    {
        return ((long)protocol << 48) | ((insideAddress & 0xFFFF_FFFFL) << 16) | insidePort;
    }

    private static SessionKey sessionKey(
        final int protocol, final int insideAddress, final int insidePort, final int remoteAddress, final int remotePort)
    {
        return new SessionKey(mappingKey(protocol, insideAddress, insidePort),
            ((remoteAddress & 0xFFFF_FFFFL) << 16) | remotePort);
    }

    /**
     * @return false for an entry after the time the state is wanted at, which is left out.
     */
    private boolean seen(final long timeNs)
    {
        if (timeNs > untilNs)
        {
            passedUntil |= timeNs - untilNs > 1_000_000_000L;
            return false;
        }
        entries++;
        if (timeNs > lastEventNs)
        {
            lastEventNs = timeNs;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Entries
    // ------------------------------------------------------------------------------------------------------------

    public void onGatewayStarted(final long timeNs, final long processId, final boolean destinations)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappings.clear();
        sessions.clear();
        firewallSessions.clear();
        startNs = timeNs;
        this.destinations = destinations;
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappings.put(mappingKey(protocol, insideAddress, insidePort),
            new Mapping(protocol, insideAddress, insidePort, publicAddress, publicPort, kind, timeNs, timeNs));
    }

    public void onMappingRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind, final long lastActiveNs)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappings.put(mappingKey(protocol, insideAddress, insidePort),
            new Mapping(protocol, insideAddress, insidePort, publicAddress, publicPort, kind, timeNs, lastActiveNs));
    }

    public void onMappingRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappingActive(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappings.remove(mappingKey(protocol, insideAddress, insidePort));
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappings.remove(mappingKey(protocol, insideAddress, insidePort));
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappingActive(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        sessions.put(sessionKey(protocol, insideAddress, insidePort, remoteAddress, remotePort), new Session(protocol,
            insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state, timeNs, timeNs));
    }

    public void onSessionRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state, final long lastActiveNs)
    {
        if (!seen(timeNs))
        {
            return;
        }
        sessions.put(sessionKey(protocol, insideAddress, insidePort, remoteAddress, remotePort), new Session(protocol,
            insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state, timeNs,
            lastActiveNs));
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        if (!seen(timeNs))
        {
            return;
        }
        mappingActive(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        final SessionKey key = sessionKey(protocol, insideAddress, insidePort, remoteAddress, remotePort);
        final Session session = sessions.get(key);
        if (session == null)
        {
            // its creation is older than the journal or was lost: it is live all the same
            sessions.put(key, new Session(protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state, timeNs, timeNs));
        }
        else
        {
            session.state = state;
            session.lastActiveNs = timeNs;
        }
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        if (!seen(timeNs))
        {
            return;
        }
        sessions.remove(sessionKey(protocol, insideAddress, insidePort, remoteAddress, remotePort));
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        if (!seen(timeNs))
        {
            return;
        }
        sessions.remove(sessionKey(protocol, insideAddress, insidePort, remoteAddress, remotePort));
    }

    public void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
        if (!seen(timeNs))
        {
            return;
        }
        firewallSessions.put(sessionId, new FirewallSession(sessionId, flags, clientAddress, user, timeNs));
    }

    public void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
        if (!seen(timeNs))
        {
            return;
        }
        firewallSessions.remove(sessionId);
    }

    private void mappingActive(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        final long key = mappingKey(protocol, insideAddress, insidePort);
        final Mapping mapping = mappings.get(key);
        if (mapping == null)
        {
            mappings.put(key, new Mapping(protocol, insideAddress, insidePort, publicAddress, publicPort,
                MappingKind.DYNAMIC.id(), timeNs, timeNs));
        }
        else if (timeNs > mapping.lastActiveNs)
        {
            mapping.lastActiveNs = timeNs;
        }
    }
}
