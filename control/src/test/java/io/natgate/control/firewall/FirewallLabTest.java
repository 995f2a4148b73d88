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

import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A private session opened from the command line on a running gateway in the lab: the server reaches
 * the client's HTTP server through the session's inbound mapping while the session is open, and not
 * before or after. Needs root, like the other lab tests.
 */
@Timeout(120)
class FirewallLabTest
{
    private static final int CLIENT_PORT = 9000;
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
    void shouldReachAClientFromOutsideOnlyWhileThePrivateSessionOpenedForItIsOpen() throws IOException
    {
        lab = Lab.up(LabTopology.unique("fw"), Lab.Forwarding.NATGATE);
        final NatgateJvm jvm = NatgateJvm.current();
        final Path config = Files.writeString(directory.resolve(LabGatewayConfig.FILE_NAME),
            LabGatewayConfig.text(Backend.AFPACKET, "small-2core") + """
            firewall:
              rules:
                - {name: client-web-in, action: allow, direction: inbound, protocol: tcp, ports: %d}
            """.formatted(CLIENT_PORT));
        final LabGateway gateway = LabGateway.start(lab, jvm, config, null);
        lab.start(Role.CLIENT, "http server in the client", null,
            jvm.natgate("lab", "http-server", "--port", String.valueOf(CLIENT_PORT), "--name", "client"))
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
        assertTrue(firewall(jvm, "sessions").stdout().contains("1   private  open   " + CLIENT_ADDRESS + ":0"));

        assertEquals("session 1 closed\n", firewall(jvm, "close", "1").stdout());
        assertNotEquals(0, LabTraffic.tcpConnect(lab, Role.SERVER, PUBLIC_ADDRESS, CLIENT_PORT), "after the session");
        assertTrue(gateway.output().contains("natgate: firewall session 1 opened: private client " + CLIENT_ADDRESS +
            ":0 via 10.0.0.1 user alice"), gateway.output().toString());
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
