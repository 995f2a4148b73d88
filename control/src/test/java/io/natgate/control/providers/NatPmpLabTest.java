package io.natgate.control.providers;

import io.natgate.control.lab.Exec;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.LabTraffic;
import io.natgate.control.providers.pcp.PcpProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's {@code natpmpc} (libnatpmp, a NAT-PMP client no one here wrote) in the lab's client namespace
 * against natgate's NAT-PMP/PCP provider: it learns the public address, maps a UDP and a TCP port, and the
 * server then reaches the client's listeners through the mapped public ports; after {@code natpmpc} deletes a
 * mapping (lifetime 0), or a mapping's lifetime ends, the server no longer gets through. The firewall allows
 * inbound connections to ports 9000-9100 only, as an operator would for mapped ports. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class NatPmpLabTest
{
    static final String CONFIG = """
        providers:
          - {type: natpmp-pcp, ports: [lan], minLifetime: 1s}
        firewall:
          rules:
            - {name: mapped-tcp-in, action: allow, direction: inbound, protocol: tcp, ports: 9000-9100}
            - {name: mapped-udp-in, action: allow, direction: inbound, protocol: udp, ports: 9000-9100}
        """;
    static final int UDP_PORT = 9000;
    static final int TCP_PORT = 9001;
    static final int SHORT_LIVED_PORT = 9002;

    private static ProvidersLab fixture;

    @BeforeAll
    static void start()
    {
        fixture = ProvidersLab.start("pmp", CONFIG, lab ->
        {
            lab.awaitActive(PcpProvider.NAME);
            lab.httpServer(Role.CLIENT, TCP_PORT, "client");
            lab.httpServer(Role.CLIENT, SHORT_LIVED_PORT, "client");
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
     * {@code natpmpc ARGUMENTS} in the client namespace; it finds the gateway from the default route.
     */
    private static Exec.Result natpmpc(final String... arguments)
    {
        final String[] command = new String[arguments.length + 1];
        command[0] = "natpmpc";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return fixture.exec(Role.CLIENT, command);
    }

    private static String url(final int port)
    {
        return "http://" + PUBLIC_ADDRESS + ":" + port + "/";
    }

    @Test
    @Order(1)
    void shouldTellNatpmpcThePublicAddress()
    {
        final Exec.Result result = natpmpc();

        assertEquals(0, result.exitStatus(), result.describe());
        assertTrue(result.stdout().contains("using gateway : " + LabTopology.GATEWAY_INSIDE_ADDRESS), result.stdout());
        assertTrue(result.stdout().contains("Public IP address : " + PUBLIC_ADDRESS), result.stdout());
    }

    @Test
    @Order(2)
    void shouldMapAUdpPortForNatpmpcThroughWhichTheServerReachesTheClient()
    {
        assertNull(LabTraffic.udpExchange(fixture.lab, Role.SERVER, Role.CLIENT, PUBLIC_ADDRESS, UDP_PORT, "before",
            "no").serverReceived(), "received before the mapping");

        final Exec.Result mapped = natpmpc("-a", String.valueOf(UDP_PORT), String.valueOf(UDP_PORT), "udp", "3600");

        assertEquals(0, mapped.exitStatus(), mapped.describe());
        assertTrue(mapped.stdout().contains("Mapped public port " + UDP_PORT + " protocol UDP to local port " +
            UDP_PORT + " liftime 3600"), mapped.stdout());
        final LabTraffic.UdpExchange exchange = LabTraffic.udpExchange(fixture.lab, Role.SERVER, Role.CLIENT,
            PUBLIC_ADDRESS, UDP_PORT, "to the client", "from the client");
        assertEquals("to the client", exchange.serverReceived());
        assertTrue(exchange.serverSawPeer().startsWith(SERVER_ADDRESS + ":"), exchange.serverSawPeer());
        assertEquals("from the client", exchange.clientReceived());
    }

    @Test
    @Order(3)
    void shouldMapATcpPortForNatpmpcThroughWhichTheServerReachesTheClientsHttpServer()
    {
        assertNotEquals(0, LabTraffic.tcpConnect(fixture.lab, Role.SERVER, PUBLIC_ADDRESS, TCP_PORT), "before");

        final Exec.Result mapped = natpmpc("-a", String.valueOf(TCP_PORT), String.valueOf(TCP_PORT), "tcp", "3600");

        assertEquals(0, mapped.exitStatus(), mapped.describe());
        assertTrue(mapped.stdout().contains("Mapped public port " + TCP_PORT + " protocol TCP to local port " +
            TCP_PORT + " liftime 3600"), mapped.stdout());
        final LabTraffic.HttpResult hello = LabTraffic.httpGet(fixture.lab, Role.SERVER, url(TCP_PORT));
        assertEquals(0, hello.exitStatus(), hello.error());
        assertTrue(hello.body().startsWith("hello from client; you are " + SERVER_ADDRESS + ":"), hello.body());
        final String sessions = fixture.gateway().admin("/firewall/sessions");
        assertTrue(sessions.contains("\"inside\": \"" + LabTopology.CLIENT_ADDRESS + ":" + TCP_PORT + "\", \"public\": \"" +
            PUBLIC_ADDRESS + ":" + TCP_PORT + "\""), "an inbound mapping of the client's firewall session: " + sessions);
    }

    @Test
    @Order(4)
    void shouldCloseTheMappingsNatpmpcDeletes()
    {
        natpmpc("-a", String.valueOf(TCP_PORT), String.valueOf(TCP_PORT), "tcp", "3600").check();
        natpmpc("-a", String.valueOf(UDP_PORT), String.valueOf(UDP_PORT), "udp", "3600").check();
        assertEquals(0, LabTraffic.tcpConnect(fixture.lab, Role.SERVER, PUBLIC_ADDRESS, TCP_PORT), "mapped");

        final Exec.Result tcp = natpmpc("-a", String.valueOf(TCP_PORT), String.valueOf(TCP_PORT), "tcp", "0");
        final Exec.Result udp = natpmpc("-a", String.valueOf(UDP_PORT), String.valueOf(UDP_PORT), "udp", "0");

        assertTrue(tcp.stdout().contains("Mapped public port 0 protocol TCP to local port " + TCP_PORT + " liftime 0"),
            tcp.stdout());
        assertTrue(udp.succeeded(), udp.describe());
        assertNotEquals(0, LabTraffic.tcpConnect(fixture.lab, Role.SERVER, PUBLIC_ADDRESS, TCP_PORT), "deleted");
        assertNull(LabTraffic.udpExchange(fixture.lab, Role.SERVER, Role.CLIENT, PUBLIC_ADDRESS, UDP_PORT, "after",
            "no").serverReceived(), "deleted");
    }

    @Test
    @Order(5)
    void shouldCloseAMappingWhenItsLifetimeEnds()
    {
        final Exec.Result mapped =
            natpmpc("-a", String.valueOf(SHORT_LIVED_PORT), String.valueOf(SHORT_LIVED_PORT), "tcp", "2");
        assertTrue(mapped.stdout().contains("liftime 2"), mapped.stdout());
        assertEquals(0, LabTraffic.tcpConnect(fixture.lab, Role.SERVER, PUBLIC_ADDRESS, SHORT_LIVED_PORT), "mapped");

        ProvidersLab.sleep(3_000);

        assertNotEquals(0, LabTraffic.tcpConnect(fixture.lab, Role.SERVER, PUBLIC_ADDRESS, SHORT_LIVED_PORT), "expired");
        final Map<String, Object> instance = fixture.provider(PcpProvider.NAME);
        assertEquals("ACTIVE", instance.get("state"));
    }

    @Test
    @Order(6)
    void shouldCloseItsMappingsDeregisterAndStopCleanlyWithTheGateway()
    {
        natpmpc("-a", String.valueOf(TCP_PORT), String.valueOf(TCP_PORT), "tcp", "3600").check();

        assertEquals(0, fixture.gateway().stop(), fixture.gateway().output().toString());

        final java.util.List<String> output = fixture.gateway().output();
        assertTrue(output.contains("natgate: " + PcpProvider.NAME + ": session ended (PROVIDER_REQUEST), 1 mapping(s) " +
            "closed"), output.toString());
        assertTrue(output.stream().anyMatch(line -> line.matches("natgate: provider \\d+ deregistered")),
            output.toString());
        assertTrue(output.stream().noneMatch(line -> line.contains("provider error")), output.toString());
    }
}
