package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal when things go wrong: a writer killed with SIGKILL at full rate leaves every entry up to the
 * crash readable, in order, none torn, and the journal takes appends again; an unwritable directory, a
 * read-only file system and a disk filling up are each said once on the log, forwarding of existing sessions goes
 * on, new flows are refused rather than go unrecorded (none lost), and they open again once there is room. The file systems are tmpfs mounts in a child's private mount namespace
 * ({@code unshare -m}), which needs root.
 */
@Timeout(120)
class JournalReliabilityTest
{
    @TempDir
    Path directory;

    @Test
    void shouldReadBackEveryEntryUpToAKill9InOrderWithNoneTorn() throws Exception
    {
        final Process child = new ProcessBuilder(JournalChild.command("write", directory.toString()))
            .redirectErrorStream(true).start();
        long reported = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = lines.readLine()) != null)
            {
                if (line.startsWith("written "))
                {
                    reported = Long.parseLong(line.substring(8));
                    if (reported >= 300_000)
                    {
                        child.destroyForcibly(); // SIGKILL, mid-write
                        break;
                    }
                }
            }
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(reported >= 300_000, "the child wrote " + reported);

        final long[] next = {0};
        final List<String> wrong = new ArrayList<>();
        try (Journal journal = Journal.openForReading(directory))
        {
            journal.read(new JournalEvents()
            {
                public void onMappingCreated(
                    final long timeNs, final int protocol, final int insideAddress, final int insidePort,
                    final int publicAddress, final int publicPort, final int kind)
                {
                    final long i = next[0]++;
                    if (insideAddress != Ipv4.parse("10.0.0.0") + (int)(i >>> 16) || insidePort != (int)(i & 0xFFFF) ||
                        publicPort != insidePort || protocol != 17 || publicAddress != JournalChild.PUBLIC)
                    {
                        wrong.add("entry " + i + ": " + Ipv4.toString(insideAddress) + ":" + insidePort);
                    }
                }
            }, 0, () -> !wrong.isEmpty(), null);
        }
        assertEquals(List.of(), wrong);
        assertTrue(next[0] >= reported, "read " + next[0] + " of at least " + reported + " written");

        // a restarted gateway appends after what the crash left
        final DatapathCounters counters = new DatapathCounters(2);
        try (JournalWriter writer = JournalWriter.open(new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0,
            false), () -> 0, () -> 0, new PrintStream(new ByteArrayOutputStream())))
        {
            writer.restore(new NatEngine(new NatConfig().publicAddresses(JournalChild.PUBLIC), NatEventListener.NONE,
                counters), new NatConfig(), List.of(), counters);
            writer.natEvents().onMappingRemoved(1, 17, 1, 2, JournalChild.PUBLIC, 2);
            assertEquals(null, writer.failure());
        }
        try (Journal journal = Journal.openForReading(directory))
        {
            final java.io.StringWriter text = new java.io.StringWriter();
            journal.read(new JournalPrinter(new java.io.PrintWriter(text), false, Long.MIN_VALUE, Long.MAX_VALUE,
                List.of("mapping-removed", "gateway-started")), 0, Journal.Until.END, null);
            final List<String> last = text.toString().lines().toList();
            assertEquals(3, last.size(), last.toString()); // the child's start, the restart, the removal
            assertTrue(last.getLast().contains("mapping-removed"), last.toString());
        }
    }

    @Test
    void shouldSayOnceThatAnUnwritableDirectoryCannotBeWrittenAndCountWhatIsLost() throws IOException
    {
        final Path file = Files.writeString(directory.resolve("not-a-directory"), "");
        final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        final DatapathCounters counters = new DatapathCounters(2);
        final JournalWriter writer = JournalWriter.open(new JournalConfig(file.resolve("journal"),
            JournalConfig.RollCycle.DAILY, 0, false), () -> 0, () -> 0, new PrintStream(logBytes, true));
        writer.restore(new NatEngine(new NatConfig().publicAddresses(JournalChild.PUBLIC), NatEventListener.NONE,
            counters), new NatConfig(), List.of(), counters);
        for (int i = 0; i < 10; i++)
        {
            writer.natEvents().onMappingCreated(i, 17, 1, i + 1, JournalChild.PUBLIC, i + 1, MappingKind.DYNAMIC.id());
        }
        writer.doWork();
        writer.close();

        assertEquals(10, writer.lostEvents());
        final List<String> log = logBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(log.getFirst().startsWith("natgate: journal: cannot write to " + file.resolve("journal") +
            ": cannot create " + file.resolve("journal") + ": "), log.toString());
        assertTrue(log.getFirst().endsWith("; forwarding goes on, events are counted as lost until it can"),
            log.toString());
        assertEquals(1, log.stream().filter(line -> line.contains("cannot write")).count(), log.toString());
        assertEquals("natgate: journal: 10 events lost in all", log.getLast());
    }

    static boolean canMount()
    {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"));
    }

    @Test
    @EnabledIf("canMount")
    void shouldRefuseNewFlowsRatherThanLoseTheirRecordsWhenTheJournalFillsItsDisk() throws Exception
    {
        final List<String> said = runOnTmpfs("size=32m", "forward", directory, "300000");

        final String result = said.stream().filter(line -> line.startsWith("forwarded ")).findFirst().orElseThrow(
            () -> new AssertionError(said.toString()));
        final String[] words = result.split(" ");
        final long forwarded = Long.parseLong(words[1]);
        final long refused = Long.parseLong(words[3]);
        final long written = Long.parseLong(words[5]);
        // a session record for each flow forwarded (destinations are journaled), and the mappings
        assertTrue(forwarded > 10_000 && written > forwarded, result);
        assertEquals(300_000, forwarded + refused, result);
        assertTrue(result.endsWith(" lost 0 failure null"), "every flow made was recorded: " + result);
        assertEquals(1, said.stream().filter(line -> line.startsWith("natgate: journal: " + directory +
            " cannot record more (") && line.contains(" bytes free, under the " + JournalWriter.ADMISSION_MARGIN_BYTES +
            " it keeps for new mappings); new mappings and sessions are refused (journal_unwritable) until it can, " +
            "existing sessions go on")).count(), said.toString());
    }

    @Test
    @EnabledIf("canMount")
    void shouldRefuseNewFlowsOnAReadOnlyFileSystemAndForwardNothingUnrecorded() throws Exception
    {
        final List<String> said = runOnTmpfs("ro,size=1m", "forward", directory, "1000");

        assertTrue(said.contains("forwarded 0 refused 1000 written 0 lost 0 failure " + directory +
            " is not writable"), said.toString());
        assertTrue(said.contains("natgate: journal: cannot write to " + directory + ": " + directory +
            " is not writable; forwarding goes on, events are counted as lost until it can"), said.toString());
        assertTrue(said.contains("natgate: journal: " + directory + " cannot record more (" + directory +
            " is not writable); new mappings and sessions are refused (journal_unwritable) until it can, existing " +
            "sessions go on"), said.toString());
    }

    @Test
    @EnabledIf("canMount")
    void shouldRefuseNewFlowsWhileItsDiskIsLowForwardExistingOnesAndRecoverWhenThereIsRoomAgain() throws Exception
    {
        final Path journal = directory.resolve("journal");
        final List<String> said = runOnTmpfs("size=48m", "lowdisk", journal);

        assertTrue(said.contains("opened 100 refused 0"), said.toString());
        assertTrue(said.contains("low: new flows forwarded 0 refused 1000; existing forwarded 100 refused 0"),
            said.toString());
        final String room = said.stream().filter(line -> line.startsWith("room: ")).findFirst().orElseThrow(
            () -> new AssertionError(said.toString()));
        assertTrue(room.startsWith("room: new flows forwarded 100 refused 0; written ") &&
            room.endsWith(" lost 0 failure null"), room);
        assertEquals(1, said.stream().filter(line -> line.startsWith("natgate: journal: " + journal +
            " cannot record more (")).count(), said.toString());
        assertEquals(1, said.stream().filter(line -> line.startsWith("natgate: journal: " + journal +
            " records again (") && line.endsWith(" bytes free); new mappings allowed")).count(), said.toString());
    }

    /**
     * Runs the child's {@code mode} on {@code journal} with a tmpfs mounted over {@link #directory} in its own
     * mount namespace (gone with the child, whatever happens).
     *
     * @return the lines it printed.
     */
    private List<String> runOnTmpfs(final String options, final String mode, final Path journal,
        final String... arguments) throws Exception
    {
        final StringBuilder script = new StringBuilder("mount -t tmpfs -o ").append(options).append(" natgate-test ")
            .append(directory).append(" && exec");
        final List<String> childArguments = new ArrayList<>(List.of(mode, journal.toString()));
        childArguments.addAll(List.of(arguments));
        for (final String word : JournalChild.command(childArguments.toArray(new String[0])))
        {
            script.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        final Process child = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
            script.toString()).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        return output.lines().toList();
    }
}
