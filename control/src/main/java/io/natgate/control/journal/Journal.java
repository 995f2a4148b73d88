package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import net.openhft.chronicle.bytes.MethodReader;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A journal directory: a Chronicle Queue of {@link JournalEvents} entries in binary wire, one file per
 * roll cycle ({@code yyyyMMdd[-HH[mm]].cq4}), opened for appending by the gateway or read-only by the
 * {@code natgate journal} commands (which may read while a gateway writes). Reading hands every entry to
 * a {@link JournalEvents} through a method reader.
 */
public final class Journal implements AutoCloseable
{
    /** Chronicle's block size: files grow by this much; small enough for a small disk. */
    static final long BLOCK_SIZE_BYTES = 4L << 20;
    private static final String FILE_SUFFIX = ".cq4";
    /** An index meaning the end of the journal: nothing is read but what is written from then on. */
    public static final long END_INDEX = -1;

    private final Path directory;
    private final SingleChronicleQueue queue;
    private long unreadableEntries;

    private Journal(final Path directory, final SingleChronicleQueue queue)
    {
        this.directory = directory;
        this.queue = queue;
    }

    /**
     * Opens (creating it when needed) the configured directory for appending.
     *
     * @throws JournalException saying why, when the directory cannot be made or written.
     */
    public static Journal openForAppending(final JournalConfig config)
    {
        final Path directory = config.directory();
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException | SecurityException ex)
        {
            throw new JournalException("cannot create " + directory + ": " + describe(ex), ex);
        }
        if (!Files.isWritable(directory))
        {
            throw new JournalException(directory + " is not writable");
        }
        return open(directory, rollCycle(config.rollCycle()), false);
    }

    /**
     * Opens an existing journal to read it, whatever roll cycle it was written with.
     *
     * @throws JournalException when there is no journal there.
     */
    public static Journal openForReading(final Path directory)
    {
        if (!Files.isDirectory(directory) || !hasFiles(directory))
        {
            throw new JournalException("no journal in " + directory);
        }
        return open(directory, RollCycles.FAST_DAILY, true);
    }

    private static Journal open(final Path directory, final RollCycle rollCycle, final boolean readOnly)
    {
        try
        {
            return new Journal(directory, SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(rollCycle)
                .blockSize(BLOCK_SIZE_BYTES)
                .readOnly(readOnly)
                .build());
        }
        catch (final RuntimeException | Error ex)
        {
            throw new JournalException("cannot open the journal in " + directory + ": " + describe(ex), ex);
        }
    }

    /**
     * @return Chronicle's roll cycle for the configured one.
     */
    static RollCycle rollCycle(final JournalConfig.RollCycle rollCycle)
    {
        return switch (rollCycle)
        {
            case FIVE_MINUTELY -> RollCycles.FIVE_MINUTELY;
            case TEN_MINUTELY -> RollCycles.TEN_MINUTELY;
            case TWENTY_MINUTELY -> RollCycles.TWENTY_MINUTELY;
            case HALF_HOURLY -> RollCycles.HALF_HOURLY;
            case HOURLY -> RollCycles.FAST_HOURLY;
            case TWO_HOURLY -> RollCycles.TWO_HOURLY;
            case FOUR_HOURLY -> RollCycles.FOUR_HOURLY;
            case SIX_HOURLY -> RollCycles.SIX_HOURLY;
            case DAILY -> RollCycles.FAST_DAILY;
            case WEEKLY -> RollCycles.WEEKLY;
        };
    }

    public Path directory()
    {
        return directory;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    /**
     * @return how many entries the journal holds.
     */
    public long entryCount()
    {
        return queue.entryCount();
    }

    /**
     * @return the bytes the entries take in the queue files: each entry's 4-byte header and its content
     * (the files' index and preallocated space not counted), for the figures.
     */
    public long entryBytes()
    {
        long bytes = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (net.openhft.chronicle.wire.DocumentContext entry = tailer.readingDocument())
                {
                    if (!entry.isPresent())
                    {
                        return bytes;
                    }
                    bytes += 4 + entry.wire().bytes().readRemaining();
                }
            }
        }
    }

    /**
     * Hands entries to {@code events} in the order they were written, from the first (or from
     * {@code fromIndex} when it is not 0) until {@code until} says stop or the journal ends.
     *
     * @param progress told the number of entries read so far every 65,536 entries (may be null).
     * @return the number of entries read.
     */
    public long read(final JournalEvents events, final long fromIndex, final Until until, final LongConsumer progress)
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            position(tailer, fromIndex);
            final MethodReader reader = tailer.methodReader(events);
            long count = 0;
            while (!until.stop())
            {
                final long index = tailer.index();
                try
                {
                    if (!reader.readOne())
                    {
                        break;
                    }
                }
                catch (final RuntimeException ex)
                {
                    skipUnreadable(tailer, index, ex);
                    continue;
                }
                count++;
                if (progress != null && (count & 0xFFFF) == 0)
                {
                    progress.accept(count);
                }
            }
            return count;
        }
    }

    /**
     * A damaged entry (a disk error, a foreign write) is skipped and counted, so the entries after it
     * are still read; one that cannot even be stepped over ends the reading in words.
     */
    private void skipUnreadable(final ExcerptTailer tailer, final long index, final RuntimeException ex)
    {
        unreadableEntries++;
        if (tailer.index() == index)
        {
            final boolean present;
            try (DocumentContext entry = tailer.readingDocument())
            {
                present = entry.isPresent();
            }
            if (!present || tailer.index() == index)
            {
                throw new JournalException("cannot read the journal's entry " + Long.toHexString(index) + " in " +
                    directory + ": " + describe(ex), ex);
            }
        }
    }

    /**
     * @return the entries {@link #read} skipped because they could not be decoded.
     */
    public long unreadableEntries()
    {
        return unreadableEntries;
    }

    private static void position(final ExcerptTailer tailer, final long index)
    {
        if (index == END_INDEX)
        {
            tailer.toEnd();
        }
        else if (index != 0)
        {
            tailer.moveToIndex(index);
        }
    }

    /**
     * Hands entries to {@code events} as {@link #read} does, then waits for new ones, calling {@code idle}
     * while there are none, until {@code until} says stop.
     */
    public void follow(final JournalEvents events, final long fromIndex, final Until until, final Runnable idle)
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            position(tailer, fromIndex);
            final MethodReader reader = tailer.methodReader(events);
            while (!until.stop())
            {
                if (!reader.readOne())
                {
                    idle.run();
                }
            }
        }
    }

    /**
     * @return the index of the entry {@code count} entries before the end, for reading the last ones; 0
     * (from the start) when there are fewer, {@link #END_INDEX} for none.
     */
    public long indexBeforeEnd(final long count)
    {
        if (count == 0)
        {
            return END_INDEX;
        }
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            final MethodReader reader = tailer.methodReader(new JournalEvents()
            {
            });
            long index = 0;
            for (long read = 0; read < count && reader.readOne(); read++)
            {
                index = tailer.lastReadIndex();
            }
            return index;
        }
    }

    /**
     * @return the index of the last {@link JournalEvents#onGatewayStarted} entry, found reading backwards
     * from the end, or 0 when there is none (read from the start).
     */
    public long lastStartIndex()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            final boolean[] found = new boolean[1];
            final MethodReader reader = tailer.methodReader(new JournalEvents()
            {
                public void onGatewayStarted(final long timeNs, final long processId, final boolean destinations)
                {
                    found[0] = true;
                }
            });
            while (reader.readOne())
            {
                if (found[0])
                {
                    return tailer.lastReadIndex();
                }
            }
            return 0;
        }
    }

    /**
     * Deletes the files of cycles before the current one whose newest entry is older than
     * {@code retentionNs} (by modification time, which is the time of a file's last entry).
     *
     * @return the number of files deleted.
     */
    int deleteExpiredFiles(final long retentionNs, final long nowEpochMs)
    {
        if (retentionNs <= 0)
        {
            return 0;
        }
        final long cutoffMs = nowEpochMs - TimeUnit.NANOSECONDS.toMillis(retentionNs);
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*" + FILE_SUFFIX))
        {
            listing.forEach(files::add);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        // names sort by cycle; the newest is being written and stays whatever its age
        files.sort(null);
        int deleted = 0;
        for (int i = 0; i < files.size() - 1; i++)
        {
            try
            {
                if (Files.getLastModifiedTime(files.get(i)).toMillis() < cutoffMs && Files.deleteIfExists(files.get(i)))
                {
                    deleted++;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        if (deleted > 0)
        {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    private static boolean hasFiles(final Path directory)
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + FILE_SUFFIX))
        {
            return files.iterator().hasNext();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    static String describe(final Throwable ex)
    {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        final String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    @Override
    public void close()
    {
        queue.close();
    }

    /**
     * Asked before each entry whether reading should stop.
     */
    @FunctionalInterface
    public interface Until
    {
        Until END = () -> false;

        boolean stop();
    }
}
