package io.natgate.benchmarks.cgnat;

import io.natgate.control.config.ExportConfig;
import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.export.ExportTransport;
import io.natgate.control.export.NatExport;
import io.natgate.control.journal.Journal;
import io.natgate.control.journal.JournalEvents;
import io.natgate.control.journal.JournalWriter;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Log volume per 1,000,000 sessions in each allocation mode: the same workload (2,000 subscribers, each opening
 * a new UDP flow every 2 s, 1,000 new flows a second in all, UDP timeout 2 min, every flow its own mapping)
 * through the real NAT engine on a simulated clock, its events written by the real journal writer (entries and
 * bytes from the queue files) and encoded by the real IPFIX and syslog exporters (datagrams counted and measured,
 * headers and template refreshes included, IPFIX flushed every 100 ms of the simulated clock as the gateway does). Modes: per-mapping, port blocks of 64 and 512, deterministic.
 * <pre>
 *   java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.cgnat.CgnatLogVolume [SESSIONS]
 * </pre>
 */
public final class CgnatLogVolume
{
    private static final int CLIENTS = 2_000;
    private static final long SPACING_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int FIRST_INSIDE = Ipv4.parse("10.0.0.1");
    private static final int FIRST_PUBLIC = Ipv4.parse("198.18.0.0");
    private static final int PUBLIC_COUNT = 32;
    private static final int REMOTE = Ipv4.parse("203.0.113.7");
    private static final long EPOCH_NS = TimeUnit.DAYS.toNanos(20_454); // 2026-01-01

    private CgnatLogVolume()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int[] publics = new int[PUBLIC_COUNT];
        for (int i = 0; i < publics.length; i++)
        {
            publics[i] = FIRST_PUBLIC + i;
        }
        System.out.printf("%,d sessions, %,d subscribers, a new UDP flow every %d ms, each its own mapping%n",
            sessions, CLIENTS, TimeUnit.NANOSECONDS.toMillis(SPACING_NS * CLIENTS));
        System.out.printf("%-16s %12s %14s %12s %14s %12s %14s%n", "mode", "journal rec", "journal bytes",
            "IPFIX rec", "IPFIX bytes", "syslog rec", "syslog bytes");
        run("per-mapping", base(publics), sessions);
        run("PBA 64", base(publics).portBlockSize(64).portBlocksPerClient(16), sessions);
        run("PBA 512", base(publics).portBlockSize(512).portBlocksPerClient(4), sessions);
        run("deterministic", base(publics).deterministic(
            new DeterministicMap(Ipv4.parse("10.0.0.0"), 21, publics, 1024, 0)), sessions);
    }

    private static NatConfig base(final int[] publics)
    {
        return new NatConfig().publicAddresses(publics).maxSessions(1 << 18).maxClients(4096)
            .udpTimeoutNs(NatConfig.UDP_TIMEOUT_MIN_NS);
    }

    private static void run(final String mode, final NatConfig config, final int sessions) throws IOException
    {
        final Path directory = Files.createTempDirectory("natgate-cgnat-volume");
        final long[] now = {0};
        final EpochNanoClock epoch = () -> EPOCH_NS + now[0];
        final JournalWriter writer = JournalWriter.open(
            new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, false), () -> now[0], epoch,
            new PrintStream(OutputStream.nullOutputStream()));
        final DatapathCounters counters = new DatapathCounters(2);
        writer.restore(new NatEngine(config, NatEventListener.NONE, counters), config, List.of(), counters);
        drive(config, writer.natEvents(), null, now, sessions);
        final long journaled = writer.writtenEvents() - 1; // less the gateway-started entry
        writer.close();
        final long journalBytes;
        try (Journal journal = Journal.openForReading(directory))
        {
            journal.read(new JournalEvents()
            {
            }, 0, Journal.Until.END, null);
            journalBytes = journal.entryBytes();
        }
        delete(directory);

        final Counting ipfixOut = new Counting();
        final Counting syslogOut = new Counting();
        final List<Ipv4Endpoint> collector = List.of(new Ipv4Endpoint(Ipv4.parse("192.0.2.9"), 4739));
        final NatExport ipfix = NatExport.of(new ExportConfig(0, 4739, collector, ExportConfig.TEMPLATE_REFRESH_DEFAULT_NS,
            1, List.of(), "natgate", false, 1, "default"), ipfixOut, config.logsPerMapping(), () -> now[0], epoch);
        final NatExport syslog = NatExport.of(new ExportConfig(0, 4739, List.of(), ExportConfig.TEMPLATE_REFRESH_DEFAULT_NS,
            1, collector, "natgate", false, 1, "default"), syslogOut, config.logsPerMapping(), () -> now[0], epoch);
        now[0] = 0;
        drive(config, ipfix, syslog, now, sessions);
        System.out.printf("%-16s %,12d %,14d %,12d %,14d %,12d %,14d%n", mode, journaled, journalBytes,
            ipfix.recordsSent(), ipfixOut.bytes, syslog.recordsSent(), syslogOut.bytes);
    }

    /**
     * Runs the workload through an engine whose events go to {@code first} (and {@code second}, a second engine
     * fed the same packets, when not null), flushing exporters as the event thread would every millisecond.
     */
    private static void drive(
        final NatConfig config, final NatEventListener first, final NatExport second, final long[] now,
        final int sessions)
    {
        final NatEngine engine = new NatEngine(config, first, new DatapathCounters(2));
        final NatEngine other = second == null ? null : new NatEngine(config, second, new DatapathCounters(2));
        final byte[] payload = new byte[16];
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < sessions; i++)
        {
            now[0] = i * SPACING_NS;
            final int client = i % CLIENTS;
            final int insidePort = 1024 + (i / CLIENTS) % 64_000;
            final byte[] packet = PacketBuilder.udp(FIRST_INSIDE + client, insidePort, REMOTE, 53, payload);
            for (final NatEngine target : other == null ? new NatEngine[] {engine} : new NatEngine[] {engine, other})
            {
                buffer.putBytes(0, packet);
                target.outbound(buffer, 0, packet.length, 0, now[0]);
                if ((i & 1023) == 0)
                {
                    target.expire(now[0], Integer.MAX_VALUE);
                }
            }
            flush(first, second);
        }
        now[0] += TimeUnit.HOURS.toNanos(1);
        engine.expire(now[0], Integer.MAX_VALUE);
        if (other != null)
        {
            other.expire(now[0], Integer.MAX_VALUE);
        }
        if (first instanceof NatExport export)
        {
            export.flush();
        }
        if (second != null)
        {
            second.flush();
        }
    }

    private static void flush(final NatEventListener first, final NatExport second)
    {
        if (first instanceof NatExport export)
        {
            export.doWork();
        }
        if (second != null)
        {
            second.doWork();
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

    /**
     * Counts the datagrams' bytes instead of sending them.
     */
    private static final class Counting implements ExportTransport
    {
        long bytes;

        public boolean send(
            final int destinationAddress, final int destinationPort, final DirectBuffer buffer, final int offset,
            final int length)
        {
            bytes += length;
            return true;
        }

        public void close()
        {
        }
    }
}
