package io.natgate.control.cli;

import io.natgate.control.gateway.CountersFile;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.config.Ipv4Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code natgate stat}: live counters of a running gateway, read from its counters file.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = "Shows a running gateway's counters (rx/tx and drops by reason per port, sessions, ports in " +
        "use), refreshing like aeron-stat or top, with rates over the last interval. With several workers the " +
        "figures are the sums over all of them, and a line per worker (and one, rx, for the steering) shows the " +
        "packets it translated, their rate, its sessions, mappings and drops. Reads the counters file " +
        "natgate run publishes; needs no admin endpoint. On a terminal each refresh replaces the screen; into a " +
        "pipe or file each is printed after the last, plain text with no escape codes.")
final class StatCommand implements Callable<Integer>
{
    @Option(names = "--counters", paramLabel = "FILE",
        description = "The gateway's counters file (default: the one natgate run derives from --admin).")
    private Path counters;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
        description = "The admin address of the gateway whose default counters file to read (default: " +
            ConfigLoader.ADMIN_ADDRESS_DEFAULT + ").")
    private String admin = ConfigLoader.ADMIN_ADDRESS_DEFAULT;

    @Option(names = "--interval", paramLabel = "SECONDS", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    private double intervalSeconds = 1.0;

    @Option(names = "--once", description = "Print once and exit.")
    private boolean once;

    public Integer call() throws InterruptedException
    {
        final CountersFile file;
        try
        {
            file = CountersFile.open(counters != null ? counters :
                CountersFile.defaultPath(Ipv4Endpoint.parse(admin, 1).toSocketAddress()));
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            System.err.println("natgate stat: " + ex.getMessage());
            return 1;
        }
        // screen-clearing only for a person at a terminal; a pipe or file gets plain text
        final boolean terminal = System.console() != null && System.console().isTerminal();
        try (file)
        {
            Sample previous = Sample.of(file);
            final long intervalMs = Math.max(100, (long)(intervalSeconds * 1000));
            do
            {
                final Sample current = Sample.of(file);
                final boolean alive = ProcessHandle.of(file.pid()).map(ProcessHandle::isAlive).orElse(false);
                if (!once && terminal)
                {
                    System.out.print("\033[H\033[2J");
                }
                print(System.out, file, previous, current, once ? 0 : intervalMs, alive);
                System.out.flush();
                previous = current;
                if (once || !alive)
                {
                    return alive ? 0 : 1;
                }
                Thread.sleep(intervalMs);
            }
            while (true);
        }
    }

    /**
     * What one refresh reads: every set summed, and per set (each worker, then the steering's) the packets it
     * translated, for the per-worker rates.
     */
    record Sample(DatapathCounters total, long[] translated)
    {
        static Sample of(final CountersFile file)
        {
            final long[] translated = new long[file.setCount()];
            for (int set = 0; set < translated.length; set++)
            {
                translated[set] = translatedBy(file.set(set));
            }
            return new Sample(file.total(), translated);
        }
    }

    private static long translatedBy(final DatapathCounters counters)
    {
        long sum = 0;
        for (int port = 0; port < counters.portCount(); port++)
        {
            sum += counters.get(port, PortCounter.TRANSLATED_OUT) + counters.get(port, PortCounter.TRANSLATED_IN);
        }
        return sum;
    }

    private static long dropsBy(final DatapathCounters counters)
    {
        long sum = 0;
        for (int port = 0; port < counters.portCount(); port++)
        {
            sum += counters.totalDrops(port);
        }
        return sum;
    }

    static void print(
        final PrintStream out, final CountersFile file, final Sample previous, final Sample current,
        final long intervalMs, final boolean alive)
    {
        final List<String> ports = file.portNames();
        final DatapathCounters total = current.total();
        out.printf("natgate stat - pid %d %s, up %s - %s%n", file.pid(), alive ? "running" : "NOT RUNNING",
            Duration.ofMillis(System.currentTimeMillis() - file.startTimeMs()).toString().substring(2).toLowerCase(),
            file.path());
        out.printf("%-10s %14s %14s %12s %12s %12s%n", "port", "rx frames", "tx frames", "rx/s", "tx/s", "drops");
        for (int port = 0; port < ports.size(); port++)
        {
            final long rx = total.get(port, PortCounter.RX_FRAMES);
            final long tx = total.get(port, PortCounter.TX_FRAMES);
            out.printf("%-10s %14d %14d %12s %12s %12d%n", ports.get(port), rx, tx,
                rate(rx - previous.total().get(port, PortCounter.RX_FRAMES), intervalMs),
                rate(tx - previous.total().get(port, PortCounter.TX_FRAMES), intervalMs), total.totalDrops(port));
        }
        out.printf("sessions %d  mappings %d  ports in use %d  created %d  expired %d  events lost %d%n",
            total.get(GlobalCounter.SESSIONS_ACTIVE), total.get(GlobalCounter.MAPPINGS_ACTIVE),
            total.get(GlobalCounter.PORTS_IN_USE), total.get(GlobalCounter.SESSIONS_CREATED),
            total.get(GlobalCounter.SESSIONS_EXPIRED), total.get(GlobalCounter.EVENTS_DROPPED));
        if (file.workers() > 1)
        {
            out.printf("%-10s %14s %12s %12s %12s %12s%n", "worker", "translated", "translated/s", "sessions",
                "mappings", "drops");
            for (int set = 0; set < current.translated().length; set++)
            {
                final DatapathCounters counters = file.set(set);
                out.printf("%-10s %14d %12s %12d %12d %12d%n", file.setName(set),
                    current.translated()[set], rate(current.translated()[set] - previous.translated()[set], intervalMs),
                    counters.get(GlobalCounter.SESSIONS_ACTIVE), counters.get(GlobalCounter.MAPPINGS_ACTIVE),
                    dropsBy(counters));
            }
        }
        out.println("drops by reason:");
        boolean any = false;
        for (int port = 0; port < ports.size(); port++)
        {
            for (final DropReason reason : DropReason.values())
            {
                final long value = total.get(port, reason);
                if (value != 0)
                {
                    any = true;
                    out.printf("  %-10s %-24s %12d  %s%n", ports.get(port), reason.name().toLowerCase(Locale.ROOT), value,
                        reason.label());
                }
            }
        }
        if (!any)
        {
            out.println("  none");
        }
    }

    private static String rate(final long delta, final long intervalMs)
    {
        return intervalMs == 0 ? "-" : Long.toString(delta * 1000 / intervalMs);
    }
}
