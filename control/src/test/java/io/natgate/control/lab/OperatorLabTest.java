package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.testing.DocumentedExamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.natgate.control.lab.LabTopology.ADMIN_ADDRESS;
import static io.natgate.control.lab.LabTopology.CLIENT2_ADDRESS;
import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's commands against a live gateway in the lab, with real traffic from the lab's clients: sessions
 * listed and filtered by the gateway, deleted and flushed on the worker and journaled, clients against the quotas,
 * the summary, and a scrape of {@code /metrics} that Debian's {@code promtool check metrics} accepts. Needs root
 * (CI runs it as root).
 */
@Timeout(120)
class OperatorLabTest
{
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final int UDP_PORT = 5353;

    private static LabFixture fixture;
    private static NatgateJvm jvm;

    @BeforeAll
    static void startLab()
    {
        jvm = NatgateJvm.current();
        fixture = LabFixture.start(Backend.AFPACKET);
    }

    @AfterAll
    static void removeLab()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    @Test
    void shouldListOnlyTheSessionsOfTheInsideHostTheFilterNames()
    {
        udp(Role.CLIENT, 41_001);
        udp(Role.CLIENT2, 41_002);

        final List<Map<String, Object>> client = sessions("?inside=" + CLIENT_ADDRESS);
        final List<Map<String, Object>> client2Udp = sessions("?inside=" + CLIENT2_ADDRESS + ":41002&proto=udp");

        assertTrue(client.stream().anyMatch(session -> (CLIENT_ADDRESS + ":41001").equals(session.get("inside"))),
            client.toString());
        assertTrue(client.stream().allMatch(session -> String.valueOf(session.get("inside"))
            .startsWith(CLIENT_ADDRESS + ":")), client.toString());
        assertEquals(1, client2Udp.size(), client2Udp.toString());
        assertEquals(SERVER_ADDRESS + ":" + UDP_PORT, client2Udp.getFirst().get("remote"));
        assertEquals("active", client2Udp.getFirst().get("state"));
    }

    @Test
    void shouldShowAnEstablishedTcpSessionWithItsStateInTheCliListing()
    {
        // a TCP connection held open (nc's standard input stays open) while it is listed
        try (LabProcess open = fixture.lab().start(Role.CLIENT, "nc", null, List.of("timeout", "30", "nc", "-n",
            "-p", "41010", SERVER_ADDRESS, String.valueOf(Iperf3.PORT))))
        {
            final String inside = "?inside=" + CLIENT_ADDRESS + ":41010&state=established";
            final long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sessions(inside).isEmpty() && deadlineNs - System.nanoTime() > 0)
            {
                Thread.onSpinWait();
            }

            final Exec.Result listing = cli("sessions", "--inside", CLIENT_ADDRESS + ":41010", "--proto", "tcp");

            assertTrue(listing.stdout().lines().anyMatch(line -> line.startsWith("tcp") &&
                line.contains(CLIENT_ADDRESS + ":41010") && line.contains(PUBLIC_ADDRESS + ":") &&
                line.contains(SERVER_ADDRESS + ":" + Iperf3.PORT) && line.contains("established")), listing.describe());
        }
    }

    @Test
    void shouldShowEachSessionsAgeAndItsPacketsAndBytesEachWay()
    {
        fixture.lab().exec(Role.CLIENT2, CLI_TIMEOUT, "ping", "-n", "-c", "1", "-e", "4241", SERVER_ADDRESS);
        final long startNs = System.nanoTime();
        // three echo requests of 100 data bytes (128-byte IP packets) half a second apart, and their replies
        final Exec.Result ping = fixture.lab().exec(Role.CLIENT2, CLI_TIMEOUT, "ping", "-n", "-c", "3", "-i", "0.5",
            "-s", "100", "-e", "4242", SERVER_ADDRESS);
        final String inside = CLIENT2_ADDRESS + ":4242";

        final List<Map<String, Object>> listed = sessions("?inside=" + inside + "&proto=icmp");
        final Exec.Result table = cli("sessions", "--inside", inside, "--proto", "icmp");
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

        assertTrue(ping.stdout().contains("3 received"), ping.describe());
        assertEquals(1, listed.size(), listed.toString());
        final Map<String, Object> session = listed.getFirst();
        assertEquals(List.of(3L, 384L, 3L, 384L), List.of((long)Json.number(session, "packetsOut"),
            (long)Json.number(session, "bytesOut"), (long)Json.number(session, "packetsIn"),
            (long)Json.number(session, "bytesIn")), session.toString());
        final long ageMs = (long)Json.number(session, "ageMs");
        assertTrue(ageMs >= 1000 && ageMs <= elapsedMs, "age " + ageMs + " ms, the pings took 1 s, the test " +
            elapsedMs + " ms");
        final List<String> row = table.stdout().lines().filter(line -> line.contains(inside))
            .map(line -> List.of(line.trim().split("\\s+"))).findFirst().orElseThrow(() -> new AssertionError(table.describe()));
        assertEquals(List.of("3", "384", "3", "384"), row.subList(row.size() - 4, row.size()), table.describe());
        assertTrue(row.get(row.size() - 6).matches("\\d+s") && Long.parseLong(row.get(row.size() - 6)
            .replace("s", "")) >= 1, "AGE column: " + table.describe());
    }

    @Test
    void shouldDeleteTheMatchingSessionOnTheWorkerAndJournalItsMappingRemoved()
    {
        udp(Role.CLIENT, 41_003);
        assertEquals(1, sessions("?inside=" + CLIENT_ADDRESS + ":41003").size());

        final Exec.Result delete = cli("sessions", "delete", "--inside", CLIENT_ADDRESS + ":41003", "--proto", "udp");

        assertEquals(0, delete.exitStatus(), delete.describe());
        assertEquals("1 session deleted", delete.stdout().strip(), delete.describe());
        assertEquals(List.of(), sessions("?inside=" + CLIENT_ADDRESS + ":41003"));
        final Exec.Result journal = cli("journal", "tail", "-n", "500", "--journal",
            fixture.directory().resolve("journal").toString());
        assertTrue(journal.stdout().lines().anyMatch(line -> line.contains("mapping-removed") &&
            line.contains(CLIENT_ADDRESS + ":41003")), journal.describe());
    }

    @Test
    void shouldRefuseADeleteThatNamesNoSessions()
    {
        final Exec.Result curl = fixture.lab().exec(Role.GATEWAY, CLI_TIMEOUT, "curl", "-s", "-o", "/dev/null",
            "-w", "%{http_code}", "-X", "DELETE", "http://" + ADMIN_ADDRESS + "/sessions");
        final Exec.Result cli = cli("sessions", "delete");

        assertEquals("400", curl.stdout().strip(), curl.describe());
        assertEquals(2, cli.exitStatus(), cli.describe());
        assertTrue(cli.stderr().contains("flush"), cli.describe());
    }

    @Test
    void shouldFlushEverySession()
    {
        udp(Role.CLIENT, 41_004);
        udp(Role.CLIENT2, 41_005);

        final Exec.Result flush = cli("sessions", "flush");

        assertEquals(0, flush.exitStatus(), flush.describe());
        assertTrue(flush.stdout().strip().matches("\\d+ sessions? deleted"), flush.describe());
        assertTrue(sessions("?proto=udp").stream().noneMatch(session ->
            String.valueOf(session.get("inside")).endsWith(":41004") ||
            String.valueOf(session.get("inside")).endsWith(":41005")), "after the flush");
    }

    @Test
    void shouldCountEachClientsPortsAndSessionsAgainstTheQuotas()
    {
        udp(Role.CLIENT, 41_006);
        udp(Role.CLIENT, 41_007);

        final List<Map<String, Object>> clients = Json.objects(Json.parse(fixture.gateway().admin("/clients")));
        final Exec.Result table = cli("clients");

        final Map<String, Object> client = clients.stream().filter(entry -> CLIENT_ADDRESS.equals(entry.get("inside")))
            .findFirst().orElseThrow(() -> new AssertionError(clients.toString()));
        final long listed = sessions("?inside=" + CLIENT_ADDRESS).size();
        assertEquals(listed, ((Number)client.get("sessions")).longValue(), clients.toString());
        assertTrue(((Number)client.get("ports")).intValue() >= 2, clients.toString());
        final int quota = ((Number)client.get("portQuota")).intValue();
        assertTrue(table.stdout().lines().anyMatch(line -> line.startsWith(CLIENT_ADDRESS + " ") &&
            line.contains(quota == 0 ? "unlimited" : " " + quota + " ")), table.describe());
    }

    @Test
    void shouldSummarizeSessionsByProtocolAndStateWithTableUse()
    {
        udp(Role.CLIENT, 41_008);

        final Object summary = Json.parse(fixture.gateway().admin("/summary"));
        final Exec.Result table = cli("summary");

        assertTrue(Json.number(summary, "sessions", "udp active") >= 1, summary.toString());
        final double used = Json.number(summary, "tables", "sessions", "used");
        final double capacity = Json.number(summary, "tables", "sessions", "capacity");
        assertTrue(capacity > 0 && used >= 1, summary.toString());
        assertEquals(100.0 * used / capacity, Json.number(summary, "tables", "sessions", "percent"), 0.01);
        assertTrue(Json.number(summary, "publicAddresses", PUBLIC_ADDRESS) >= 1, summary.toString());
        assertTrue(table.stdout().lines().anyMatch(line -> line.matches("udp\\s+active\\s+\\d+")), table.describe());
        assertTrue(table.stdout().lines().anyMatch(line -> line.matches("sessions\\s+\\d+\\s+\\d+\\s+[0-9.]+%")),
            table.describe());
    }

    @Test
    void shouldPassPromtoolCheckMetricsOnALiveScrape()
    {
        udp(Role.CLIENT, 41_009);
        final String scrape = fixture.gateway().admin("/metrics");

        final Exec.Result promtool = Exec.run(CLI_TIMEOUT, List.of("promtool", "check", "metrics"), scrape);

        assertEquals(0, promtool.exitStatus(), promtool.describe());
        assertEquals("", (promtool.stdout() + promtool.stderr()).strip(), promtool.describe());
        for (final String family : List.of("natgate_build_info", "natgate_table_capacity", "natgate_table_used",
            "natgate_journal_events_lost_total", "natgate_port_kernel_rx_dropped_total",
            "natgate_public_address_ports_in_use", "natgate_client_ports_in_use", "natgate_client_sessions",
            "natgate_ring_capacity_bytes"))
        {
            assertTrue(scrape.contains("# TYPE " + family + " "), family);
        }
        assertTrue(PrometheusText.sum(scrape, "natgate_client_ports_in_use", Map.of("inside", CLIENT_ADDRESS)) >= 1,
            scrape);
        assertTrue(PrometheusText.sum(scrape, "natgate_public_address_ports_in_use",
            Map.of("address", PUBLIC_ADDRESS)) >= 1, scrape);
    }

    @Test
    void shouldAnswerHeadMetricsWithHeadersOnlyAndNoWarning()
    {
        final int linesBefore = fixture.gateway().process().stderr().size();

        final Exec.Result head = fixture.lab().exec(Role.GATEWAY, CLI_TIMEOUT, "curl", "-sfI",
            "http://" + ADMIN_ADDRESS + "/metrics");

        assertEquals(0, head.exitStatus(), head.describe());
        assertTrue(head.stdout().startsWith("HTTP/1.1 200"), head.describe());
        assertTrue(fixture.gateway().healthy());
        final List<String> after = fixture.gateway().process().stderr();
        assertFalse(after.subList(linesBefore, after.size()).stream().anyMatch(line -> line.contains("WARNING")),
            after.toString());
    }

    @Test
    void shouldReloadStaticMappingsAndQuotasOnSighupAndSayWhatChanged() throws Exception
    {
        final java.nio.file.Path file = fixture.directory().resolve(LabGatewayConfig.FILE_NAME);
        final String original = java.nio.file.Files.readString(file);
        try
        {
            java.nio.file.Files.writeString(file, original.replace("\njournal:", """

                    - {protocol: udp, public: %s:7001, inside: %s:7001}
                  quotas: {portsPerClient: 500}
                journal:""".formatted(PUBLIC_ADDRESS, CLIENT2_ADDRESS)));
            final int linesBefore = fixture.gateway().output().size();

            Exec.check(List.of("kill", "-HUP", String.valueOf(fixture.gateway().process().pid())));

            fixture.gateway().awaitOutput(line -> line.contains("reload: nat.staticMappings: added"), Duration.ofSeconds(20));
            final List<String> said = fixture.gateway().output().subList(linesBefore, fixture.gateway().output().size());
            assertTrue(said.contains("natgate: reload: nat.staticMappings: added udp " + PUBLIC_ADDRESS + ":7001 -> " +
                CLIENT2_ADDRESS + ":7001: applied"), said.toString());
            assertTrue(said.stream().anyMatch(line ->
                line.matches("natgate: reload: nat.quotas: portsPerClient/sessionsPerClient \\d+/\\d+ -> 500/\\d+")),
                said.toString());
            assertTrue(fixture.gateway().healthy(), "still running after SIGHUP");
            final LabTraffic.UdpExchange udp = LabTraffic.udpExchange(fixture.lab(), Role.SERVER, Role.CLIENT2,
                PUBLIC_ADDRESS, 7001, "through the new forward", "back");
            assertEquals("through the new forward", udp.serverReceived());
            assertEquals("back", udp.clientReceived());
            final Map<String, Object> client = Json.objects(Json.parse(fixture.gateway().admin("/clients"))).stream()
                .filter(entry -> CLIENT2_ADDRESS.equals(entry.get("inside"))).findFirst().orElseThrow();
            assertEquals(500, ((Number)client.get("portQuota")).intValue());
        }
        finally
        {
            java.nio.file.Files.writeString(file, original);
            cli("reload");
        }
    }

    @Test
    void shouldLogEachMappingOnceAReloadSetsTheLogLevelToDebugAndStopWhenOneSetsItBack() throws Exception
    {
        final java.nio.file.Path file = fixture.directory().resolve(LabGatewayConfig.FILE_NAME);
        final String original = java.nio.file.Files.readString(file);
        try
        {
            java.nio.file.Files.writeString(file, original + "log: {level: debug}\n");
            final Exec.Result debug = cli("reload");
            fixture.gateway().awaitOutput(line -> line.equals("natgate: reload: log.level: info -> debug"),
                Duration.ofSeconds(20));
            udp(Role.CLIENT, 41_020);
            fixture.gateway().awaitOutput(line -> line.startsWith("natgate: mapping created udp " + CLIENT_ADDRESS +
                ":41020 -> " + PUBLIC_ADDRESS + ":") && line.endsWith(" dynamic"), Duration.ofSeconds(20));

            java.nio.file.Files.writeString(file, original);
            final Exec.Result info = cli("reload");
            fixture.gateway().awaitOutput(line -> line.equals("natgate: reload: log.level: debug -> info"),
                Duration.ofSeconds(20));
            final int linesBefore = fixture.gateway().output().size();
            udp(Role.CLIENT, 41_021);
            assertEquals(1, sessions("?inside=" + CLIENT_ADDRESS + ":41021").size());
            Thread.sleep(2_000); // the event thread's lag, were it to log the mapping
            final List<String> said = fixture.gateway().output().subList(linesBefore,
                fixture.gateway().output().size());

            assertEquals(0, debug.exitStatus(), debug.describe());
            assertEquals(0, info.exitStatus(), info.describe());
            assertTrue(said.stream().noneMatch(line -> line.contains(":41021")), said.toString());
        }
        finally
        {
            java.nio.file.Files.writeString(file, original);
            cli("reload");
        }
    }

    @Test
    void shouldRefuseABadFileOnReloadLeavingTheRunningConfigAndNameWhatNeedsARestart() throws Exception
    {
        final java.nio.file.Path file = fixture.directory().resolve(LabGatewayConfig.FILE_NAME);
        final String original = java.nio.file.Files.readString(file);
        try
        {
            java.nio.file.Files.writeString(file, original.replace("filtering: address-dependent",
                "filtering: sideways"));
            final Exec.Result refused = cli("reload");
            java.nio.file.Files.writeString(file, original.replace("filtering: address-dependent",
                "filtering: endpoint-independent\n  timeouts: {udp: 10m}"));
            final Exec.Result restart = cli("reload");

            assertEquals(1, refused.exitStatus(), refused.describe());
            assertTrue(refused.stderr().contains(file + ":") && refused.stderr().contains("nat.filtering=sideways") &&
                refused.stderr().contains("nothing changed"), refused.describe());
            assertEquals(0, restart.exitStatus(), restart.describe());
            assertTrue(restart.stdout().contains("needs a restart (running values kept): nat.filtering, nat.timeouts"),
                restart.describe());
            // the port forward of the running config still forwards
            final LabTraffic.HttpResult hello = LabTraffic.httpGet(fixture.lab(), Role.SERVER,
                "http://" + PUBLIC_ADDRESS + ":" + LabFixture.HTTP_PORT + "/");
            assertEquals(0, hello.exitStatus(), hello.error());
        }
        finally
        {
            java.nio.file.Files.writeString(file, original);
            cli("reload");
        }
    }

    @Test
    void shouldStampEveryLineTheGatewayLogsWithItsTime()
    {
        final List<String> raw = fixture.gateway().process().stdout();

        assertTrue(raw.size() > 3, raw.toString());
        for (final String line : raw)
        {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z .+"), line);
        }
    }

    @Test
    void shouldRefuseACountersFileALiveGatewayOwnsAndLeaveItInPlace() throws Exception
    {
        final java.nio.file.Path counters = fixture.directory().resolve(LabGateway.COUNTERS_FILE);
        final java.nio.file.Path second = fixture.directory().resolve("second.yaml");
        java.nio.file.Files.writeString(second, java.nio.file.Files.readString(fixture.directory().resolve(
            LabGatewayConfig.FILE_NAME)).replace("directory: journal", "directory: journal-second"));

        final Exec.Result run = fixture.lab().exec(Role.GATEWAY, CLI_TIMEOUT, jvm.natgate("run", "--config",
            second.toString(), "--counters", counters.toString()).toArray(String[]::new));
        final Exec.Result stat = cli("stat", "--once", "--counters", counters.toString());

        assertEquals(1, run.exitStatus(), run.describe());
        assertTrue(run.stderr().contains("counters file " + counters + " belongs to the gateway running as pid " +
            fixture.gateway().process().pid()), run.describe());
        assertEquals(0, stat.exitStatus(), stat.describe());
        assertTrue(stat.stdout().startsWith("natgate stat - pid " + fixture.gateway().process().pid() + " running"),
            stat.describe());
    }

    @Test
    void shouldPrintStatAsPlainTextIntoAPipe()
    {
        final List<String> command = new ArrayList<>(List.of("timeout", "6"));
        command.addAll(jvm.natgate("stat", "--interval", "0.2", "--counters",
            fixture.directory().resolve(LabGateway.COUNTERS_FILE).toString()));

        final Exec.Result stat = Exec.run(CLI_TIMEOUT, command);

        assertFalse(stat.stdout().contains("\u001b"), "escape codes in a pipe: " + stat.stdout());
        assertTrue(stat.stdout().lines().filter(line -> line.startsWith("natgate stat - pid ")).count() >= 2,
            stat.describe());
    }

    @Test
    void shouldRunEveryDocumentedCommandThatTalksToTheGatewayAndExitZero()
    {
        final java.util.Set<String> gatewayCommands = java.util.Set.of("sessions", "clients", "summary", "reload",
            "providers", "firewall sessions", "firewall rules");
        final java.nio.file.Path config = fixture.directory().resolve(LabGatewayConfig.FILE_NAME);
        final List<String> failures = new ArrayList<>();
        int ran = 0;
        for (final DocumentedExamples.Example example : DocumentedExamples.commands())
        {
            for (final List<String> arguments : DocumentedExamples.expand(example.text(),
                name -> DocumentedExamples.placeholder(name, config, fixture.directory())))
            {
                if (!gatewayCommands.contains(arguments.getFirst()) && (arguments.size() < 2 ||
                    !gatewayCommands.contains(arguments.get(0) + " " + arguments.get(1))))
                {
                    continue;
                }
                final Exec.Result result = cli(arguments.toArray(String[]::new));
                ran++;
                if (result.exitStatus() != 0)
                {
                    failures.add(example + " -> " + arguments + ": " + result.describe());
                }
            }
        }
        assertTrue(ran >= 10, ran + " documented commands run");
        assertEquals(List.of(), failures);
    }

    /**
     * One datagram from {@code role}'s port {@code sourcePort} to the server: a UDP session through the gateway.
     */
    private static void udp(final Role role, final int sourcePort)
    {
        fixture.lab().exec(role, CLI_TIMEOUT, "sh", "-c", "echo hello | nc -u -n -w 1 -p " + sourcePort + " " +
            SERVER_ADDRESS + " " + UDP_PORT);
    }

    private static List<Map<String, Object>> sessions(final String query)
    {
        return Json.objects(Json.parse(fixture.gateway().admin("/sessions" + query)));
    }

    /**
     * Runs {@code natgate ARGUMENTS} in the gateway's namespace, where its admin endpoint listens.
     */
    private static Exec.Result cli(final String... arguments)
    {
        final List<String> command = new ArrayList<>(jvm.natgate(arguments));
        return fixture.lab().exec(Role.GATEWAY, CLI_TIMEOUT, command.toArray(String[]::new));
    }
}
