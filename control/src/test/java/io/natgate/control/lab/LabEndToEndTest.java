package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.WorkerSteering;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.natgate.control.lab.LabTopology.CLIENT2_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients through natgate in the lab, once per backend and on AF_PACKET with 2 NAT workers (behind rx and tx
 * agents, and running to completion on sockets of their own the kernel steers frames to): the gateway's
 * ports have no kernel addresses and ip_forward is 0, so everything that gets through was forwarded by natgate. Each
 * test asserts on what the clients received. With 2 workers the first client sends from
 * {@value LabTopology#CLIENT_SECOND_ADDRESS}, on the other worker than the second client (the forwards' target), so
 * hairpinning crosses from one worker to the other. Needs root (CI runs it as root).
 */
@ParameterizedClass(name = "{0}")
@MethodSource("setups")
@Timeout(60)
class LabEndToEndTest
{
    private static LabFixture fixture;

    @Parameter
    Setup setup;

    /**
     * The gateway under test: its ports' backend and its number of NAT workers.
     */
    record Setup(Backend backend, int workers, String threading)
    {
        Setup(final Backend backend)
        {
            this(backend, 1, null);
        }

        boolean fannedOut()
        {
            return workers > 1 && "run-to-completion".equals(threading);
        }

        @Override
        public String toString()
        {
            return backend + (workers == 1 ? "" : ", " + workers + " workers " + threading);
        }
    }

    static List<Setup> setups()
    {
        return List.of(new Setup(Backend.AFPACKET), new Setup(Backend.AFXDP), new Setup(Backend.PCAP),
            new Setup(Backend.AFPACKET, 2, "shared-network"), new Setup(Backend.AFPACKET, 2, "run-to-completion"));
    }

    @BeforeParameterizedClassInvocation
    static void startLab(final Setup setup)
    {
        fixture = setup.workers() == 1 ? LabFixture.start(setup.backend()) :
            LabFixture.start(setup.backend(), setup.workers(), setup.threading());
    }

    @AfterParameterizedClassInvocation
    static void removeLab()
    {
        if (fixture != null)
        {
            fixture.close();
            fixture = null;
        }
    }

    @Test
    void shouldLeaveTheGatewayNamespaceWithoutAddressesAndForwarding()
    {
        final Lab lab = fixture.lab();
        final String addresses = lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "ip", "-o", "addr", "show").check()
            .stdout();
        assertTrue(addresses.lines().allMatch(line -> line.contains(" lo ")), addresses);
        assertEquals("0", lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "sysctl", "-n", "net.ipv4.ip_forward").check()
            .stdout().strip());
    }

    @Test
    void shouldOpenBothPortsOnTheBackendUnderTest()
    {
        final List<String> output = fixture.gateway().output();

        for (final String port : List.of("lan " + LabTopology.GATEWAY_INSIDE_INTERFACE,
            "wan " + LabTopology.GATEWAY_OUTSIDE_INTERFACE))
        {
            assertTrue(output.stream().anyMatch(line -> line.startsWith("natgate: port " + port + " " +
                setup.backend().configName() + " ")), output.toString());
        }
    }

    @Test
    void shouldRunTheWorkersItsProfileAsks()
    {
        final List<String> output = fixture.gateway().output();

        assertTrue(output.stream().anyMatch(line -> line.startsWith("natgate: profile ") &&
            line.contains(", " + setup.workers() + (setup.workers() == 1 ? " worker" : " workers"))), output.toString());
        for (final String port : List.of("lan", "wan"))
        {
            assertEquals(setup.fannedOut(), output.stream().anyMatch(line -> line.startsWith("natgate: port " + port +
                " afpacket fanout group ") && line.contains(": " + setup.workers() + " sockets, the kernel steers")),
                output.toString());
        }
    }

    @Test
    void shouldAnswerEveryPingOfTheClientToTheServer()
    {
        final LabTraffic.PingResult ping = LabTraffic.ping(fixture.lab(), Role.CLIENT, SERVER_ADDRESS, 3);

        assertEquals(0, ping.exitStatus(), ping.output());
        assertEquals(3, ping.received(), ping.output());
    }

    @Test
    void shouldCarryAnHttpRequestWithTheServerSeeingThePublicAddress()
    {
        final LabTraffic.HttpResult hello = LabTraffic.httpGet(fixture.lab(), Role.CLIENT, url(SERVER_ADDRESS, "/"));

        assertEquals(0, hello.exitStatus(), hello.error());
        assertTrue(hello.body().startsWith("hello from server; you are " + PUBLIC_ADDRESS + ":"), hello.body());
    }

    @Test
    void shouldCarryAMegabyteResponseIntact()
    {
        final LabTraffic.HttpResult download =
            LabTraffic.httpGet(fixture.lab(), Role.CLIENT, url(SERVER_ADDRESS, "/bytes/1000000"));

        assertEquals(0, download.exitStatus(), download.error());
        assertEquals(1_000_000, download.body().length());
        for (int i = 0; i < download.body().length(); i += 4099)
        {
            assertEquals((char)('a' + i % (64 * 1024) % 26), download.body().charAt(i), "byte " + i);
        }
    }

    @Test
    void shouldCarryUdpToTheServerAndItsReplyBack()
    {
        final LabTraffic.UdpExchange udp = LabTraffic.udpExchange(fixture.lab(), Role.CLIENT, Role.SERVER,
            SERVER_ADDRESS, 5353, "question", "answer");

        assertEquals("question", udp.serverReceived());
        assertTrue(udp.serverSawPeer().startsWith(PUBLIC_ADDRESS + ":"), udp.serverSawPeer());
        assertEquals("answer", udp.clientReceived());
    }

    @Test
    void shouldCarryAnIperf3TcpRun()
    {
        final Iperf3.TcpResult tcp =
            Iperf3.tcp(fixture.lab(), Role.CLIENT, SERVER_ADDRESS, Iperf3.PORT, 3);

        assertTrue(tcp.receivedBytes() > 1_000_000, tcp.toString());
        assertTrue(tcp.receivedBitsPerSecond() > 10e6, tcp.toString());
    }

    /**
     * The gateway's share of the loss: what iperf3 counts lost, less what the server's own kernel dropped at its socket
     * buffer ({@code UdpRcvbufErrors} in the server's namespace), which a busy shared machine makes happen whatever
     * forwards the traffic.
     */
    @Test
    void shouldDeliverAModerateIperf3UdpRunToTheServerLosingAtMostOnePercentOnTheWay()
    {
        final long serverDropsBefore = serverRcvbufErrors();
        final Iperf3.UdpResult udp =
            Iperf3.udp(fixture.lab(), Role.CLIENT, SERVER_ADDRESS, Iperf3.PORT, 3, "20M", 1400);
        final long serverDrops = serverRcvbufErrors() - serverDropsBefore;

        // 20 Mbit/s of 1400-byte datagrams for 3 s: about 5,360 sent.
        assertTrue(udp.sentPackets() > 5_000, udp.toString());
        final long lostOnTheWay = udp.lostPackets() - serverDrops;
        assertTrue(lostOnTheWay <= udp.sentPackets() / 100, () -> udp + "; " + serverDrops +
            " dropped by the server's socket buffer; where they went: " + lossDiagnostics());
    }

    private static long serverRcvbufErrors()
    {
        final String line = fixture.lab().exec(Role.SERVER, Exec.SETUP_TIMEOUT, "nstat", "-az", "UdpRcvbufErrors")
            .check().stdout().lines().filter(text -> text.startsWith("UdpRcvbufErrors")).findFirst().orElseThrow();
        return Long.parseLong(line.split("\\s+")[1]);
    }

    @Test
    void shouldRefuseAnUnsolicitedInboundConnectionAndCountTheDrop()
    {
        final Map<String, String> noMapping = Map.of("port", "wan", "reason", "no_mapping");
        final double dropsBefore = fixture.gateway().metric("natgate_drops_total", noMapping);

        final int status = LabTraffic.tcpConnect(fixture.lab(), Role.SERVER, PUBLIC_ADDRESS, 22);

        assertNotEquals(0, status, "the connection to " + PUBLIC_ADDRESS + ":22 was accepted");
        assertTrue(fixture.gateway().metric("natgate_drops_total", noMapping) > dropsBefore);
    }

    @Test
    void shouldForwardTheStaticTcpPortToTheSecondClient()
    {
        final LabTraffic.HttpResult hello =
            LabTraffic.httpGet(fixture.lab(), Role.SERVER, url(PUBLIC_ADDRESS, "/"));

        assertEquals(0, hello.exitStatus(), hello.error());
        assertTrue(hello.body().startsWith("hello from client2; you are " + SERVER_ADDRESS + ":"), hello.body());
    }

    @Test
    void shouldForwardTheStaticUdpPortToTheSecondClientAndCarryItsReply()
    {
        final LabTraffic.UdpExchange udp = LabTraffic.udpExchange(fixture.lab(), Role.SERVER, Role.CLIENT2,
            PUBLIC_ADDRESS, LabGatewayConfig.FORWARDED_UDP_PORT, "inbound", "outbound");

        assertEquals("inbound", udp.serverReceived());
        assertTrue(udp.serverSawPeer().startsWith(SERVER_ADDRESS + ":"), udp.serverSawPeer());
        assertEquals("outbound", udp.clientReceived());
    }

    /**
     * With several workers the two clients are on different ones, so the packets to client2 are handed from the
     * client's worker to client2's ({@code natgate_worker_handoffs_total}, counted by the sending worker).
     */
    @Test
    void shouldHairpinFromOneInsideClientToTheOtherThroughThePublicAddress()
    {
        final double handoffsBefore = fixture.gateway().metric("natgate_worker_handoffs_total", Map.of());

        final LabTraffic.HttpResult hello =
            LabTraffic.httpGet(fixture.lab(), Role.CLIENT, url(PUBLIC_ADDRESS, "/"));

        assertEquals(0, hello.exitStatus(), hello.error());
        // RFC 4787 REQ-9: client2 sees the client's public endpoint, not its inside address.
        assertTrue(hello.body().startsWith("hello from client2; you are " + PUBLIC_ADDRESS + ":"), hello.body());
        final double handoffs = fixture.gateway().metric("natgate_worker_handoffs_total", Map.of()) - handoffsBefore;
        if (setup.workers() > 1)
        {
            assertNotEquals(worker(fixture.clientAddress()), worker(CLIENT2_ADDRESS));
            assertTrue(handoffs > 0, "no hairpinned packet was handed between workers: " + handoffs);
        }
        else
        {
            assertEquals(0, handoffs);
        }
    }

    @Test
    void shouldListTheClientsSessionsOnTheAdminEndpoint()
    {
        assertEquals(0, LabTraffic.httpGet(fixture.lab(), Role.CLIENT, url(SERVER_ADDRESS, "/")).exitStatus());

        final List<Map<String, Object>> sessions = fixture.gateway().sessions();

        assertTrue(sessions.stream().anyMatch(session -> "tcp".equals(session.get("protocol")) &&
            String.valueOf(session.get("inside")).startsWith(fixture.clientAddress() + ":") &&
            String.valueOf(session.get("public")).startsWith(PUBLIC_ADDRESS + ":") &&
            (SERVER_ADDRESS + ":" + LabFixture.HTTP_PORT).equals(session.get("remote")) &&
            "dynamic".equals(session.get("kind"))), sessions.toString());
    }

    /**
     * Both clients reach the server; between them they are on every worker, and {@code /sessions}, gathered from
     * every worker, lists each one's session.
     */
    @Test
    void shouldListTheSessionsOfClientsOnEveryWorker()
    {
        final List<String> clients = List.of(fixture.clientAddress(), CLIENT2_ADDRESS);
        assertEquals(IntStream.range(0, setup.workers()).boxed().toList(),
            clients.stream().map(this::worker).distinct().sorted().toList(), clients.toString());
        for (final Role client : List.of(Role.CLIENT, Role.CLIENT2))
        {
            assertEquals(0, LabTraffic.httpGet(fixture.lab(), client, url(SERVER_ADDRESS, "/")).exitStatus());
        }

        final List<Map<String, Object>> sessions = fixture.gateway().sessions();

        for (final String client : clients)
        {
            assertTrue(sessions.stream().anyMatch(session -> "dynamic".equals(session.get("kind")) &&
                String.valueOf(session.get("inside")).startsWith(client + ":") &&
                (SERVER_ADDRESS + ":" + LabFixture.HTTP_PORT).equals(session.get("remote"))),
                client + " (worker " + worker(client) + ") has no session in " + sessions);
        }
    }

    /**
     * Traffic from both clients moves every worker's translated-packet counters ({@code worker} label of
     * {@code /metrics}: each worker's own set).
     */
    @Test
    void shouldTranslateOnEveryWorker()
    {
        final List<String> workers = IntStream.range(0, setup.workers()).mapToObj(String::valueOf).toList();
        final boolean labelled = PrometheusText.parse(fixture.gateway().admin("/metrics")).stream()
            .anyMatch(sample -> sample.labels().containsKey("worker"));
        assumeTrue(setup.workers() == 1 || labelled, "/metrics has no worker label");
        final double[] before = workers.stream().mapToDouble(this::translated).toArray();

        for (final Role client : List.of(Role.CLIENT, Role.CLIENT2))
        {
            final LabTraffic.PingResult ping = LabTraffic.ping(fixture.lab(), client, SERVER_ADDRESS, 2);
            assertEquals(2, ping.received(), ping.output());
        }

        for (int worker = 0; worker < workers.size(); worker++)
        {
            final double moved = translated(workers.get(worker)) - before[worker];
            assertTrue(moved >= 4, "worker " + workers.get(worker) + " translated " + moved +
                " packets of two pings each way");
        }
    }

    /**
     * @return the packets worker {@code worker} translated both ways, on every port; with one worker (no label) the
     * gateway's.
     */
    private double translated(final String worker)
    {
        final Map<String, String> labels = setup.workers() == 1 ? Map.of() : Map.of("worker", worker);
        return fixture.gateway().metric("natgate_port_translated_out_total", labels) +
            fixture.gateway().metric("natgate_port_translated_in_total", labels);
    }

    /**
     * @return the gateway's non-zero drop counters and the server's UDP receive errors, for a failure message.
     */
    private static String lossDiagnostics()
    {
        final String drops = PrometheusText.parse(fixture.gateway().admin("/metrics")).stream()
            .filter(sample -> sample.value() != 0 && (sample.name().contains("drop") || sample.name().contains("ring_used")))
            .map(Object::toString).collect(java.util.stream.Collectors.joining(", "));
        final String server = fixture.lab().exec(Role.SERVER, Exec.SETUP_TIMEOUT, "nstat", "-az", "UdpInErrors",
            "UdpRcvbufErrors").stdout().lines().skip(1).map(String::strip).collect(java.util.stream.Collectors.joining(", "));
        return "gateway " + (drops.isEmpty() ? "dropped nothing" : drops) + "; server " + server +
            "; load average " + fixture.lab().exec(Role.SERVER, Exec.SETUP_TIMEOUT, "cat", "/proc/loadavg").stdout().strip();
    }

    /**
     * @return the worker that owns inside host {@code address} in the gateway under test.
     */
    private int worker(final String address)
    {
        return WorkerSteering.insideWorker(Ipv4.parse(address), setup.workers());
    }

    private static String url(final String address, final String path)
    {
        return "http://" + address + ":" + LabFixture.HTTP_PORT + path;
    }
}
