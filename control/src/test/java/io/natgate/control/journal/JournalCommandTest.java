package io.natgate.control.journal;

import com.sun.net.httpserver.HttpServer;
import io.natgate.control.cli.Natgate;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.control.firewall.SessionFlag;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code natgate journal} over a journal written through the writer: who held a public endpoint (with
 * its session and firewall user, a reused endpoint, nobody), show with a window and types, text and JSON,
 * tail, replay at a time, replay compared with a gateway's admin endpoint, and the errors.
 */
class JournalCommandTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0 = 1_763_000_000L * SECOND_NS; // 2025-11-13T02:13:20Z
    private static final int UDP = 17;
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int HOST_A = Ipv4.parse("10.0.0.2");
    private static final int HOST_B = Ipv4.parse("10.0.0.3");
    private static final int REMOTE = Ipv4.parse("198.51.100.7");

    @TempDir
    Path directory;

    private long nowNs;
    private JournalWriter writer;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void writeJournal()
    {
        final DatapathCounters counters = new DatapathCounters(2);
        writer = JournalWriter.open(new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, true),
            () -> nowNs, () -> T0 + nowNs, new PrintStream(new ByteArrayOutputStream()));
        writer.restore(new NatEngine(new NatConfig().publicAddresses(PUBLIC), NatEventListener.NONE, counters),
            new NatConfig(), List.of(), counters);
        final NatEventListener nat = writer.natEvents();
        nat.onMappingCreated(SECOND_NS, UDP, HOST_A, 5000, PUBLIC, 5000, MappingKind.DYNAMIC.id());
        nat.onSessionCreated(SECOND_NS, UDP, HOST_A, 5000, PUBLIC, 5000, REMOTE, 53, 0);
        nowNs = 2 * SECOND_NS;
        writer.firewallEvents(FirewallEventListener.NONE).onSessionOpened(2 * SECOND_NS, 9, SessionFlag.NAT.bit() |
            SessionFlag.AUTHENTICATED.bit(), HOST_A, 0, Ipv4.parse("10.0.0.1"), "alice");
        writer.doWork();
        nat.onSessionExpired(100 * SECOND_NS, UDP, HOST_A, 5000, PUBLIC, 5000, REMOTE, 53, 0);
        nat.onMappingExpired(100 * SECOND_NS, UDP, HOST_A, 5000, PUBLIC, 5000);
        nat.onMappingCreated(200 * SECOND_NS, UDP, HOST_B, 6000, PUBLIC, 5000, MappingKind.DYNAMIC.id());
        nat.onSessionCreated(201 * SECOND_NS, UDP, HOST_B, 6000, PUBLIC, 5000, REMOTE + 1, 123, 0);
    }

    @AfterEach
    void closeJournal()
    {
        writer.close();
    }

    private int run(final String... arguments)
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final String[] all = new String[arguments.length + 2];
        all[0] = "journal";
        all[1] = arguments[0];
        all[2] = "--journal=" + directory;
        System.arraycopy(arguments, 1, all, 3, arguments.length - 1);
        return commandLine.execute(all);
    }

    private static String at(final long seconds)
    {
        return JournalPrinter.time(T0 + seconds * SECOND_NS);
    }

    @Test
    void shouldTellWhoHeldAPublicEndpointWithItsSessionAndFirewallUser()
    {
        assertEquals(0, run("who", "--public", "203.0.113.1:5000", "--proto", "udp", "--at", at(50)), err.toString());

        assertEquals(List.of(
            "udp 203.0.113.1:5000 at 2025-11-13T02:14:10.000000Z: 10.0.0.2:5000 (dynamic mapping)",
            "  held from 2025-11-13T02:13:21.000000Z to 2025-11-13T02:15:00.000000Z (expired)",
            "  session with 198.51.100.7:53 from 2025-11-13T02:13:21.000000Z to 2025-11-13T02:15:00.000000Z",
            "  firewall session 9 (client) user alice"), out.toString().lines().toList());
    }

    @Test
    void shouldTellTheLaterHolderOfAReusedEndpointAndNobodyInBetween()
    {
        assertEquals(0, run("who", "--public", "203.0.113.1:5000", "--proto", "udp", "--at", "2025-11-13 02:17:00",
            "--json"), err.toString());
        assertEquals("{\"public\":\"203.0.113.1:5000\",\"protocol\":\"udp\",\"at\":\"2025-11-13T02:17:00.000000Z\"," +
            "\"inside\":\"10.0.0.3:6000\",\"kind\":\"dynamic\",\"from\":\"2025-11-13T02:16:40.000000Z\",\"to\":null," +
            "\"ended\":null,\"sessions\":[{\"remote\":\"198.51.100.8:123\",\"from\":\"2025-11-13T02:16:41.000000Z\"}]," +
            "\"users\":[]}", out.toString().strip());

        out.getBuffer().setLength(0);
        assertEquals(1, run("who", "--public", "203.0.113.1:5000", "--proto", "udp", "--at", at(150)));
        assertEquals("udp 203.0.113.1:5000 at 2025-11-13T02:15:50.000000Z: nobody held it (the journal covers " +
            "2025-11-13T02:13:20.000000Z to 2025-11-13T02:16:41.000000Z)", out.toString().strip());
        assertEquals(1, run("who", "--public", "203.0.113.1:5001", "--proto", "tcp", "--at", at(50)));
    }

    @Test
    void shouldShowTheEntriesOfAWindowAndOfSomeTypes()
    {
        assertEquals(0, run("show", "--from", at(100), "--to", at(200), "--type", "mapping"), err.toString());
        assertEquals(List.of(
            "2025-11-13T02:15:00.000000Z mapping-expired protocol=udp inside=10.0.0.2:5000 public=203.0.113.1:5000",
            "2025-11-13T02:16:40.000000Z mapping-created protocol=udp inside=10.0.0.3:6000 public=203.0.113.1:5000 " +
                "kind=dynamic"), out.toString().lines().toList());

        out.getBuffer().setLength(0);
        assertEquals(0, run("show", "--type", "firewall-session-opened,gateway-started", "--json"), err.toString());
        final List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("{\"time\":\"2025-11-13T02:13:22.000000Z\",\"timeNs\":" + (T0 + 2 * SECOND_NS) +
            ",\"type\":\"firewall-session-opened\",\"session\":9"), lines.get(1));
    }

    @Test
    void shouldTailTheLastEntries()
    {
        assertEquals(0, run("tail", "-n", "2"), err.toString());
        final List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("mapping-created") && lines.get(1).contains("session-created"), lines.toString());
    }

    @Test
    void shouldFollowNewEntriesAsTheyAreWritten() throws InterruptedException
    {
        final Thread follower = new Thread(() -> run("tail", "-n", "1", "--follow"));
        follower.start();
        awaitOutput("session-created");
        writer.natEvents().onMappingRemoved(300 * SECOND_NS, UDP, HOST_B, 6000, PUBLIC, 5000);
        awaitOutput("mapping-removed");
        follower.interrupt();
        follower.join(10_000);
        assertEquals(List.of("2025-11-13T02:16:41.000000Z session-created protocol=udp inside=10.0.0.3:6000 " +
            "public=203.0.113.1:5000 remote=198.51.100.8:123 state=open",
            "2025-11-13T02:18:20.000000Z mapping-removed protocol=udp inside=10.0.0.3:6000 public=203.0.113.1:5000"),
            out.toString().lines().toList());
    }

    private void awaitOutput(final String text) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 10 * SECOND_NS;
        while (!out.toString().contains(text) && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
        }
    }

    @Test
    void shouldReplayTheTablesAsTheyWereAtATime()
    {
        assertEquals(0, run("replay", "--to", at(50)), err.toString());
        final String early = out.toString();
        assertTrue(early.contains("mappings (1):\n  udp 10.0.0.2:5000 203.0.113.1:5000 dynamic since " + at(1)), early);
        assertTrue(early.contains("sessions (1):\n  udp 10.0.0.2:5000 203.0.113.1:5000 198.51.100.7:53 open"), early);

        out.getBuffer().setLength(0);
        assertEquals(0, run("replay", "--progress"), err.toString());
        assertTrue(out.toString().contains("mappings (1):\n  udp 10.0.0.3:6000 203.0.113.1:5000 dynamic"), out.toString());
        assertTrue(err.toString().contains("replaying [########################################] 100% 8/8 entries"),
            err.toString());
    }

    @Test
    void shouldCompareTheReplayedTablesWithARunningGateways() throws IOException
    {
        final String[] mappings = {"[{\"protocol\":\"udp\",\"inside\":\"10.0.0.3:6000\",\"public\":\"203.0.113.1:5000\"," +
            "\"kind\":\"dynamic\",\"sessions\":1,\"expiresInMs\":-1}]"};
        final HttpServer admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/mappings", exchange -> reply(exchange, mappings[0]));
        admin.createContext("/sessions", exchange -> reply(exchange, "[{\"protocol\":\"udp\",\"inside\":" +
            "\"10.0.0.3:6000\",\"public\":\"203.0.113.1:5000\",\"remote\":\"198.51.100.8:123\",\"kind\":\"dynamic\"," +
            "\"expiresInMs\":1000}]"));
        admin.start();
        try
        {
            final String address = "--admin=127.0.0.1:" + admin.getAddress().getPort();
            assertEquals(0, run("replay", "--compare", address), err.toString());
            assertEquals("journal and gateway agree: 1 mappings, 1 sessions", out.toString().strip());

            out.getBuffer().setLength(0);
            mappings[0] = "[]";
            assertEquals(1, run("replay", "--compare", address));
            assertEquals("mappings only in the journal: udp 10.0.0.3:6000 203.0.113.1:5000 dynamic",
                out.toString().strip());
        }
        finally
        {
            admin.stop(0);
        }
    }

    @Test
    void shouldSayWhatIsWrongInOneLine()
    {
        assertEquals(1, run("show", "--type", "mapings"));
        assertTrue(err.toString().startsWith("natgate journal show: no entry type mapings (types: gateway-started,"),
            err.toString());

        err.getBuffer().setLength(0);
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertEquals(1, commandLine.execute("journal", "tail", "--journal", directory.resolve("none").toString()));
        assertEquals("natgate journal tail: no journal in " + directory.resolve("none") + System.lineSeparator(),
            err.toString());

        err.getBuffer().setLength(0);
        assertEquals(1, run("who", "--public", "203.0.113.1:5000", "--proto", "udp", "--at", "yesterday-ish"));
        assertTrue(err.toString().startsWith("natgate journal who: not a time: yesterday-ish"), err.toString());
    }

    private static void reply(final com.sun.net.httpserver.HttpExchange exchange, final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
