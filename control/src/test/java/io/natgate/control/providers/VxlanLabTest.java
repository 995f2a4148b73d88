package io.natgate.control.providers;

import io.natgate.control.lab.Iperf3;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.LabTraffic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * natgate's VXLAN provider with a Linux kernel {@code vxlan} device as its peer: the device lives in the
 * lab's remote-site namespace behind the server and holds 192.0.2.1 on the remote subnet 192.0.2.0/24.
 * Ping and TCP (and an iperf3 run, whose figure is printed) from the inside client to that host cross the NAT and
 * the tunnel; deleting the device makes
 * the provider's session end, after the configured timeout, with other communication error, and adding it
 * again brings the tunnel back. Needs root (CI runs it as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class VxlanLabTest
{
    static final String NAME = "vxlan-42";
    static final String REMOTE_HOST = "192.0.2.1";
    static final String REMOTE_SUBNET = "192.0.2.0/24";
    static final String TUNNEL_TABLE = "100";
    static final int HTTP_PORT = 8080;
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final String CONFIG = """
        providers:
          - {type: vxlan, peer: %s:4789, vni: 42, remoteSubnet: 192.0.2.0/24, keepalive: 200ms, timeout: 2s}
        """.formatted(LabTopology.REMOTE_ADDRESS);

    private static ProvidersLab fixture;

    @BeforeAll
    static void start()
    {
        fixture = ProvidersLab.start("vx", CONFIG, lab ->
        {
            lab.check(Role.REMOTE, "ip", "rule", "add", "from", REMOTE_SUBNET, "lookup", TUNNEL_TABLE);
            addPeer(lab);
            lab.httpServer(Role.REMOTE, HTTP_PORT, "remote");
            Iperf3.server(lab.lab, Role.REMOTE, Iperf3.PORT);
            Iperf3.server(lab.lab, Role.SERVER, Iperf3.PORT);
        });
    }

    @AfterAll
    static void stop()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    /**
     * The kernel VTEP: VNI 42 to the gateway's public address, 192.0.2.1/24 on the tunnel, and what the remote
     * subnet sends (replies to the gateway's public address, the translated source of everything from inside)
     * routed into the tunnel by its source address: the tunnel's outer packets to that same address go from
     * 198.51.100.20 through the uplink. Linux refuses a plain route to 203.0.113.1 via vx0 (a circular route
     * for the outer packets), hence the policy rule, added once in {@link #start()}.
     */
    static void addPeer(final ProvidersLab fixture)
    {
        fixture.check(Role.REMOTE, "ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "remote",
            LabTopology.PUBLIC_ADDRESS, "local", LabTopology.REMOTE_ADDRESS, "dstport", "4789", "dev",
            LabTopology.HOST_INTERFACE);
        fixture.check(Role.REMOTE, "ethtool", "-K", "vx0", "tx", "off");
        fixture.check(Role.REMOTE, "ip", "addr", "add", REMOTE_HOST + "/24", "dev", "vx0");
        fixture.check(Role.REMOTE, "ip", "link", "set", "vx0", "up");
        fixture.check(Role.REMOTE, "ip", "route", "add", "default", "dev", "vx0", "table", TUNNEL_TABLE);
    }

    private static Map<String, Object> awaitUp()
    {
        final Map<String, Object> up = fixture.awaitProvider(NAME, instance -> "ACTIVE".equals(instance.get("state")) &&
            ((List<?>)instance.get("routes")).contains("192.0.2.0/24"), Duration.ofSeconds(30), "is active and routed");
        fixture.awaitOutput(NAME + ": 192.0.2.0/24 routed into the tunnel", Duration.ofSeconds(10));
        return up;
    }

    @Test
    @Order(1)
    void shouldRegisterOnceTheKernelPeerAnswersAndRouteTheRemoteSubnet()
    {
        final Map<String, Object> instance = awaitUp();

        assertEquals("cp0", instance.get("port"));
        assertTrue(fixture.gateway().output().contains("natgate: " + NAME + ": peer " + LabTopology.REMOTE_ADDRESS +
            " answers: registering"), fixture.gateway().output().toString());
    }

    @Test
    @Order(2)
    void shouldCarryPingFromTheClientToTheRemoteHostThroughTheTunnel()
    {
        awaitUp();

        final LabTraffic.PingResult ping = LabTraffic.ping(fixture.lab, Role.CLIENT, REMOTE_HOST, 5);

        assertEquals(0, ping.exitStatus(), ping.output());
        assertEquals(5, ping.received(), ping.output());
        final String neighbours = fixture.exec(Role.REMOTE, "ip", "neigh", "show", "dev", "vx0").stdout();
        assertTrue(neighbours.contains(LabTopology.PUBLIC_ADDRESS + " lladdr 02:4e:47:00:00:2a"),
            "the kernel peer resolved the gateway's side by ARP through the tunnel: " + neighbours);
    }

    @Test
    @Order(3)
    void shouldCarryTcpFromTheClientToTheRemoteHostWhichSeesThePublicAddress()
    {
        awaitUp();

        final LabTraffic.HttpResult hello = LabTraffic.httpGet(fixture.lab, Role.CLIENT,
            "http://" + REMOTE_HOST + ":" + HTTP_PORT + "/");
        final LabTraffic.HttpResult megabyte = LabTraffic.httpGet(fixture.lab, Role.CLIENT,
            "http://" + REMOTE_HOST + ":" + HTTP_PORT + "/bytes/1000000");

        assertEquals(0, hello.exitStatus(), hello.error());
        assertTrue(hello.body().startsWith("hello from remote; you are " + LabTopology.PUBLIC_ADDRESS + ":"),
            hello.body());
        assertEquals(0, megabyte.exitStatus(), megabyte.error());
        assertEquals(1_000_000, megabyte.body().length());
    }

    @Test
    @Order(4)
    void shouldCarryAnIperf3TcpRunThroughTheTunnel()
    {
        awaitUp();

        final Iperf3.TcpResult tunnel = Iperf3.tcp(fixture.lab, Role.CLIENT, REMOTE_HOST, Iperf3.PORT, 5);
        final Iperf3.TcpResult plain = Iperf3.tcp(fixture.lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, Iperf3.PORT, 5);

        System.out.printf("FIGURE vxlan tunnel iperf3 TCP client->192.0.2.1 5 s: %.1f Mbit/s received, %d bytes, " +
            "%d retransmits%n", tunnel.receivedBitsPerSecond() / 1e6, tunnel.receivedBytes(), tunnel.retransmits());
        System.out.printf("FIGURE same lab, plain NAT iperf3 TCP client->203.0.113.2 5 s: %.1f Mbit/s received, " +
            "%d retransmits%n", plain.receivedBitsPerSecond() / 1e6, plain.retransmits());
        assertTrue(tunnel.receivedBitsPerSecond() > 10e6, tunnel.toString());
    }

    @Test
    @Order(5)
    void shouldTerminateWithOtherCommunicationErrorWhenThePeerIsGoneAndRegisterAgainWhenItReturns()
    {
        awaitUp();

        final long deletedNs = System.nanoTime();
        fixture.check(Role.REMOTE, "ip", "link", "del", "vx0");

        final Map<String, Object> down = fixture.awaitProvider(NAME, instance ->
            "OTHER_COMMUNICATION_ERROR".equals(instance.get("reason")) && "CREATED".equals(instance.get("state")),
            Duration.ofSeconds(20), "is terminated (other communication error) and deregistered");
        final long downMs = (System.nanoTime() - deletedNs) / 1_000_000;
        assertTrue(downMs >= TIMEOUT.toMillis() - 250, "not before the timeout: " + downMs + " ms");
        assertTrue(((List<?>)down.get("routes")).isEmpty(), down.toString());
        assertTrue(fixture.gateway().output().stream().anyMatch(line ->
            line.contains("terminated") && line.contains("OTHER_COMMUNICATION_ERROR")), fixture.gateway().output()
            .toString());
        assertEquals(0, LabTraffic.ping(fixture.lab, Role.CLIENT, REMOTE_HOST, 2).received(), "no tunnel, no answer");

        addPeer(fixture);

        awaitUp();
        final LabTraffic.PingResult ping = LabTraffic.ping(fixture.lab, Role.CLIENT, REMOTE_HOST, 3);
        assertEquals(3, ping.received(), ping.output());
        System.out.printf("FIGURE vxlan peer deleted -> session terminated after %d ms (timeout %s)%n", downMs,
            TIMEOUT);
    }

    @Test
    @Order(6)
    void shouldDeregisterAndStopCleanlyWithTheGateway()
    {
        awaitUp();

        assertEquals(0, fixture.gateway().stop(), fixture.gateway().output().toString());

        final List<String> output = fixture.gateway().output();
        assertTrue(output.stream().anyMatch(line -> line.matches("natgate: provider \\d+ terminated: PROVIDER_REQUEST")),
            output.toString());
        assertTrue(output.stream().noneMatch(line -> line.contains("provider error")), output.toString());
    }
}
