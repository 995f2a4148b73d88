package io.natgate.control.journal;

import io.natgate.control.config.StaticMapping;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatRestore;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Warm restart: the state the journal's last run left ({@link JournalState} from its last start on) put
 * back into a fresh NAT engine before it forwards a frame, so that connections through the gateway
 * survive its restart.
 * <p>
 * What the journal cannot know exactly is when each mapping and session was last used: it has the
 * time of the last event about it, and the engine reports a refresh at least every
 * {@link NatEngine#REFRESH_EVENT_SLACK_NS}. So a session's deadline is taken as its last event plus that
 * slack (but not later than now) plus its timeout under the current config, and what would have expired
 * by now is left out. Static mappings come back only when the config still has them; inbound mappings
 * belong to the control-plane state that opened them (firewall sessions, PCP clients) and do not, but
 * the sessions their inside host opened itself come back under a dynamic mapping. Without journaled
 * destinations only mappings come back, held for their inside hosts until they would have expired.
 */
public final class WarmRestart
{
    private final NatConfig natConfig;
    private final List<StaticMapping> statics;
    private final List<Restored<JournalState.Mapping>> restoredMappings = new ArrayList<>();
    private final List<Restored<JournalState.Session>> restoredSessions = new ArrayList<>();

    /**
     * What a restart put back.
     *
     * @param mappings the mappings restored.
     * @param sessions the sessions restored.
     * @param expired  mappings and sessions left out because they would have expired by now.
     * @param refused  mappings and sessions the engine refused (address no longer in the pool, table full).
     * @param statics  the configured static mappings restored, which need not be added again.
     */
    public record Result(int mappings, int sessions, int expired, int refused, Set<StaticMapping> statics)
    {
    }

    private record Restored<T>(T entry, int kind, long deadlineEpochNs)
    {
    }

    /**
     * @param natConfig the config the engine runs with: its timeouts decide what has expired.
     * @param statics   the static mappings of the config.
     */
    public WarmRestart(final NatConfig natConfig, final List<StaticMapping> statics)
    {
        this.natConfig = natConfig;
        this.statics = List.copyOf(statics);
    }

    /**
     * Reads the journal from its last start and restores into {@code nat}.
     *
     * @param nowNs      the engine's clock now.
     * @param nowEpochNs the journal's clock now.
     */
    public Result restore(final Journal journal, final NatRestore nat, final long nowNs, final long nowEpochNs)
    {
        final JournalState state = new JournalState();
        journal.read(state, journal.lastStartIndex(), Journal.Until.END, null);
        return restore(state, nat, nowNs, nowEpochNs);
    }

    /**
     * Restores what {@code state} holds into {@code nat}.
     */
    public Result restore(final JournalState state, final NatRestore nat, final long nowNs, final long nowEpochNs)
    {
        restoredMappings.clear();
        restoredSessions.clear();
        int expired = 0;
        int refused = 0;
        final Set<StaticMapping> restoredStatics = new HashSet<>();

        final List<Restored<JournalState.Session>> sessions = new ArrayList<>();
        final LongHashSet mappingsWithSessions = new LongHashSet();
        final LongHashSet mappingsWithOutboundSessions = new LongHashSet();
        for (final JournalState.Session session : state.sessions())
        {
            final long deadlineEpochNs = deadline(session.lastActiveNs(), nowEpochNs,
                sessionTimeoutNs(session.protocol, session.state()));
            if (deadlineEpochNs - nowEpochNs <= 0)
            {
                expired++;
                continue;
            }
            sessions.add(new Restored<>(session, 0, deadlineEpochNs));
            final long key = JournalState.mappingKey(session.protocol, session.insideAddress, session.insidePort);
            mappingsWithSessions.add(key);
            if ((session.state() & NatEngine.SESSION_ADMITTED_INBOUND) == 0)
            {
                mappingsWithOutboundSessions.add(key);
            }
        }

        final LongHashSet mappingsRestored = new LongHashSet();
        final LongHashSet formerlyInbound = new LongHashSet();
        for (final JournalState.Mapping mapping : state.mappings())
        {
            final long key = JournalState.mappingKey(mapping.protocol, mapping.insideAddress, mapping.insidePort);
            final MappingKind kind = mapping.kind();
            final boolean hasSessions = kind == MappingKind.INBOUND ?
                mappingsWithOutboundSessions.contains(key) : mappingsWithSessions.contains(key);
            final CommandStatus status;
            long deadlineEpochNs = 0;
            if (kind == MappingKind.STATIC)
            {
                final StaticMapping configured = configured(mapping);
                if (configured == null)
                {
                    continue;
                }
                status = nat.restoreMapping(mapping.protocol, mapping.insideAddress, mapping.insidePort,
                    mapping.publicAddress, mapping.publicPort, MappingKind.STATIC, 0);
                if (status == CommandStatus.OK)
                {
                    restoredStatics.add(configured);
                }
            }
            else
            {
                deadlineEpochNs = deadline(mapping.lastActiveNs(), nowEpochNs, mappingTimeoutNs(mapping.protocol));
                final boolean alive = state.destinations() ? hasSessions : deadlineEpochNs - nowEpochNs > 0;
                if (!alive || (kind == MappingKind.INBOUND && !hasSessions))
                {
                    expired++;
                    continue;
                }
                if (state.destinations())
                {
                    deadlineEpochNs = nowEpochNs + 1; // it lives by its sessions
                }
                long holdNs = nowNs + (deadlineEpochNs - nowEpochNs);
                holdNs = holdNs == 0 ? 1 : holdNs;
                status = nat.restoreMapping(mapping.protocol, mapping.insideAddress, mapping.insidePort,
                    mapping.publicAddress, mapping.publicPort, MappingKind.DYNAMIC, holdNs);
            }
            if (status == CommandStatus.OK)
            {
                mappingsRestored.add(key);
                if (kind == MappingKind.INBOUND)
                {
                    formerlyInbound.add(key);
                }
                restoredMappings.add(new Restored<>(
                    mapping, kind == MappingKind.STATIC ? kind.id() : MappingKind.DYNAMIC.id(), deadlineEpochNs));
            }
            else
            {
                refused++;
            }
        }

        sessions.sort(Comparator.comparingLong(Restored::deadlineEpochNs));
        for (final Restored<JournalState.Session> restored : sessions)
        {
            final JournalState.Session session = restored.entry();
            final long key = JournalState.mappingKey(session.protocol, session.insideAddress, session.insidePort);
            if (!mappingsRestored.contains(key) ||
                (formerlyInbound.contains(key) && (session.state() & NatEngine.SESSION_ADMITTED_INBOUND) != 0))
            {
                expired++;
                continue;
            }
            final CommandStatus status = nat.restoreSession(session.protocol, session.insideAddress, session.insidePort,
                session.remoteAddress, session.remotePort, session.state(),
                nowNs + (restored.deadlineEpochNs() - nowEpochNs));
            if (status == CommandStatus.OK)
            {
                restoredSessions.add(restored);
            }
            else
            {
                refused++;
            }
        }
        return new Result(restoredMappings.size(), restoredSessions.size(), expired, refused, Set.copyOf(restoredStatics));
    }

    /**
     * Journals what the last {@link #restore} put back, after the gateway's start entry.
     *
     * @param destinations whether sessions are journaled in this run.
     */
    void journalRestored(final JournalEvents out, final long nowEpochNs, final boolean destinations)
    {
        for (final Restored<JournalState.Mapping> restored : restoredMappings)
        {
            final JournalState.Mapping mapping = restored.entry();
            out.onMappingRestored(nowEpochNs, mapping.protocol, mapping.insideAddress, mapping.insidePort,
                mapping.publicAddress, mapping.publicPort, restored.kind(), mapping.lastActiveNs());
        }
        if (destinations)
        {
            for (final Restored<JournalState.Session> restored : restoredSessions)
            {
                final JournalState.Session session = restored.entry();
                out.onSessionRestored(nowEpochNs, session.protocol, session.insideAddress, session.insidePort,
                    session.publicAddress, session.publicPort, session.remoteAddress, session.remotePort,
                    session.state(), session.lastActiveNs());
            }
        }
    }

    /**
     * The latest a deadline can be: the last event, plus the most a refresh may go unreported, but never
     * later than now, plus the timeout.
     */
    private static long deadline(final long lastActiveEpochNs, final long nowEpochNs, final long timeoutNs)
    {
        return Math.min(lastActiveEpochNs + NatEngine.REFRESH_EVENT_SLACK_NS, nowEpochNs) + timeoutNs;
    }

    private long sessionTimeoutNs(final int protocol, final int state)
    {
        return switch (protocol)
        {
            case Ipv4Protocols.TCP -> isEstablished(state) ?
                natConfig.tcpEstablishedTimeoutNs() : natConfig.tcpTransitoryTimeoutNs();
            case Ipv4Protocols.UDP -> natConfig.udpTimeoutNs();
            default -> natConfig.icmpTimeoutNs();
        };
    }

    /**
     * Without sessions a mapping's TCP state is not known: it is held as long as an established one.
     */
    private long mappingTimeoutNs(final int protocol)
    {
        return switch (protocol)
        {
            case Ipv4Protocols.TCP -> natConfig.tcpEstablishedTimeoutNs();
            case Ipv4Protocols.UDP -> natConfig.udpTimeoutNs();
            default -> natConfig.icmpTimeoutNs();
        };
    }

    private static boolean isEstablished(final int state)
    {
        final int both = NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN;
        return (state & both) == both && (state & (NatEngine.TCP_FIN_OUT | NatEngine.TCP_FIN_IN | NatEngine.TCP_RST)) == 0;
    }

    private StaticMapping configured(final JournalState.Mapping mapping)
    {
        for (final StaticMapping configured : statics)
        {
            if (configured.protocol() == mapping.protocol &&
                configured.publicEndpoint().address() == mapping.publicAddress &&
                configured.publicEndpoint().port() == mapping.publicPort &&
                configured.insideEndpoint().address() == mapping.insideAddress &&
                configured.insideEndpoint().port() == mapping.insidePort)
            {
                return configured;
            }
        }
        return null;
    }
}
