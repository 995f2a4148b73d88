package io.natgate.control.journal;

import io.natgate.control.cli.Natgate;
import io.natgate.control.config.Backend;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabProcess;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Warm restart end to end in the lab: a TCP connection from the client to the server through natgate
 * exchanges a line each way every 100 ms; the gateway is killed with SIGKILL and started again over its
 * journal (destinations journaled); the connection goes on. The server speaks first, so the first packet
 * after the restart comes from outside and passes only because the session was restored. Then
 * {@code natgate journal who} names the client as the holder of the connection's public endpoint. Needs root.
 */
@EnabledIf("io.natgate.control.lab.Lab#runningAsRoot")
@Timeout(240)
class WarmRestartLabTest
{
    private static final int PORT = 9300;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldKeepATcpConnectionGoingAcrossAKill9AndRestartOfTheGateway() throws Exception
    {
        final Path directory = LabFiles.temporaryDirectory("natgate-warm-restart");
        try (Lab lab = Lab.up(LabTopology.unique("journal"), Lab.Forwarding.NATGATE))
        {
            final NatgateJvm jvm = NatgateJvm.current();
            final String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core")
                .replace("  directory: journal\n", "  directory: journal\n  destinations: true\n");
            assertTrue(text.contains("destinations: true"), text);
            final Path config = Files.writeString(directory.resolve(LabGatewayConfig.FILE_NAME), text);

            LabGateway gateway = LabGateway.start(lab, jvm, config, null);
            final LabProcess server = lab.start(Role.SERVER, "ping-pong server", null,
                JournalChild.command(TcpPingPong.class, "server", String.valueOf(PORT)));
            server.awaitLine(line -> line.equals("listening"), WAIT);
            final LabProcess client = lab.start(Role.CLIENT, "ping-pong client", null,
                JournalChild.command(TcpPingPong.class, "client", LabTopology.SERVER_ADDRESS, String.valueOf(PORT)));
            server.awaitLine(line -> line.equals("tock 10"), WAIT);

            final List<Map<String, Object>> sessions = gateway.sessions();
            final Map<String, Object> session = sessions.stream()
                .filter(candidate -> String.valueOf(candidate.get("remote")).endsWith(":" + PORT)).findFirst()
                .orElseThrow(() -> new AssertionError("no session to the server: " + sessions));

            final long pid = gateway.process().pid();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            assertTrue(gateway.process().waitFor(Duration.ofSeconds(30)) != 0, "killed");
            final int before = lastTock(server);

            gateway = LabGateway.start(lab, jvm, config, null);
            try
            {
                final int after = before + 30;
                server.awaitLine(line -> line.equals("tock " + after), WAIT);
                assertTrue(client.isAlive(), client.said());
                assertTrue(gateway.output().stream().anyMatch(line -> line.startsWith("natgate: warm restart: ") &&
                    !line.contains(" 0 sessions restored")), gateway.output().toString());
                assertTrue(gateway.sessions().stream().anyMatch(candidate ->
                    candidate.get("public").equals(session.get("public")) &&
                    candidate.get("inside").equals(session.get("inside"))), "same public endpoint after the restart");

                final StringWriter out = new StringWriter();
                final CommandLine natgate = Natgate.newCommandLine();
                natgate.setOut(new PrintWriter(out, true));
                assertEquals(0, natgate.execute("journal", "who", "--config", config.toString(), "--public",
                    String.valueOf(session.get("public")), "--proto", "tcp", "--at", "now"), out.toString());
                assertTrue(out.toString().contains(": " + session.get("inside") + " (dynamic mapping)"), out.toString());
                assertTrue(out.toString().contains("session with " + session.get("remote")), out.toString());
            }
            finally
            {
                gateway.close();
                client.close();
                server.close();
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    private static int lastTock(final LabProcess server)
    {
        final List<String> lines = server.stdout();
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            if (lines.get(i).startsWith("tock "))
            {
                return Integer.parseInt(lines.get(i).substring(5));
            }
        }
        return 0;
    }
}
