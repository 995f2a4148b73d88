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
        "use), refreshing like aeron-stat or top, with rates over the last interval. Reads the counters file " +
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
            final DatapathCounters live = file.counters();
            long[] previous = snapshot(live);
            final long intervalMs = Math.max(100, (long)(intervalSeconds * 1000));
            do
            {
                final long[] current = snapshot(live);
                final boolean alive = ProcessHandle.of(file.pid()).map(ProcessHandle::isAlive).orElse(false);
                if (!once && terminal)
                {
                    System.out.print("\033[H\033[2J");
                }
                print(System.out, file, live, previous, current, once ? 0 : intervalMs, alive);
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

    private static long[] snapshot(final DatapathCounters counters)
    {
        final int perPort = PortCounter.values().length;
        final long[] values = new long[counters.portCount() * perPort];
        for (int port = 0; port < counters.portCount(); port++)
        {
            for (final PortCounter counter : PortCounter.values())
            {
                values[port * perPort + counter.id()] = counters.get(port, counter);
            }
        }
        return values;
    }

    static void print(
        final PrintStream out, final CountersFile file, final DatapathCounters counters, final long[] previous,
        final long[] current, final long intervalMs, final boolean alive)
    {
        final List<String> ports = file.portNames();
        final int perPort = PortCounter.values().length;
        out.printf("natgate stat - pid %d %s, up %s - %s%n", file.pid(), alive ? "running" : "NOT RUNNING",
            Duration.ofMillis(System.currentTimeMillis() - file.startTimeMs()).toString().substring(2).toLowerCase(),
            file.path());
        out.printf("%-10s %14s %14s %12s %12s %12s%n", "port", "rx frames", "tx frames", "rx/s", "tx/s", "drops");
        for (int port = 0; port < ports.size(); port++)
        {
            final int rx = port * perPort + PortCounter.RX_FRAMES.id();
            final int tx = port * perPort + PortCounter.TX_FRAMES.id();
            out.printf("%-10s %14d %14d %12s %12s %12d%n", ports.get(port), current[rx], current[tx],
                rate(current[rx] - previous[rx], intervalMs), rate(current[tx] - previous[tx], intervalMs),
                counters.totalDrops(port));
        }
        out.printf("sessions %d  mappings %d  ports in use %d  created %d  expired %d  events lost %d%n",
            counters.get(GlobalCounter.SESSIONS_ACTIVE), counters.get(GlobalCounter.MAPPINGS_ACTIVE),
            counters.get(GlobalCounter.PORTS_IN_USE), counters.get(GlobalCounter.SESSIONS_CREATED),
            counters.get(GlobalCounter.SESSIONS_EXPIRED), counters.get(GlobalCounter.EVENTS_DROPPED));
        out.println("drops by reason:");
        boolean any = false;
        for (int port = 0; port < ports.size(); port++)
        {
            for (final DropReason reason : DropReason.values())
            {
                final long value = counters.get(port, reason);
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
