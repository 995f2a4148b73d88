package io.natgate.control.journal;

import io.natgate.control.cli.Environment;
import io.natgate.control.cli.Natgate;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code journal:} section of the config: its keys and defaults, and each refusal through
 * {@code natgate config check} in one line naming the file, line, key and value.
 */
@EnabledOnOs(OS.LINUX)
class JournalConfigTest
{
    /** Line numbers matter: the journal section starts at line 17. */
    private static final String VALID = """
        ports:
          - name: lan
            interface: lo
            backend: pcap
            role: inside
            address: 10.0.0.1/24
            mac: 02:00:00:00:00:01
            mtu: 1500
          - name: wan
            interface: wan0
            backend: pcap
            role: outside
            address: 203.0.113.1/24
            mac: 02:00:00:00:00:02
            mtu: 1500
        nat: {publicAddresses: [203.0.113.1]}
        journal:
          directory: journal
          rollCycle: hourly
          retention: 7d
          destinations: true
        """;

    @TempDir
    Path directory;

    private Environment environment;

    /** A host with a loopback like Linux's ({@code lo}) and one Ethernet interface ({@code wan0}). */
    @BeforeEach
    void host()
    {
        final Path sysfs = TestHosts.fakeInterface(directory.resolve("sys"), "lo", "00:00:00:00:00:00", 65536);
        TestHosts.fakeInterface(sysfs, "wan0", "02:00:00:00:00:02", 1500);
        environment = TestHosts.smallLinux(sysfs);
    }

    @Test
    void shouldReadTheJournalSectionAndDefaultWhatItLeavesOut() throws IOException
    {
        final GatewayConfig config = TestHosts.linuxLoader(directory.resolve("sys")).load(write(VALID));
        assertEquals(new JournalConfig(directory.resolve("journal"), JournalConfig.RollCycle.HOURLY,
            TimeUnit.DAYS.toNanos(7), true), config.journal());

        final GatewayConfig defaults = TestHosts.linuxLoader(directory.resolve("sys")).load(write(VALID.substring(0,
            VALID.indexOf("journal:"))));
        assertEquals(new JournalConfig(Path.of(JournalConfig.DIRECTORY_DEFAULT), JournalConfig.RollCycle.DAILY,
            TimeUnit.DAYS.toNanos(90), false), defaults.journal());
    }

    @Test
    void shouldRefuseABadRollCycle() throws IOException
    {
        assertRefused(VALID.replace("rollCycle: hourly", "rollCycle: fortnightly"),
            ":19: journal.rollCycle=fortnightly: expected five-minutely, ten-minutely, twenty-minutely, half-hourly, " +
            "hourly, two-hourly, four-hourly, six-hourly, daily or weekly");
    }

    @Test
    void shouldRefuseARetentionUnderAnHourAndOneWithoutUnit() throws IOException
    {
        assertRefused(VALID.replace("retention: 7d", "retention: 10m"),
            ":20: journal.retention=10m: keep the journal at least 1h (0 keeps it for ever)");
        assertRefused(VALID.replace("retention: 7d", "retention: 7"),
            ":20: journal.retention=7: a duration needs a unit (e.g. 90s, 5m, 2h4m)");
    }

    @Test
    void shouldRefuseANonBooleanDestinationsAndAnUnknownKey() throws IOException
    {
        assertRefused(VALID.replace("destinations: true", "destinations: sometimes"),
            ":21: journal.destinations=sometimes: expected true or false");
        assertRefused(VALID.replace("destinations: true", "compress: true"),
            ":21: journal.compress=true: unknown key (journal takes destinations, directory, retention, rollCycle)");
    }

    private void assertRefused(final String text, final String expectedAfterFile) throws IOException
    {
        final Path file = write(text);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));

        final int status = commandLine.execute("config", "check", file.toString());

        assertEquals(file + expectedAfterFile + System.lineSeparator(), err.toString());
        assertEquals(2, status);
    }

    private Path write(final String text) throws IOException
    {
        return Files.writeString(directory.resolve("natgate.yaml"), text);
    }
}
