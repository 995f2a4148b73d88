package io.natgate.control.firewall;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.HttpTestServer;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.LabTraffic;
import io.natgate.control.lab.NatgateJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.natgate.control.lab.LabTopology.CLIENT2_ADDRESS;
import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A private session opened from the command line on a running gateway in the lab, for user alice: the
 * server reaches the client's HTTP server through the session's one inbound mapping while the session
 * is open, and not before or after. The rules that need alice judge only what comes through her
 * session: the same client's plain outbound flow that only alice may make is still refused, and so is
 * the second client's, whose port forward keeps working. Needs root, like the other lab tests.
 */
@Timeout(150)
class FirewallLabTest
{
    private static final int CLIENT_PORT = 9000;
    private static final int ALICE_ONLY_PORT = 9001;
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private Lab lab;

    @AfterEach
    void removeLab()
    {
        if (lab != null)
        {
            lab.close();
        }
    }

    @Test
    void shouldOpenOneInboundPortForAlicesPrivateSessionLeavingTheHostsAndASecondHostsOtherTrafficAsItWas()
        throws IOException
    {
        lab = Lab.up(LabTopology.unique("fw"), Lab.Forwarding.NATGATE);
        final NatgateJvm jvm = NatgateJvm.current();
        final Path config = Files.writeString(directory.resolve(LabGatewayConfig.FILE_NAME),
            LabGatewayConfig.text(Backend.AFPACKET, "small-2core") + """
            firewall:
              rules:
                - {name: alice-web-in, action: allow, direction: inbound, protocol: tcp, ports: %1$d, user: alice}
                - {name: alice-out, action: allow, direction: outbound, protocol: tcp, ports: %2$d, user: alice}
                - {name: no-out-%2$d, action: deny, direction: outbound, protocol: tcp, ports: %2$d}
            """.formatted(CLIENT_PORT, ALICE_ONLY_PORT));
        final LabGateway gateway = LabGateway.start(lab, jvm, config, null);
        lab.start(Role.CLIENT, "http server in the client", null,
            jvm.natgate("lab", "http-server", "--port", String.valueOf(CLIENT_PORT), "--name", "client"))
            .awaitLine(line -> line.startsWith(HttpTestServer.READY), LabGateway.START_TIMEOUT);
        final int forwarded = LabGatewayConfig.FORWARDED_TCP_PORT;
        lab.start(Role.CLIENT2, "http server in the second client", null,
            jvm.natgate("lab", "http-server", "--port", String.valueOf(forwarded), "--name", "client2"))
            .awaitLine(line -> line.startsWith(HttpTestServer.READY), LabGateway.START_TIMEOUT);
        final String url = "http://" + PUBLIC_ADDRESS + ":" + CLIENT_PORT + "/";

        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.SERVER, PUBLIC_ADDRESS, CLIENT_PORT), "before the session");

        final Exec.Result open = firewall(jvm, "open", "--client", CLIENT_ADDRESS, "--user", "alice", "--protocol",
            "tcp", "--port", String.valueOf(CLIENT_PORT));
        assertEquals("session 1 open: private, client " + CLIENT_ADDRESS + ":0 via lan (10.0.0.1:0), user alice\n" +
            "mapping tcp " + PUBLIC_ADDRESS + ":" + CLIENT_PORT + " -> " + CLIENT_ADDRESS + ":" + CLIENT_PORT +
            " (any remote, until closed)\n", open.stdout(), open.stderr());

        final LabTraffic.HttpResult hello = LabTraffic.httpGet(lab, Role.SERVER, url);
        assertEquals(0, hello.exitStatus(), hello.error());
        assertTrue(hello.body().startsWith("hello from client; you are " + SERVER_ADDRESS + ":"), hello.body());
        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.SERVER, PUBLIC_ADDRESS, ALICE_ONLY_PORT),
            "one inbound port: no other port of the host is reachable");

        // the same host's unrelated traffic and a second host's: as without the session
        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.CLIENT, SERVER_ADDRESS, ALICE_ONLY_PORT));
        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.CLIENT2, SERVER_ADDRESS, ALICE_ONLY_PORT));
        for (final String host : new String[] {CLIENT_ADDRESS, CLIENT2_ADDRESS})
        {
            gateway.awaitOutput(line -> line.startsWith("natgate: firewall denied outbound tcp " + host + ":") &&
                line.endsWith(" -> " + SERVER_ADDRESS + ":" + ALICE_ONLY_PORT + ": NOT_AUTHENTICATED (rule alice-out)"),
                CLI_TIMEOUT);
        }
        assertEquals(3, LabTraffic.ping(lab, Role.CLIENT, SERVER_ADDRESS, 3).received(), "the host's plain ping");
        final LabTraffic.HttpResult toClient2 =
            LabTraffic.httpGet(lab, Role.SERVER, "http://" + PUBLIC_ADDRESS + ":" + forwarded + "/");
        assertEquals(0, toClient2.exitStatus(), toClient2.error());
        assertTrue(toClient2.body().startsWith("hello from client2;"), toClient2.body());

        final String sessions = firewall(jvm, "sessions", "--client", CLIENT_ADDRESS).stdout();
        assertTrue(sessions.contains("1   private  open   " + CLIENT_ADDRESS + ":0"), sessions);
        assertTrue(sessions.contains("alice"), sessions);
        assertTrue(firewall(jvm, "rules").stdout().contains(
            "1  alice-web-in  allow   inbound    tcp       any     any          " + CLIENT_PORT + "   alice  1"),
            "the rule that let the server in counted its one new flow");

        assertEquals("session 1 closed\n", firewall(jvm, "close", "1").stdout());
        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.SERVER, PUBLIC_ADDRESS, CLIENT_PORT), "after the session");
        assertTrue(gateway.output().contains("natgate: firewall session 1 opened: private client " + CLIENT_ADDRESS +
            ":0 via 10.0.0.1 user alice"), gateway.output().toString());
        assertTrue(gateway.output().contains("natgate: firewall session 1 opened inbound tcp " + PUBLIC_ADDRESS + ":" +
            CLIENT_PORT + " -> " + CLIENT_ADDRESS + ":" + CLIENT_PORT), gateway.output().toString());
        assertTrue(gateway.output().contains("natgate: firewall session 1 closed: private client " + CLIENT_ADDRESS +
            " user alice"), gateway.output().toString());
    }

    /**
     * {@code natgate firewall ...} in the gateway's namespace, where its admin endpoint listens.
     */
    private Exec.Result firewall(final NatgateJvm jvm, final String... arguments)
    {
        final String[] command = new String[arguments.length + 1];
        command[0] = "firewall";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return lab.exec(Role.GATEWAY, CLI_TIMEOUT, jvm.natgate(command).toArray(String[]::new)).check();
    }
}
