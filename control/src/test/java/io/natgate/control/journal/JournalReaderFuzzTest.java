package io.natgate.control.journal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.lab.LabFiles;
import io.natgate.datapath.nat.Ipv4;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the journal's readers (replay's {@link JournalState}, the printer of
 * {@code journal show}, {@code journal who}'s {@link WhoHeld}) against damaged entries: each input
 * takes a real entry's bytes (one of each kind the gateway writes), overwrites and cuts them as the
 * fuzzer says, appends the result between two good entries, and reads it all back. Reading may
 * refuse an entry only with a {@link JournalException}; the good entry after a damaged one is still read.
 */
class JournalReaderFuzzTest
{
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int INSIDE = Ipv4.parse("10.0.0.2");
    private static final Path DIRECTORY = directory();
    private static final Journal JOURNAL =
        Journal.openForAppending(new JournalConfig(DIRECTORY, JournalConfig.RollCycle.DAILY, 0, true));
    private static final ExcerptAppender APPENDER = JOURNAL.queue().createAppender();
    private static final JournalEvents OUT = APPENDER.methodWriter(JournalEvents.class);
    private static final List<byte[]> TEMPLATES = templates();

    private static Path directory()
    {
        try
        {
            return Files.createTempDirectory("natgate-journal-fuzz");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** One entry of each kind, written by the gateway's own method writer, as raw bytes. */
    private static List<byte[]> templates()
    {
        final long timeNs = 1_700_000_000_000_000_000L;
        OUT.onGatewayStarted(timeNs, 42, true);
        OUT.onMappingCreated(timeNs, 17, INSIDE, 5000, PUBLIC, 5000, 0);
        OUT.onMappingRefreshed(timeNs, 17, INSIDE, 5000, PUBLIC, 5000);
        OUT.onMappingRestored(timeNs, 6, INSIDE, 80, PUBLIC, 8080, 1, timeNs);
        OUT.onSessionCreated(timeNs, 6, INSIDE, 80, PUBLIC, 8080, Ipv4.parse("198.51.100.7"), 443, 1);
        OUT.onMappingExpired(timeNs, 17, INSIDE, 5000, PUBLIC, 5000);
        OUT.onEventsLost(timeNs, 12, "event ring full");
        OUT.onSessionOpened(timeNs, 7, 1, INSIDE, 0, INSIDE, "alice");
        final List<byte[]> templates = new ArrayList<>();
        try (ExcerptTailer tailer = JOURNAL.queue().createTailer())
        {
            while (true)
            {
                try (DocumentContext entry = tailer.readingDocument())
                {
                    if (!entry.isPresent())
                    {
                        break;
                    }
                    templates.add(entry.wire().bytes().toByteArray());
                }
            }
        }
        return templates;
    }

    @FuzzTest
    void shouldReadAnyDamagedEntryOrRefuseItAsAJournalException(final FuzzedDataProvider data)
    {
        final byte[] template = TEMPLATES.get(data.consumeInt(0, TEMPLATES.size() - 1));
        final byte[] damaged = java.util.Arrays.copyOf(template, data.consumeInt(0, template.length + 64));
        while (data.remainingBytes() > 1)
        {
            final byte[] patch = data.consumeBytes(data.consumeInt(1, 8));
            final int at = data.consumeInt(0, Math.max(0, damaged.length - patch.length));
            System.arraycopy(patch, 0, damaged, at, Math.min(patch.length, damaged.length - at));
        }
        final long firstIndex = JOURNAL.queue().lastIndex() + 1;
        OUT.onMappingCreated(1_700_000_000_000_000_000L, 17, INSIDE, 6000, PUBLIC, 6000, 0);
        try (DocumentContext entry = APPENDER.writingDocument())
        {
            entry.wire().bytes().write(damaged);
        }
        OUT.onMappingRemoved(1_700_000_000_000_000_001L, 17, INSIDE, 6000, PUBLIC, 6000);

        final long from = firstIndex;
        read(new JournalState(), from);
        read(new JournalPrinter(new PrintWriter(new StringWriter()), data.consumeBoolean(), Long.MIN_VALUE,
            Long.MAX_VALUE, List.of()), from);
        final WhoHeld who = new WhoHeld(17, PUBLIC, 6000, 1_700_000_000_000_000_000L);
        read(who, from);
    }

    private static void read(final JournalEvents events, final long from)
    {
        try
        {
            JOURNAL.read(events, from, Journal.Until.END, null);
        }
        catch (final JournalException refused)
        {
            // an entry refused in words is an answer
        }
    }

    @AfterAll
    static void close()
    {
        APPENDER.close();
        JOURNAL.close();
        LabFiles.deleteRecursively(DIRECTORY);
    }
}
