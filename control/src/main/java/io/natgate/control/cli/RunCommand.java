package io.natgate.control.cli;

import io.natgate.control.admin.AdminServer;
import io.natgate.control.config.ConfigException;
import io.natgate.control.gateway.CountersFile;
import io.natgate.control.gateway.Gateway;
import io.natgate.control.config.Units;
import io.natgate.control.gateway.LogTimestamps;
import io.natgate.control.gateway.NeighbourChangeLog;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.control.profile.MemoryEstimate;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.journal.GatewayLock;
import io.natgate.control.journal.JournalException;
import io.natgate.control.journal.JournalWriter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochNanoClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code natgate run}: the gateway in the foreground until SIGINT or SIGTERM.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Starts the gateway: opens the configured ports, forwards and translates until SIGINT or " +
        "SIGTERM, then stops cleanly; SIGHUP reloads its config. Logs its ports, addresses, profile and admin " +
        "address, every line stamped with its time. A bad configuration is reported in one line " +
        "(file:line: key=value: reason) with exit status 2 and nothing started. One gateway per journal " +
        "directory: a second one on the same journal exits 1 before writing anything. The launcher bounds the " +
        "heap from the profile (--jvm-heap).")
final class RunCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's YAML config.")
    private Path config;

    @Option(names = "--profile", paramLabel = "NAME",
        description = "Hardware profile by name or file; default: the config's, else detected.")
    private String profile;

    @Option(names = "--counters", paramLabel = "FILE",
        description = "Where to publish live counters for natgate stat (default: natgate-HOST-PORT.counters in " +
            "/dev/shm, after the admin address, so each gateway on a host has its own; a file a running gateway " +
            "owns is refused, not replaced).")
    private Path counters;

    /**
     * Reloads the config file this gateway runs and logs what changed.
     */
    private io.natgate.control.gateway.ReloadResult reload(final Gateway gateway)
    {
        final io.natgate.control.gateway.ReloadResult result = gateway.reload(config, profile);
        result.lines().forEach(line -> System.out.println("natgate: " + line));
        System.out.flush();
        return result;
    }

    @Option(names = "--jvm-heap",
        description = "Print the JVM option bounding the heap for this config and profile (-Xmx...) and exit: " +
            "the launcher starts the gateway with it (README.md, Running a gateway).")
    private boolean jvmHeap;

    public Integer call()
    {
        final EffectiveSettings settings;
        try
        {
            settings = EffectiveSettings.load(config, profile);
        }
        catch (final ConfigException ex)
        {
            System.err.println(ex.getMessage());
            return ConfigException.EXIT_STATUS;
        }
        final MemoryEstimate memory = settings.memory();
        if (jvmHeap)
        {
            System.out.println(memory.jvmHeapOption());
            return 0;
        }

        // one gateway per journal directory, checked before anything is opened or written
        final JournalConfig journalConfig = settings.gateway().orElseThrow().journal();
        GatewayLock lock = null;
        try
        {
            lock = GatewayLock.acquire(journalConfig.directory());
        }
        catch (final GatewayLock.HeldException ex)
        {
            System.err.println("natgate: cannot start: " + ex.getMessage());
            return 1;
        }
        catch (final JournalException ex)
        {
            // the journal cannot be written either: the writer says so and forwarding goes on without it
            System.out.println("natgate: journal: " + ex.getMessage() + "; not checked for another gateway");
        }
        final GatewayLock heldLock = lock;

        // the config loaded (a refusal is one plain line on standard error): every line logged from here on
        // starts with its time
        System.setOut(LogTimestamps.wrap(new java.io.FileOutputStream(java.io.FileDescriptor.out)));
        System.setErr(LogTimestamps.wrap(new java.io.FileOutputStream(java.io.FileDescriptor.err)));
        final Path countersPath = counters != null ? counters :
            CountersFile.defaultPath(settings.gateway().orElseThrow().adminAddress());
        final JournalWriter journal = JournalWriter.open(journalConfig,
            settings.pipelineConfig().nanoClock(), new SystemEpochNanoClock(), System.out);
        final Gateway gateway;
        try
        {
            gateway = Gateway.start(settings, countersPath, journal, System.out);
        }
        catch (final RuntimeException ex)
        {
            journal.close();
            CloseHelper.quietClose(heldLock);
            System.err.println("natgate: cannot start: " + ex.getMessage());
            return 1;
        }

        final AdminServer admin;
        try
        {
            admin = AdminServer.start(gateway.config().adminAddress(), gateway, () -> reload(gateway));
        }
        catch (final RuntimeException ex)
        {
            gateway.close();
            journal.close();
            CloseHelper.quietClose(heldLock);
            System.err.println("natgate: " + ex.getMessage());
            return 1;
        }

        final CountDownLatch stopRequested = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();
        final Runnable stop = () ->
        {
            if (closed.compareAndSet(false, true))
            {
                System.out.println("natgate: stopping");
                admin.close();
                gateway.close();
                journal.close();
                CloseHelper.quietClose(heldLock);
                System.out.println("natgate: stopped");
                System.out.flush();
            }
        };
        // SIGINT and SIGTERM are a request to stop, answered with a clean stop and exit status 0;
        // the hook covers any other way the JVM ends
        for (final String name : new String[] {"INT", "TERM"})
        {
            try
            {
                Signal.handle(new Signal(name), signal -> stopRequested.countDown());
            }
            catch (final IllegalArgumentException ex)
            {
                // signal ignored at start (e.g. a background job) or unknown here: the hook still stops cleanly
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "natgate-shutdown"));
        // SIGHUP reloads the config, as daemons do; off the signal thread, one reload at a time (the gateway's lock)
        try
        {
            Signal.handle(new Signal("HUP"), signal -> Thread.ofPlatform().name("natgate-reload").start(() ->
            {
                try
                {
                    reload(gateway);
                }
                catch (final ConfigException | IllegalArgumentException ex)
                {
                    System.out.println("natgate: reload: config refused, nothing changed: " + ex.getMessage());
                }
                catch (final RuntimeException ex)
                {
                    System.out.println("natgate: reload failed: " + ex.getMessage());
                }
                System.out.flush();
            }));
        }
        catch (final IllegalArgumentException ex)
        {
            // SIGHUP ignored at start (nohup): no reload by signal, POST /reload still reloads
        }

        final long maxHeapBytes = Runtime.getRuntime().maxMemory();
        System.out.printf("natgate: heap %s max (%s the profile's tables and control plane need%s)%n",
            Units.humanSize(maxHeapBytes), Units.humanSize(memory.heapBytes()),
            maxHeapBytes > memory.heapBytes() + (memory.heapBytes() >> 3) ? "; started without the launcher's " +
                memory.jvmHeapOption() + ", the heap is not bounded by the profile" : "");
        final InetSocketAddress address = admin.address();
        System.out.printf("natgate: counters %s%n", countersPath);
        System.out.printf("natgate: forwarding (admin http://%s:%d)%n", address.getHostString(), address.getPort());
        System.out.flush();
        final NeighbourChangeLog neighbourChanges = new NeighbourChangeLog(gateway.counters(), gateway.portNames(),
            System.out);
        try
        {
            while (!stopRequested.await(1, TimeUnit.SECONDS))
            {
                neighbourChanges.check();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        stop.run();
        return 0;
    }
}
