package io.natgate.control.cli;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.journal.Journal;
import io.natgate.control.journal.JournalException;
import io.natgate.control.journal.JournalPrinter;
import io.natgate.control.journal.JournalState;
import io.natgate.control.journal.JournalTime;
import io.natgate.control.journal.WhoHeld;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code natgate journal tail|show|who|replay}: reads the journal a gateway writes (while it writes,
 * too), from its directory or the one a config file names.
 */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description =
        "Reads the gateway's journal: every mapping, session (when destinations are journaled), provider and " +
        "firewall event. Times are printed in UTC and taken as ISO-8601 (2026-03-01T12:00:00Z, 2026-03-01 " +
        "12:00:00 for UTC, 2026-03-01), now, or a duration ago (-10m, 2h ago).",
    subcommands = {JournalCommand.Tail.class, JournalCommand.Show.class, JournalCommand.Who.class,
        JournalCommand.Replay.class})
final class JournalCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Where the journal is: {@code --journal DIR}, else the directory of {@code --config FILE}, else the default.
     */
    static final class Location
    {
        @Option(names = "--journal", paramLabel = "DIR", description = "The journal's directory.")
        private Path directory;

        @Option(names = "--config", paramLabel = "FILE",
            description = "Take the journal's directory from this gateway config (default: " +
                JournalConfig.DIRECTORY_DEFAULT + ").")
        private Path config;

        Path directory()
        {
            if (directory != null)
            {
                return directory;
            }
            if (config == null)
            {
                return Path.of(JournalConfig.DIRECTORY_DEFAULT);
            }
            final ConfigNode root = ConfigNode.parseFile(config);
            final ConfigNode journal = root.get("journal");
            final ConfigNode named = journal == null ? null : journal.get("directory");
            final Path base = config.toAbsolutePath().getParent();
            return base.resolve(named == null ? JournalConfig.DIRECTORY_DEFAULT : named.asText()).normalize();
        }

        /**
         * @return the deterministic NAT map of {@code --config}, or null without one.
         */
        io.natgate.datapath.nat.DeterministicMap deterministic()
        {
            return config == null ? null : io.natgate.control.config.ConfigLoader.deterministic(config);
        }
    }

    /**
     * What every subcommand shares: the journal's location, the output, and turning a failure into one line.
     */
    abstract static class Reader implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Location location;

        PrintWriter out()
        {
            return spec.commandLine().getOut();
        }

        public final Integer call()
        {
            try (Journal journal = Journal.openForReading(location.directory()))
            {
                final int status = read(journal);
                if (journal.unreadableEntries() > 0)
                {
                    out().flush();
                    spec.commandLine().getErr().println("natgate journal " + spec.name() + ": " +
                        journal.unreadableEntries() + " damaged entries could not be read and were skipped");
                }
                return status;
            }
            catch (final JournalException | ConfigException | IllegalArgumentException ex)
            {
                spec.commandLine().getErr().println("natgate journal " + spec.name() + ": " + ex.getMessage());
                return 1;
            }
            finally
            {
                out().flush();
            }
        }

        abstract int read(Journal journal);

        static long now()
        {
            final java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        static long time(final String text, final long defaultNs)
        {
            return text == null ? defaultNs : JournalTime.parse(text, now());
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
        description = "The last entries; with --follow, then every new one as it is written, until interrupted.")
    static final class Tail extends Reader
    {
        @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "How many (default: ${DEFAULT-VALUE}).")
        private int lines = 20;

        @Option(names = {"-f", "--follow"}, description = "Keep printing entries as they are written.")
        private boolean follow;

        @Option(names = "--type", split = ",", paramLabel = "TYPE", description = "Only these types (see show).")
        private List<String> types = new ArrayList<>();

        @Option(names = "--json", description = "One JSON object a line.")
        private boolean json;

        int read(final Journal journal)
        {
            checkTypes(types);
            final JournalPrinter printer = new JournalPrinter(out(), json, Long.MIN_VALUE, Long.MAX_VALUE, types);
            final long start = journal.indexBeforeEnd(Math.max(0, lines));
            if (!follow)
            {
                journal.read(printer, start, Journal.Until.END, null);
                return 0;
            }
            journal.follow(printer, start, () -> Thread.currentThread().isInterrupted(),
                () ->
                {
                    out().flush();
                    LockSupport.parkNanos(50_000_000L);
                });
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "The entries between two times, of some types.")
    static final class Show extends Reader
    {
        @Option(names = "--from", paramLabel = "TIME", description = "The first time (default: the beginning).")
        private String from;

        @Option(names = "--to", paramLabel = "TIME", description = "The last time (default: the end).")
        private String to;

        @Option(names = "--type", split = ",", paramLabel = "TYPE", completionCandidates = Types.class,
            description = "Only these types, or their first word (mapping, session, provider, firewall); " +
                "repeat or separate with commas. The types: ${COMPLETION-CANDIDATES}.")
        private List<String> types = new ArrayList<>();

        @Option(names = "--json", description = "One JSON object a line.")
        private boolean json;

        int read(final Journal journal)
        {
            checkTypes(types);
            final JournalPrinter printer =
                new JournalPrinter(out(), json, time(from, Long.MIN_VALUE), time(to, Long.MAX_VALUE), types);
            journal.read(printer, 0, printer::passedEnd, null);
            return 0;
        }
    }

    /**
     * The type names, for {@code show}'s help.
     */
    static final class Types implements Iterable<String>
    {
        public java.util.Iterator<String> iterator()
        {
            return JournalPrinter.TYPES.iterator();
        }
    }

    static void checkTypes(final List<String> types)
    {
        for (final String type : types)
        {
            if (!JournalPrinter.isKnownType(type))
            {
                throw new IllegalArgumentException("no entry type " + type + " (types: " +
                    String.join(", ", JournalPrinter.TYPES) + ")");
            }
        }
    }

    @Command(name = "who", mixinStandardHelpOptions = true,
        description = "Which inside endpoint held a public endpoint at a time: the question abuse reports and " +
            "lawful requests ask. With its mapping's span, its sessions then (when destinations were " +
            "journaled) and the firewall users of its host. Exit status 0 when found, 1 when nobody held it.")
    static final class Who extends Reader
    {
        @Option(names = "--public", required = true, paramLabel = "ADDR:PORT", description = "The public endpoint.")
        private String publicEndpoint;

        @Option(names = "--proto", required = true, paramLabel = "udp|tcp", description = "Its protocol.")
        private String protocol;

        @Option(names = "--at", required = true, paramLabel = "TIME", description = "When.")
        private String at;

        @Option(names = "--json", description = "The answer as one JSON object.")
        private boolean json;

        int read(final Journal journal)
        {
            final int protocolNumber = switch (protocol.toLowerCase())
            {
                case "udp" -> Ipv4Protocols.UDP;
                case "tcp" -> Ipv4Protocols.TCP;
                case "icmp" -> Ipv4Protocols.ICMP;
                default -> throw new IllegalArgumentException("--proto is udp, tcp or icmp, not " + protocol);
            };
            final Ipv4Endpoint endpoint = Ipv4Endpoint.parse(publicEndpoint, 1);
            final long atNs = JournalTime.parse(at, now());
            final WhoHeld who = new WhoHeld(protocolNumber, endpoint.address(), endpoint.port(), atNs);
            journal.read(who, 0, who::done, null);
            final WhoHeld.Answer answer = who.answer();
            final io.natgate.datapath.nat.DeterministicMap deterministic = location.deterministic();
            final long owner = answer != null || deterministic == null ? -1 :
                deterministic.insideAddress(endpoint.address(), endpoint.port());
            if (owner >= 0)
            {
                final int inside = (int)owner;
                final String range = Ipv4.toString(deterministic.publicAddress(inside)) + ":" +
                    deterministic.firstPort(inside) + "-" + deterministic.lastPort(inside);
                out().println(json ? "{\"public\":\"" + endpoint + "\",\"protocol\":\"" + protocol.toLowerCase() +
                    "\",\"at\":\"" + JournalPrinter.time(atNs) + "\",\"inside\":\"" + Ipv4.toString(inside) +
                    "\",\"kind\":\"deterministic\",\"range\":\"" + range + "\"}" :
                    who.publicEndpoint() + " at " + JournalPrinter.time(atNs) + ": " + Ipv4.toString(inside) +
                    " (deterministic NAT: its range is " + range + ", from the config's nat.deterministic)");
                return 0;
            }
            if (json)
            {
                out().println(whoJson(who, atNs, answer));
            }
            else if (answer == null)
            {
                out().printf("%s at %s: nobody held it (the journal covers %s to %s)%n", who.publicEndpoint(),
                    JournalPrinter.time(atNs), covered(who.firstNs()), covered(who.lastNs()));
            }
            else
            {
                out().printf("%s at %s: %s (%s)%n", who.publicEndpoint(), JournalPrinter.time(atNs),
                    answer.inside(), answer.isBlock() ? "port block " + answer.blockFirstPort() + "-" +
                        answer.blockLastPort() : answer.kind().name().toLowerCase() + " mapping");
                out().printf("  held from %s %s%n", JournalPrinter.time(answer.fromNs()),
                    answer.toNs() == Long.MAX_VALUE ? "on (still held as far as the journal goes)" :
                        "to " + JournalPrinter.time(answer.toNs()) + " (" + answer.ended() + ")");
                for (final WhoHeld.SessionSpan session : answer.sessions())
                {
                    out().printf("  session with %s from %s%s%n", session.remote(), JournalPrinter.time(session.fromNs()),
                        session.toNs() == Long.MAX_VALUE ? "" : " to " + JournalPrinter.time(session.toNs()));
                }
                for (final WhoHeld.FirewallSpan firewall : answer.users())
                {
                    out().printf("  firewall session %d (%s) user %s%n", firewall.sessionId(),
                        (firewall.flags() & io.natgate.control.firewall.SessionFlag.PRIVATE.bit()) != 0 ?
                            "private" : "client", firewall.user() == null ? "anonymous" : firewall.user());
                }
            }
            return answer == null ? 1 : 0;
        }

        private static String covered(final long timeNs)
        {
            return timeNs == Long.MAX_VALUE || timeNs == Long.MIN_VALUE ? "nothing" : JournalPrinter.time(timeNs);
        }

        private static String whoJson(final WhoHeld who, final long atNs, final WhoHeld.Answer answer)
        {
            final StringBuilder json = new StringBuilder("{\"public\":\"").append(who.publicEndpoint().split(" ")[1])
                .append("\",\"protocol\":\"").append(who.publicEndpoint().split(" ")[0]).append("\",\"at\":\"")
                .append(JournalPrinter.time(atNs)).append('"');
            if (answer == null)
            {
                return json.append(",\"inside\":null}").toString();
            }
            json.append(",\"inside\":\"").append(answer.inside()).append("\",\"kind\":\"")
                .append(answer.isBlock() ? "port-block" : answer.kind().name().toLowerCase())
                .append(answer.isBlock() ? "\",\"range\":\"" + answer.blockFirstPort() + "-" + answer.blockLastPort() : "")
                .append("\",\"from\":\"")
                .append(JournalPrinter.time(answer.fromNs())).append("\",\"to\":")
                .append(answer.toNs() == Long.MAX_VALUE ? "null" : "\"" + JournalPrinter.time(answer.toNs()) + "\"")
                .append(",\"ended\":").append(answer.ended() == null ? "null" : "\"" + answer.ended() + "\"")
                .append(",\"sessions\":[");
            String separator = "";
            for (final WhoHeld.SessionSpan session : answer.sessions())
            {
                json.append(separator).append("{\"remote\":\"").append(session.remote()).append("\",\"from\":\"")
                    .append(JournalPrinter.time(session.fromNs())).append("\"}");
                separator = ",";
            }
            json.append("],\"users\":[");
            separator = "";
            for (final WhoHeld.FirewallSpan firewall : answer.users())
            {
                json.append(separator).append(firewall.user() == null ? "null" : "\"" + firewall.user() + "\"");
                separator = ",";
            }
            return json.append("]}").toString();
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuilds the mapping and session tables as they were at a time (default: the end of the " +
            "journal) and prints them, or with --compare checks them against a running gateway's " +
            "(/mappings, /sessions): exit status 0 when they agree, 1 when not.")
    static final class Replay extends Reader
    {
        /** Journals at least this long show a progress bar on stderr. */
        static final long PROGRESS_ENTRIES = 1_000_000;

        @Option(names = "--to", paramLabel = "TIME", description = "The time (default: the end).")
        private String to;

        @Option(names = "--compare", description = "Compare with the running gateway at --admin.")
        private boolean compare;

        @Option(names = "--progress", negatable = true,
            description = "Show a progress bar (default: on for journals of 1,000,000 entries or more).")
        private Boolean progress;

        @Mixin
        private AdminEndpoint admin;

        int read(final Journal journal)
        {
            final long toNs = time(to, Long.MAX_VALUE);
            final JournalState state = new JournalState(toNs);
            final long total = journal.entryCount();
            final boolean showProgress = progress != null ? progress : total >= PROGRESS_ENTRIES;
            final ProgressBar bar = showProgress ? new ProgressBar(spec.commandLine().getErr(), total) : null;
            final long started = System.nanoTime();
            final long read = journal.read(state, 0, state::passedUntil, bar == null ? null : bar::update);
            if (bar != null)
            {
                bar.done(read, System.nanoTime() - started);
            }
            if (compare)
            {
                return compare(state);
            }
            final PrintWriter out = out();
            out.printf("state at %s: %d entries replayed%s%n",
                toNs == Long.MAX_VALUE ? "the end of the journal" : JournalPrinter.time(toNs), read,
                state.startNs() == 0 ? "" : ", the gateway last started " + JournalPrinter.time(state.startNs()));
            final List<JournalState.Mapping> mappings = state.mappings();
            out.printf("mappings (%d):%n", mappings.size());
            for (final JournalState.Mapping mapping : mappings)
            {
                out.printf("  %s since %s, last active %s%n", mapping.line(), JournalPrinter.time(mapping.sinceNs()),
                    JournalPrinter.time(mapping.lastActiveNs()));
            }
            final List<JournalState.Session> sessions = state.sessions();
            out.printf("sessions (%d)%s:%n", sessions.size(), state.destinations() ? "" : ", destinations not journaled");
            for (final JournalState.Session session : sessions)
            {
                out.printf("  %s %s since %s, last active %s%n", session.line(),
                    JournalPrinter.state(session.protocol, session.state()), JournalPrinter.time(session.sinceNs()),
                    JournalPrinter.time(session.lastActiveNs()));
            }
            out.printf("mapping digest %s%nsession digest %s%n", state.mappingDigest(), state.sessionDigest());
            return 0;
        }

        private int compare(final JournalState state)
        {
            final Set<String> journalMappings = new TreeSet<>();
            state.mappings().forEach(mapping -> journalMappings.add(mapping.line()));
            final Set<String> journalSessions = new TreeSet<>();
            state.sessions().forEach(session -> journalSessions.add(session.line()));
            final Set<String> gatewayMappings = new TreeSet<>();
            final Set<String> gatewaySessions = new TreeSet<>();
            final Map<String, String> all = Map.of("limit", String.valueOf(Integer.MAX_VALUE));
            int status = admin.send("GET", "/mappings", all, body -> rows(body).forEach(row -> gatewayMappings.add(
                row.get("protocol") + " " + row.get("inside") + " " + row.get("public") + " " + row.get("kind"))));
            if (status == 0 && state.destinations())
            {
                status = admin.send("GET", "/sessions", all, body -> rows(body).forEach(row -> gatewaySessions.add(
                    row.get("protocol") + " " + row.get("inside") + " " + row.get("public") + " " + row.get("remote"))));
            }
            if (status != 0)
            {
                return status;
            }
            final PrintWriter out = out();
            final boolean same = report(out, "mappings", journalMappings, gatewayMappings) &
                (!state.destinations() || report(out, "sessions", journalSessions, gatewaySessions));
            if (same)
            {
                out.printf("journal and gateway agree: %d mappings%s%n", journalMappings.size(),
                    state.destinations() ? ", " + journalSessions.size() + " sessions" :
                        " (sessions not compared: destinations not journaled)");
            }
            return same ? 0 : 1;
        }

        @SuppressWarnings("unchecked")
        private static List<Map<String, Object>> rows(final Object body)
        {
            return (List<Map<String, Object>>)body;
        }

        private static boolean report(
            final PrintWriter out, final String what, final Set<String> journal, final Set<String> gateway)
        {
            final Set<String> onlyJournal = new TreeSet<>(journal);
            onlyJournal.removeAll(gateway);
            final Set<String> onlyGateway = new TreeSet<>(gateway);
            onlyGateway.removeAll(journal);
            onlyJournal.forEach(line -> out.printf("%s only in the journal: %s%n", what, line));
            onlyGateway.forEach(line -> out.printf("%s only in the gateway: %s%n", what, line));
            return onlyJournal.isEmpty() && onlyGateway.isEmpty();
        }
    }

    /**
     * {@code [#########...........]  45%  450,000/1,000,000 entries} on one line of stderr, redrawn in place.
     */
    static final class ProgressBar
    {
        private static final int WIDTH = 40;
        private final PrintWriter err;
        private final long total;

        ProgressBar(final PrintWriter err, final long total)
        {
            this.err = err;
            this.total = Math.max(1, total);
        }

        void update(final long read)
        {
            final int percent = (int)Math.min(100, read * 100 / total);
            final int filled = percent * WIDTH / 100;
            err.printf("\rreplaying [%s%s] %3d%% %,d/%,d entries", "#".repeat(filled), ".".repeat(WIDTH - filled),
                percent, read, total);
            err.flush();
        }

        void done(final long read, final long elapsedNs)
        {
            update(total);
            err.printf("%nreplayed %,d entries in %.1f s (%,.0f entries/s)%n", read, elapsedNs / 1e9,
                read * 1e9 / Math.max(1, elapsedNs));
            err.flush();
        }
    }
}
