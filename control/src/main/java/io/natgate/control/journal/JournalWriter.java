package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.control.config.StaticMapping;
import io.natgate.control.config.Units;
import io.natgate.control.cp.ProviderEventListener;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatRestore;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.RecordKeeping;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The live end of the journal: writes the NAT engine's events (drained from the worker's event ring on
 * the gateway's event thread), and the Connectivity Platform's and firewall's (queued from whatever
 * thread reports them, drained by {@link #doWork} on that same event thread) through a Chronicle method
 * writer of {@link JournalEvents}. One thread writes: the event thread, after {@link #restore} on the
 * thread that starts the gateway.
 * <p>
 * The datapath never waits on it: the worker drops (and counts) events when the ring is full, and
 * this writer journals that count. When the journal cannot be written (unwritable directory, disk
 * full, a write failing), it says so once on the log, counts every event it could not write, and tries
 * again every {@value #RETRY_INTERVAL_S} s; writing again, it journals how many were lost. It stops
 * writing while less than {@link #FREE_SPACE_MARGIN_BYTES} are free, rather than fill the disk.
 * <p>
 * No mapping goes unrecorded: while the journal cannot be written, or its file system has less than
 * {@link #ADMISSION_MARGIN_BYTES} free, the engine it was given at {@link #restore} refuses new mappings, and new
 * sessions when sessions are journaled ({@link RecordKeeping}; counted as {@code journal_unwritable} drops and
 * shown by the {@code journal_refusing} gauge), said once on the log each way. Between the two margins the
 * journal goes on writing the ends of what exists and whatever the ring holds.
 * <p>
 * Sessions (remote endpoints) are journaled only when {@link JournalConfig#destinations()} is set;
 * mappings always, with a refresh at most every {@link #MAPPING_REFRESH_INTERVAL_NS} derived from
 * their sessions' activity. The listeners of each side ({@link NatEventJournal}, {@link ProviderEventJournal},
 * {@link FirewallEventJournal}) decide what gets a record; every record goes through {@link #write}.
 */
public final class JournalWriter implements AutoCloseable
{
    /** A mapping's refresh is journaled at most this often. */
    public static final long MAPPING_REFRESH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(60);
    /** Writing stops while the journal's file system has less than this free. */
    public static final long FREE_SPACE_MARGIN_BYTES = 3 * Journal.BLOCK_SIZE_BYTES;
    /** New mappings are refused while the journal's file system has less than this free. */
    public static final long ADMISSION_MARGIN_BYTES = 2 * FREE_SPACE_MARGIN_BYTES;
    static final int RETRY_INTERVAL_S = 5;
    private static final int CONTROL_QUEUE_CAPACITY = 4096;
    private static final int EVENTS_PER_SPACE_CHECK = 4096;
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long RETENTION_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);

    private final JournalConfig config;
    private final NanoClock nanoClock;
    private final EpochNanoClock epochClock;
    private final PrintStream log;
    private final ManyToOneConcurrentArrayQueue<Consumer<JournalEvents>> controlEvents =
        new ManyToOneConcurrentArrayQueue<>(CONTROL_QUEUE_CAPACITY);
    private final Consumer<Consumer<JournalEvents>> writeControlEvent = this::write;
    private final NatEventJournal natEvents;
    private final AtomicLong lostEvents = new AtomicLong();
    private final AtomicLong writtenEvents = new AtomicLong();
    private final RecordKeeping keeping = new RecordKeeping();
    private boolean refusing;

    private Journal journal;
    private ExcerptAppender appender;
    private JournalEvents out;
    private FileStore store;
    private String failure;
    private long lostSinceFailure;
    private long clockOffsetNs;
    private long nextHousekeepingNs;
    private long nextRetentionNs;
    private long nextRetryNs;
    private int eventsUntilSpaceCheck;
    private DatapathCounters counters;
    private DatapathCounters[] workerCounters;
    private long ringDropsJournaled;

    private JournalWriter(
        final JournalConfig config, final NanoClock nanoClock, final EpochNanoClock epochClock, final PrintStream log)
    {
        this.config = config;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.log = log;
        natEvents = new NatEventJournal(this, config.destinations());
        clockOffsetNs = epochClock.nanoTime() - nanoClock.nanoTime();
    }

    /**
     * Opens the configured journal for appending. Never throws for the journal's sake: when it cannot be
     * opened the writer says why on {@code log}, counts events as lost and keeps trying.
     *
     * @param nanoClock  the datapath's clock, which the NAT and firewall events are stamped with.
     * @param epochClock the wall clock the journal's times are in.
     */
    public static JournalWriter open(
        final JournalConfig config, final NanoClock nanoClock, final EpochNanoClock epochClock, final PrintStream log)
    {
        final JournalWriter writer = new JournalWriter(config, nanoClock, epochClock, log);
        writer.tryOpen();
        return writer;
    }

    /**
     * @return the journal, or null while it cannot be written.
     */
    Journal journal()
    {
        return journal;
    }

    public JournalConfig config()
    {
        return config;
    }

    /**
     * @return what went wrong while the journal cannot be written, else null.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * @return events that never reached the journal because it could not be written (any thread).
     */
    public long lostEvents()
    {
        return lostEvents.get();
    }

    /**
     * @return events written (any thread).
     */
    public long writtenEvents()
    {
        return writtenEvents.get();
    }

    /**
     * @return whether the journal can record new mappings and sessions now: {@link #restore} hands it to its engine;
     * every other engine whose events come here needs it too ({@link NatEngine#recordKeeping}).
     */
    public RecordKeeping recordKeeping()
    {
        return keeping;
    }

    /**
     * @return where the NAT events go, on the event thread (the gateway's downstream listener).
     */
    public NatEventListener natEvents()
    {
        return natEvents;
    }

    /**
     * Queues an HA role change for the journal (any thread).
     */
    public void haTransition(final long timeEpochMs, final String from, final String to, final String reason)
    {
        final long epochNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeEpochMs);
        enqueue(out -> out.onHaTransition(epochNs, from, to, reason));
    }

    /**
     * @return a listener that hands each provider event to {@code alsoTo} (the log) and queues it for the journal.
     */
    public ProviderEventListener providerEvents(final ProviderEventListener alsoTo)
    {
        return new ProviderEventJournal(this, alsoTo);
    }

    /**
     * @return a listener that hands each firewall event to {@code alsoTo} (the log) and queues it for the journal.
     */
    public FirewallEventListener firewallEvents(final FirewallEventListener alsoTo)
    {
        return new FirewallEventJournal(this, alsoTo);
    }

    /**
     * Starts this run of the gateway in the journal: reads what the last run left, puts its unexpired
     * mappings and sessions back into {@code nat} (before the worker starts), and journals the start and
     * what was restored. From now on {@code nat} refuses new mappings while the journal cannot record them. Called once, on the thread that starts the gateway, before the event thread runs.
     *
     * @param statics  the configured static mappings; only those are restored of the journal's static mappings.
     * @param nat      one engine, or every worker's ({@link io.natgate.datapath.nat.NatWorkers}).
     * @param counters per worker, where it counts events its full ring dropped, which this writer journals; the
     *                 first also gets the journal's refusal gauge.
     * @return what was restored.
     */
    public WarmRestart.Result restore(
        final NatRestore nat, final NatConfig natConfig, final List<StaticMapping> statics,
        final DatapathCounters... counters)
    {
        this.counters = counters[0];
        this.workerCounters = counters.clone();
        nat.recordKeeping(keeping);
        admit(out != null && free() >= ADMISSION_MARGIN_BYTES);
        natEvents.perMapping(natConfig.logsPerMapping());
        ringDropsJournaled = ringDrops();
        final long nowEpochNs = epochClock.nanoTime();
        final long nowNs = nanoClock.nanoTime();
        WarmRestart.Result result = new WarmRestart.Result(0, 0, 0, 0, Set.of());
        if (journal != null)
        {
            try
            {
                final WarmRestart restart = new WarmRestart(natConfig, statics);
                result = restart.restore(journal, nat, nowNs, nowEpochNs);
                out.onGatewayStarted(nowEpochNs, ProcessHandle.current().pid(), config.destinations());
                restart.journalRestored(out, nowEpochNs, config.destinations());
                writtenEvents.addAndGet(1 + result.mappings() + (config.destinations() ? result.sessions() : 0));
            }
            catch (final RuntimeException | Error ex)
            {
                failed(ex);
            }
        }
        if (appender != null)
        {
            appender.singleThreadedCheckReset(); // the event thread writes from now on
        }
        log.printf("natgate: journal %s (%s files, kept %s, destinations %s)%s%n", config.directory(),
            config.rollCycle().name().toLowerCase().replace('_', '-'),
            config.retentionNs() == 0 ? "for ever" : Units.formatDuration(config.retentionNs()),
            config.destinations() ? "journaled" : "not journaled", failure == null ? "" : ": not writable now");
        if (result.mappings() + result.sessions() + result.expired() + result.refused() > 0)
        {
            log.printf("natgate: warm restart: %d mappings and %d sessions restored, %d expired while stopped, " +
                "%d refused%n", result.mappings(), result.sessions(), result.expired(), result.refused());
        }
        return result;
    }

    /**
     * The writer's duty cycle on the event thread: writes the queued control-plane events, journals the
     * ring's drops, re-reads the clocks' offset, deletes expired files, and retries a journal that failed.
     *
     * @return the work done.
     */
    public int doWork()
    {
        int work = controlEvents.drain(writeControlEvent, 256);
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            clockOffsetNs = epochClock.nanoTime() - nowNs;
            work += journalRingDrops();
            if (out == null && nowNs - nextRetryNs >= 0)
            {
                nextRetryNs = nowNs + TimeUnit.SECONDS.toNanos(RETRY_INTERVAL_S);
                work += tryOpen() ? 1 : 0;
            }
            else if (out != null)
            {
                checkSpace();
            }
            if (out != null && config.retentionNs() > 0 && nowNs - nextRetentionNs >= 0)
            {
                nextRetentionNs = nowNs + RETENTION_INTERVAL_NS;
                work += deleteExpiredFiles();
            }
        }
        return work;
    }

    private long ringDrops()
    {
        long drops = 0;
        for (final DatapathCounters worker : workerCounters)
        {
            drops += worker.get(GlobalCounter.EVENTS_DROPPED);
        }
        return drops;
    }

    private int journalRingDrops()
    {
        if (counters == null)
        {
            return 0;
        }
        final long drops = ringDrops();
        final long newDrops = drops - ringDropsJournaled;
        return newDrops > 0 && write(out ->
        {
            ringDropsJournaled = drops; // once tried: a failed write is reported as the journal failing
            out.onEventsLost(epochClock.nanoTime(), newDrops, "event ring full");
        }) ? 1 : 0;
    }

    private int deleteExpiredFiles()
    {
        try
        {
            return journal.deleteExpiredFiles(config.retentionNs(), TimeUnit.NANOSECONDS.toMillis(epochClock.nanoTime()));
        }
        catch (final RuntimeException ex)
        {
            log.printf("natgate: journal: cannot delete expired files in %s: %s%n", config.directory(),
                Journal.describe(ex));
            return 0;
        }
    }

    private boolean tryOpen()
    {
        try
        {
            final Journal opened = Journal.openForAppending(config);
            try
            {
                store = Files.getFileStore(config.directory());
                final long free = store.getUsableSpace();
                if (free < FREE_SPACE_MARGIN_BYTES)
                {
                    throw new JournalException(diskFull(free));
                }
                appender = opened.queue().createAppender();
                out = appender.methodWriter(JournalEvents.class);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                opened.close();
                appender = null;
                out = null;
                throw ex instanceof JournalException journalException ? journalException :
                    new JournalException(Journal.describe(ex), ex);
            }
            journal = opened;
            eventsUntilSpaceCheck = EVENTS_PER_SPACE_CHECK;
            admit(free() >= ADMISSION_MARGIN_BYTES);
            if (failure != null)
            {
                out.onEventsLost(epochClock.nanoTime(), lostSinceFailure, failure);
                log.printf("natgate: journal: writing to %s again; %d events were lost while it could not%n",
                    config.directory(), lostSinceFailure);
                failure = null;
                lostSinceFailure = 0;
            }
            return true;
        }
        catch (final JournalException ex)
        {
            if (!ex.getMessage().equals(failure))
            {
                log.printf("natgate: journal: cannot write to %s: %s; forwarding goes on, events are counted as " +
                    "lost until it can%n", config.directory(), ex.getMessage());
            }
            failure = ex.getMessage();
            admit(false);
            return false;
        }
    }

    private String diskFull(final long freeBytes)
    {
        return "disk full: " + freeBytes + " bytes free, the journal keeps " + FREE_SPACE_MARGIN_BYTES + " free";
    }

    private void checkSpace()
    {
        eventsUntilSpaceCheck = EVENTS_PER_SPACE_CHECK;
        try
        {
            final long free = store.getUsableSpace();
            if (free < FREE_SPACE_MARGIN_BYTES)
            {
                failed(new JournalException(diskFull(free)));
            }
            else
            {
                admit(free >= ADMISSION_MARGIN_BYTES);
            }
        }
        catch (final IOException ex)
        {
            failed(ex);
        }
    }

    /**
     * @return the bytes free on the journal's file system, or 0 when it cannot be told.
     */
    private long free()
    {
        try
        {
            return store == null ? 0 : store.getUsableSpace();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * Lets the engine make new mappings, or has it refuse them (and new sessions when they are journaled), saying
     * so on the log when that changes.
     */
    private void admit(final boolean admitting)
    {
        keeping.recording(admitting, admitting || !config.destinations());
        if (counters != null)
        {
            counters.set(GlobalCounter.JOURNAL_REFUSING, admitting ? 0 : 1);
        }
        if (admitting == refusing)
        {
            refusing = !admitting;
            if (refusing)
            {
                log.printf("natgate: journal: %s cannot record more (%s); new mappings%s are refused " +
                    "(journal_unwritable) until it can, existing sessions go on%n", config.directory(),
                    out == null ? failure : free() + " bytes free, under the " + ADMISSION_MARGIN_BYTES +
                    " it keeps for new mappings", config.destinations() ? " and sessions" : "");
            }
            else
            {
                log.printf("natgate: journal: %s records again (%d bytes free); new mappings allowed%n",
                    config.directory(), free());
            }
        }
    }

    /**
     * @return true when an event may be written now; false counts it lost.
     */
    private boolean ready()
    {
        if (out != null && --eventsUntilSpaceCheck <= 0)
        {
            checkSpace();
        }
        if (out == null)
        {
            lostEvents.incrementAndGet();
            lostSinceFailure++;
            return false;
        }
        writtenEvents.lazySet(writtenEvents.get() + 1);
        return true;
    }

    private void failed(final Throwable ex)
    {
        final String reason = ex instanceof JournalException ? ex.getMessage() : Journal.describe(ex);
        log.printf("natgate: journal: cannot write to %s: %s; forwarding goes on, events are counted as lost " +
            "until it can%n", config.directory(), reason);
        failure = reason;
        lostEvents.incrementAndGet();
        lostSinceFailure++;
        out = null;
        closeQuietly();
        admit(false);
        nextRetryNs = nanoClock.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_INTERVAL_S);
    }

    private void closeQuietly()
    {
        try
        {
            if (appender != null)
            {
                appender.close();
            }
            if (journal != null)
            {
                journal.close();
            }
        }
        catch (final RuntimeException | Error ignored)
        {
            // the journal failed already; what matters is what was said about it
        }
        appender = null;
        journal = null;
    }

    /**
     * Writes one record now, on the event thread: counted lost when the journal cannot be written, and a
     * failing write is the journal's failure.
     *
     * @return whether it was written.
     */
    boolean write(final Consumer<JournalEvents> record)
    {
        if (!ready())
        {
            return false;
        }
        try
        {
            record.accept(out);
            return true;
        }
        catch (final RuntimeException | Error ex)
        {
            failed(ex);
            return false;
        }
    }

    /**
     * Queues a record from any thread for the event thread; counted lost when the queue is full.
     */
    void enqueue(final Consumer<JournalEvents> event)
    {
        if (!controlEvents.offer(event))
        {
            lostEvents.incrementAndGet();
        }
    }

    /**
     * @return the wall-clock time of a datapath time, on the event thread.
     */
    long epochOf(final long datapathNs)
    {
        return datapathNs + clockOffsetNs;
    }

    /**
     * @return the wall-clock time of a datapath time, from any thread.
     */
    long epochFromAnyThread(final long datapathNs)
    {
        return datapathNs + epochClock.nanoTime() - nanoClock.nanoTime();
    }

    /**
     * Writes what the queued control-plane events and ring drops left, then closes the journal. After the
     * event thread has stopped.
     */
    @Override
    public void close()
    {
        controlEvents.drain(writeControlEvent);
        journalRingDrops();
        closeQuietly();
        out = null;
        if (lostEvents.get() > 0)
        {
            log.printf("natgate: journal: %d events lost in all%n", lostEvents.get());
        }
    }
}
