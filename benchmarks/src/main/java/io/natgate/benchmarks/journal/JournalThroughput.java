package io.natgate.benchmarks.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.control.journal.Journal;
import io.natgate.control.journal.JournalEvents;
import io.natgate.control.journal.JournalState;
import io.natgate.control.journal.JournalWriter;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The journal's figures: events per second the writer sustains on the event thread (the NAT events of
 * sessions being made, refreshed and expired, with destinations journaled), bytes an entry takes in the
 * queue files, and replay speed (entries per second decoded into {@link JournalState}, and decoded alone).
 * A warm-up run first, then the measured one, each into a fresh directory.
 * <pre>
 *   java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.journal.JournalThroughput [EVENTS] [DIR]
 * </pre>
 */
public final class JournalThroughput
{
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int INSIDE = Ipv4.parse("10.0.0.0");
    private static final int REMOTE = Ipv4.parse("198.51.100.0");

    private JournalThroughput()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long events = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        final Path base = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("natgate-journal-bench");
        run(base.resolve("warm-up"), Math.min(events, 2_000_000L), false);
        run(base.resolve("measured"), events, true);
        delete(base);
    }

    private static void run(final Path directory, final long events, final boolean report)
    {
        final DatapathCounters counters = new DatapathCounters(2);
        final NatConfig natConfig = new NatConfig().publicAddresses(PUBLIC);
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        final JournalWriter writer = JournalWriter.open(
            new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, true), SystemNanoClock.INSTANCE,
            new SystemEpochNanoClock(), quiet);
        writer.restore(new NatEngine(natConfig, NatEventListener.NONE, counters), natConfig, List.of(), counters);
        final NatEventListener nat = writer.natEvents();

        // per flow of 5 events: mapping made, session made, refreshed, expired, mapping expired
        final long flows = events / 5;
        final long startNs = System.nanoTime();
        for (long flow = 0; flow < flows; flow++)
        {
            final long t = startNs + flow;
            final int inside = INSIDE + (int)(flow >>> 14);
            final int port = 1024 + (int)(flow & 0x3FFF);
            final int remote = REMOTE + (int)(flow & 0xFF);
            nat.onMappingCreated(t, 17, inside, port, PUBLIC, port, MappingKind.DYNAMIC.id());
            nat.onSessionCreated(t, 17, inside, port, PUBLIC, port, remote, 53, 0);
            nat.onSessionRefreshed(t, 17, inside, port, PUBLIC, port, remote, 53, 0);
            nat.onSessionExpired(t, 17, inside, port, PUBLIC, port, remote, 53, 0);
            nat.onMappingExpired(t, 17, inside, port, PUBLIC, port);
        }
        final long writeNs = System.nanoTime() - startNs;
        final long written = writer.writtenEvents();
        writer.close();

        try (Journal journal = Journal.openForReading(directory))
        {
            final long decodeStartNs = System.nanoTime();
            final long decoded = journal.read(new JournalEvents()
            {
            }, 0, Journal.Until.END, null);
            final long decodeNs = System.nanoTime() - decodeStartNs;

            final JournalState state = new JournalState();
            final long replayStartNs = System.nanoTime();
            final long replayed = journal.read(state, 0, Journal.Until.END, null);
            final long replayNs = System.nanoTime() - replayStartNs;

            final long bytes = journal.entryBytes();
            if (report)
            {
                System.out.printf("journal write:  %,d events in %.3f s = %,.0f events/s (%.1f ns/event), %d lost%n",
                    written, writeNs / 1e9, written * 1e9 / writeNs, (double)writeNs / written, writer.lostEvents());
                System.out.printf("journal size:   %,d bytes of entries = %.1f bytes/event (4-byte header included)%n",
                    bytes, (double)bytes / decoded);
                System.out.printf("replay decode:  %,d entries in %.3f s = %,.0f entries/s%n", decoded, decodeNs / 1e9,
                    decoded * 1e9 / decodeNs);
                System.out.printf("replay state:   %,d entries in %.3f s = %,.0f entries/s (%d mappings, %d sessions " +
                    "left)%n", replayed, replayNs / 1e9, replayed * 1e9 / replayNs, state.mappings().size(),
                    state.sessions().size());
            }
        }
    }

    private static void delete(final Path base) throws IOException
    {
        try (Stream<Path> paths = Files.walk(base))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
