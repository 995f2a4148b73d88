package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.datapath.nat.Ipv4;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A damaged entry in the journal (found by {@code JournalReaderFuzzTest}: a mangled method name made
 * Chronicle's reader throw out of every journal command) is skipped and counted; {@code who} still
 * answers from the entries after it.
 */
class JournalDamagedEntryTest
{
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int INSIDE = Ipv4.parse("10.0.0.2");
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path directory;

    @Test
    void shouldSkipADamagedEntryAndStillNameTheHolderFromTheEntriesAfterIt()
    {
        try (Journal journal = Journal.openForAppending(
            new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, false));
            ExcerptAppender appender = journal.queue().createAppender())
        {
            final JournalEvents out = appender.methodWriter(JournalEvents.class);
            out.onGatewayStarted(T0, 1, false);
            try (DocumentContext entry = appender.writingDocument())
            {
                entry.wire().bytes().write(new byte[] {(byte)0xBA, 0x7F, 0x01, 0x02, 0x03}); // no method of ours
            }
            out.onMappingCreated(T0 + 1_000_000_000L, 17, INSIDE, 40000, PUBLIC, 40001, 0);

            final WhoHeld who = new WhoHeld(17, PUBLIC, 40001, T0 + 2_000_000_000L);
            journal.read(who, 0, who::done, null);

            assertNotNull(who.answer(), "the holder after the damaged entry");
            assertEquals("10.0.0.2:40000", who.answer().inside());
            assertEquals(1, journal.unreadableEntries());
        }
    }
}
