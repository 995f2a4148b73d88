package io.natgate.control.lab;

import io.natgate.control.gateway.LogTimestamps;
import io.natgate.control.lab.HaLab.Node;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two natgate gateways as an HA pair in their lab ({@link HaLab}): a TCP connection whose server speaks first (a
 * line every 100 ms) and a UDP flow (a datagram every 20 ms, echoed) go on through the standby after the active
 * is killed with SIGKILL; the gap each sees is measured and bounded by the configured timeout plus a margin. While
 * the traffic runs the standby's mapping and session digests equal the active's.
 */
class HaLabTest
{
    static final long TIMEOUT_MS = 500;
    /** What a UDP flow may lose beyond the timeout: the announcement, ARP resolution of both ends, scheduling. */
    static final long UDP_MARGIN_MS = 700;
    /** TCP also waits for its retransmission timer, which backs off (200 ms, 400 ms, ...) while nothing gets through. */
    static final long TCP_MARGIN_MS = 1500;
    private static final int PORT = 5055;
    /** Takeovers in a row (-Dnatgate.ha.rounds; docs/ha.md runs 10): the first kills gw1, then they alternate. */
    static final int ROUNDS = Integer.getInteger("natgate.ha.rounds", 2);
    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void shouldKeepTcpAndUdpGoingThroughStandbyAfterActiveIsKilled()
    {
        // a minute a takeover at most (a gateway restarting on a loaded machine), and set-up
        assertTimeoutPreemptively(Duration.ofSeconds(180 + 60L * ROUNDS), this::takeovers);
    }

    private void takeovers() throws Exception
    {
        final NatgateJvm jvm = NatgateJvm.current();
        final Path directory = LabFiles.temporaryDirectory("natgate-ha-lab-test");
        try (HaLab lab = HaLab.up("ng" + ProcessHandle.current().pid() + "ha-"))
        {
            final LabProcess gw1 = startGateway(lab, jvm, directory, Node.GW1, 200);
            awaitRole(lab, Node.GW1, "active");
            final LabProcess gw2 = startGateway(lab, jvm, directory, Node.GW2, 100);
            awaitStatus(lab, Node.GW2, status -> "standby".equals(status.get("role")) &&
                Boolean.TRUE.equals(status.get("synced")));

            final LabProcess server = lab.start(Node.SERVER, "ha probe server", directory, null,
                probe(jvm, "server", String.valueOf(PORT)));
            server.awaitLine(line -> line.startsWith("listening"), START);
            final LabProcess client = lab.start(Node.CLIENT, "ha probe client", directory, null,
                probe(jvm, "client", LabTopology.SERVER_ADDRESS, String.valueOf(PORT)));
            client.awaitLine(line -> line.startsWith("tcp "), START);
            client.awaitLine(line -> line.startsWith("udp "), START);
            Thread.sleep(1500);

            // the standby's tables follow the active's
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String active;
            String standby;
            do
            {
                active = digests(lab, Node.GW1);
                standby = digests(lab, Node.GW2);
            }
            while (!active.equals(standby) && System.nanoTime() - deadlineNs < 0);
            assertEquals(active, standby, "digests of the standby's tables");
            assertTrue(!active.startsWith("0:"), "mappings made: " + active);

            replicateBurst(lab, jvm, directory);
            linkCutWithBothAlive(lab, client, gw2);

            // takeovers: the active killed, the standby takes over, the killed one restarts and rejoins as standby
            Node victim = Node.GW1;
            LabProcess victimProcess = gw1;
            LabProcess survivorProcess = gw2;
            final List<String> gaps = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++)
            {
                final Node survivor = victim == Node.GW1 ? Node.GW2 : Node.GW1;
                final long killNs = System.nanoTime();
                Exec.check(List.of("kill", "-9", String.valueOf(victimProcess.pid())));
                awaitRole(lab, survivor, "active");
                Thread.sleep(4000);

                final List<long[]> tcp = arrivals(client, "tcp ");
                final List<long[]> udp = arrivals(client, "udp ");
                final long tcpGapMs = gapAround(tcp, killNs) / 1_000_000;
                final long udpGapMs = gapAround(udp, killNs) / 1_000_000;
                gaps.add(udpGapMs + "/" + tcpGapMs);
                System.out.printf("ha lab: round %d: %s killed, failover gap udp %d ms, tcp %d ms (timeout %d ms)%n",
                    round, victim, udpGapMs, tcpGapMs, TIMEOUT_MS);
                assertTrue(tcp.getLast()[0] - killNs > TimeUnit.SECONDS.toNanos(2), "TCP lines still arrive");
                assertTrue(udp.getLast()[0] - killNs > TimeUnit.SECONDS.toNanos(2), "UDP echoes still arrive");
                for (int i = 1; i < tcp.size(); i++)
                {
                    assertEquals(tcp.get(i - 1)[1] + 1, tcp.get(i)[1], "the TCP stream has every line, in order");
                }
                assertTrue(udpGapMs < TIMEOUT_MS + UDP_MARGIN_MS, "UDP gap " + udpGapMs + " ms");
                assertTrue(tcpGapMs < TIMEOUT_MS + TCP_MARGIN_MS, "TCP gap " + tcpGapMs + " ms");
                assertTrue(survivorProcess.stdout().stream().map(LogTimestamps::strip)
                    .anyMatch(line ->
                        line.startsWith("natgate: ha: standby -> active: peer silent on every path for ")),
                    survivorProcess.said());
                if (round == ROUNDS)
                {
                    break;
                }
                // the killed gateway comes back, stays standby (no preemption) and catches up
                final LabProcess restarted = startGateway(lab, jvm, directory, victim, victim == Node.GW1 ? 200 : 100);
                awaitStatus(lab, victim, status -> "standby".equals(status.get("role")) &&
                    Boolean.TRUE.equals(status.get("synced")));
                assertEquals(digests(lab, survivor), digests(lab, victim), "the rejoined standby caught up");
                victimProcess = survivorProcess;
                survivorProcess = restarted;
                victim = survivor;
            }
            System.out.println("ha lab: gaps udp/tcp ms " + gaps);
            final long[] udpGaps = gaps.stream().mapToLong(gap -> Long.parseLong(gap.split("/")[0])).sorted().toArray();
            System.out.printf("ha lab: failover over %d takeovers (UDP, a datagram every %d ms): median %d ms, " +
                "worst %d ms%n", udpGaps.length, HaProbe.UDP_INTERVAL_MS, udpGaps[(udpGaps.length - 1) / 2],
                udpGaps[udpGaps.length - 1]);

            // the operator's view of the last takeover: natgate ha status and the journal
            final Node survivor = victim == Node.GW1 ? Node.GW2 : Node.GW1;
            final Exec.Result shown = Exec.run(Duration.ofSeconds(60), lab.in(survivor, jvm.natgate("ha", "status",
                "--digests")));
            assertEquals(0, shown.exitStatus(), shown.describe());
            assertTrue(shown.stdout().lines().anyMatch(line -> line.matches("role +active")), shown.stdout());
            assertTrue(shown.stdout().lines().anyMatch(line -> line.matches("sessionDigest +[0-9]+:[0-9a-f]{64}")),
                shown.stdout());
            assertTrue(shown.stdout().lines().anyMatch(line ->
                line.matches("lastTransition +standby -> active at .*: peer silent on every path for [0-9]+ ms")),
                shown.stdout());
            final Exec.Result journaled = Exec.run(Duration.ofSeconds(60), jvm.natgate("journal", "tail", "--journal",
                directory.resolve(survivor.name().toLowerCase()).resolve("journal").toString(), "--type",
                "ha-transition", "-n", "10"));
            assertEquals(0, journaled.exitStatus(), journaled.describe());
            assertTrue(journaled.stdout().contains(
                "ha-transition from=standby to=active reason=peer_silent_on_every_path_for_"),
                journaled.stdout());
            client.stop();
            server.stop();
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    /**
     * The replication link cut (nftables at gw2's end) with both gateways alive: the peer is still heard on the second
     * heartbeat path, so gw2 stays standby (no announcement, no transition, not synced, link down in /ha), gw1 stays
     * active and the flows go on through it; when the link is back gw2 catches up by a snapshot (digests equal).
     */
    static void linkCutWithBothAlive(final HaLab lab, final LabProcess client, final LabProcess standbyProcess)
        throws InterruptedException
    {
        final Map<String, Object> before = status(lab, Node.GW2, "");
        final long cutNs = System.nanoTime();
        lab.cutLink(Node.GW2);
        awaitStatus(lab, Node.GW2, status -> Boolean.FALSE.equals(status.get("linkUp")));
        Thread.sleep(4 * TIMEOUT_MS);
        final Map<String, Object> active = status(lab, Node.GW1, "");
        final Map<String, Object> standby = status(lab, Node.GW2, "");
        assertEquals("active", active.get("role"), active.toString());
        assertEquals("standby", standby.get("role"), standby.toString());
        assertEquals("active", standby.get("peerRole"), standby.toString());
        assertEquals("standby", active.get("peerRole"), active.toString());
        assertEquals(Boolean.FALSE, standby.get("synced"), standby.toString());
        assertEquals(Boolean.TRUE, standby.get("heartbeatPathUp"), standby.toString());
        assertEquals(number(before, "linkLosses") + 1, number(standby, "linkLosses"), standby.toString());
        assertEquals(number(before, "transitions"), number(standby, "transitions"), "no transition: " + standby);
        assertEquals(number(before, "announcementsSent"), number(standby, "announcementsSent"),
            "no gratuitous ARP from the standby");
        assertTrue(standbyProcess.stdout().stream().map(LogTimestamps::strip).anyMatch(line ->
            line.startsWith("natgate: ha: standby: replication link down: peer heard on the heartbeat path")),
            standbyProcess.said());
        final List<long[]> udp = arrivals(client, "udp ");
        final List<long[]> tcp = arrivals(client, "tcp ");
        final long udpGapMs = gapAround(udp, cutNs) / 1_000_000;
        final long tcpGapMs = gapAround(tcp, cutNs) / 1_000_000;
        System.out.printf("ha lab: replication link cut with both alive: one active, flows through it, longest gap " +
            "udp %d ms, tcp %d ms%n", udpGapMs, tcpGapMs);
        assertTrue(udp.getLast()[0] - cutNs > TimeUnit.MILLISECONDS.toNanos(3 * TIMEOUT_MS), "UDP echoes still arrive");
        assertTrue(udpGapMs < 300, "UDP gap while the link is cut: " + udpGapMs + " ms");
        assertTrue(tcpGapMs < 300, "TCP gap while the link is cut: " + tcpGapMs + " ms");

        lab.restoreLink(Node.GW2);
        awaitStatus(lab, Node.GW2, status -> Boolean.TRUE.equals(status.get("linkUp")) &&
            Boolean.TRUE.equals(status.get("synced")));
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String digestsActive;
        String digestsStandby;
        do
        {
            digestsActive = digests(lab, Node.GW1);
            digestsStandby = digests(lab, Node.GW2);
        }
        while (!digestsActive.equals(digestsStandby) && System.nanoTime() - deadlineNs < 0);
        assertEquals(digestsActive, digestsStandby, "digests after the link is back");
        assertEquals("standby", status(lab, Node.GW2, "").get("role"));
    }

    /** New UDP sessions made at once from the client, to see the standby follow a burst. */
    static final int BURST_FLOWS = Integer.getInteger("natgate.ha.burst", 3000);

    /**
     * A burst of new sessions through the active: the standby applies every record (none lost, no gap) and ends with
     * the same tables. Prints how long it took and the lag the active saw, as figures (not asserted).
     */
    static void replicateBurst(final HaLab lab, final NatgateJvm jvm, final Path directory) throws InterruptedException
    {
        final long sentBefore = number(status(lab, Node.GW1, ""), "recordsSent");
        final long startNs = System.nanoTime();
        final LabProcess flows = lab.start(Node.CLIENT, "ha probe flows", directory, null,
            probe(jvm, "flows", LabTopology.SERVER_ADDRESS, String.valueOf(PORT), String.valueOf(BURST_FLOWS)));
        long maxLagRecords = 0;
        long maxLagNs = 0;
        long caughtUpNs = 0;
        long lastSent = -1;
        final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final Map<String, Object> active = status(lab, Node.GW1, "");
            final Map<String, Object> standby = status(lab, Node.GW2, "");
            maxLagRecords = Math.max(maxLagRecords, number(active, "lagRecords"));
            maxLagNs = Math.max(maxLagNs, number(active, "lagNs"));
            final long sent = number(active, "recordsSent");
            // the burst is over (the generator has exited, nothing new since the last look) and all of it applied
            if (!flows.isAlive() && sent == lastSent && number(standby, "appliedSequence") >= sent)
            {
                caughtUpNs = System.nanoTime() - startNs;
                break;
            }
            lastSent = sent;
            Thread.sleep(20);
        }
        assertTrue(caughtUpNs > 0, "the standby applied the burst's records: active " + status(lab, Node.GW1, "") +
            ", standby " + status(lab, Node.GW2, "") + ", flows " + flows.said() + ", summary " + lab.exec(Node.GW1,
            Duration.ofSeconds(10), "curl", "-sf", "http://" + LabTopology.ADMIN_ADDRESS + "/summary").stdout());
        final Map<String, Object> active = status(lab, Node.GW1, "");
        final Map<String, Object> standby = status(lab, Node.GW2, "");
        assertEquals(0, number(active, "recordsLost"), active.toString());
        assertEquals(0, number(standby, "gaps"), standby.toString());
        assertEquals(0, number(standby, "recordsRefused"), standby.toString());
        assertEquals(digests(lab, Node.GW1), digests(lab, Node.GW2), "digests after the burst");
        final long records = number(active, "recordsSent") - sentBefore;
        assertTrue(records > BURST_FLOWS / 2, "most of the burst made sessions: " + records);
        System.out.printf("ha lab: burst of %d flows: %d session records replicated and applied in %d ms from the " +
            "generator's start (%d records/s, generator-bound); lag seen by the active: max %d records, max %d us%n",
            BURST_FLOWS, records, caughtUpNs / 1_000_000, records * 1_000_000_000L / caughtUpNs, maxLagRecords,
            maxLagNs / 1000);
    }

    static long number(final Map<String, Object> status, final String key)
    {
        return status.get(key) instanceof Number number ? number.longValue() : 0;
    }

    static LabProcess startGateway(
        final HaLab lab, final NatgateJvm jvm, final Path directory, final Node node, final int priority)
    {
        final Path own = directory.resolve(node.name().toLowerCase());
        final String self = node == Node.GW1 ? HaLab.GATEWAY_LINK_1 : HaLab.GATEWAY_LINK_2;
        final String peer = node == Node.GW1 ? HaLab.GATEWAY_LINK_2 : HaLab.GATEWAY_LINK_1;
        final String selfPath = node == Node.GW1 ? HaLab.HEARTBEAT_PATH_1 : HaLab.HEARTBEAT_PATH_2;
        final String peerPath = node == Node.GW1 ? HaLab.HEARTBEAT_PATH_2 : HaLab.HEARTBEAT_PATH_1;
        final Path config;
        try
        {
            Files.createDirectories(own);
            config = Files.writeString(own.resolve("natgate-ha.yaml"), config(priority, self, peer, selfPath, peerPath));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final LabProcess process = lab.start(node, "natgate run " + node, own, null, jvm.natgate("run", "--config",
            config.toString(), "--counters", own.resolve("natgate.counters").toString()));
        process.awaitLine(line -> LogTimestamps.strip(line).startsWith(LabGateway.FORWARDING), START);
        return process;
    }

    static String config(
        final int priority, final String self, final String peer, final String selfPath, final String peerPath)
    {
        return """
            profile: small-2core
            ports:
              - {name: lan, interface: %s, backend: afpacket, role: inside, address: %s/24}
              - {name: wan, interface: %s, backend: afpacket, role: outside, address: %s/24}
            nat:
              publicAddresses: [%s]
              quotas: {portsPerClient: 16384, sessionsPerClient: 16384}
            journal:
              directory: journal
            admin:
              address: %s
            ha:
              priority: %d
              link: %s:%d
              peer: %s:%d
              timeout: %dms
              heartbeatLink: %s:%d
              heartbeatPeer: %s:%d
            """.formatted(LabTopology.GATEWAY_INSIDE_INTERFACE, LabTopology.GATEWAY_INSIDE_ADDRESS,
            LabTopology.GATEWAY_OUTSIDE_INTERFACE, LabTopology.PUBLIC_ADDRESS, LabTopology.PUBLIC_ADDRESS,
            LabTopology.ADMIN_ADDRESS, priority, self, HaLab.LINK_PORT, peer, HaLab.LINK_PORT, TIMEOUT_MS, selfPath, HaLab.HEARTBEAT_PORT, peerPath,
            HaLab.HEARTBEAT_PORT);
    }

    static List<String> probe(final NatgateJvm jvm, final String... arguments)
    {
        final List<String> command = new ArrayList<>(List.of(jvm.java(), "-cp", jvm.classPath(),
            HaProbe.class.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    static Map<String, Object> status(final HaLab lab, final Node node, final String query)
    {
        final Exec.Result result = lab.exec(node, Duration.ofSeconds(10), "curl", "-sf", "-m", "5",
            "http://" + LabTopology.ADMIN_ADDRESS + "/ha" + query);
        if (!result.succeeded())
        {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> status = (Map<String, Object>)Json.parse(result.stdout());
        return status;
    }

    static void awaitRole(final HaLab lab, final Node node, final String role) throws InterruptedException
    {
        awaitStatus(lab, node, status -> role.equals(status.get("role")));
    }

    static void awaitStatus(final HaLab lab, final Node node, final java.util.function.Predicate<Map<String, Object>> test)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + START.toNanos();
        Map<String, Object> status = Map.of();
        while (System.nanoTime() - deadlineNs < 0)
        {
            status = status(lab, node, "");
            if (test.test(status))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(node + " /ha: " + status);
    }

    static String digests(final HaLab lab, final Node node)
    {
        final Map<String, Object> status = status(lab, node, "?digests=true");
        return status.get("mappingDigest") + " " + status.get("sessionDigest");
    }

    /**
     * @return each line's {@code [arrival ns, sequence]} of the client's output starting with {@code kind}.
     */
    static List<long[]> arrivals(final LabProcess client, final String kind)
    {
        return client.stdout().stream().filter(line -> line.startsWith(kind)).map(line -> line.split(" "))
            .map(fields -> new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2].strip())}).toList();
    }

    /**
     * @return the longest time between two arrivals from a second before the kill on.
     */
    static long gapAround(final List<long[]> arrivals, final long killNs)
    {
        long gapNs = 0;
        for (int i = 1; i < arrivals.size(); i++)
        {
            if (arrivals.get(i)[0] - (killNs - TimeUnit.SECONDS.toNanos(1)) > 0)
            {
                gapNs = Math.max(gapNs, arrivals.get(i)[0] - arrivals.get(i - 1)[0]);
            }
        }
        return gapNs;
    }
}
