package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code natgate lab demo}: makes the lab, starts natgate in its gateway namespace, sends real
 * traffic from the client to the server through it (ping, an HTTP request, UDP both ways) and an
 * unsolicited connection from the server, prints a mark per check and the gateway's session table,
 * and removes everything, also when a step fails or the run is interrupted.
 */
public final class LabDemo
{
    /** The port of the HTTP server the demo starts in the server namespace. */
    public static final int HTTP_PORT = 8080;
    /** The UDP port of the demo's {@code nc -u -l} server. */
    public static final int UDP_PORT = 5353;

    private final PrintStream out;
    private final String pass;
    private final String fail;
    private final List<Check> checks = new ArrayList<>();

    /**
     * One check and what was seen.
     */
    public record Check(String name, boolean passed, String detail)
    {
    }

    public LabDemo(final PrintStream out)
    {
        this.out = out;
        final boolean unicode = out.charset().newEncoder().canEncode("✓✗");
        this.pass = unicode ? "✓" : "PASS";
        this.fail = unicode ? "✗" : "FAIL";
    }

    /**
     * Runs the demo on a lab of {@code topology} with ports of {@code backend}.
     *
     * @return the checks, in order; the demo passed when every one did.
     * @throws LabException when the lab or the gateway cannot be set up (after removing what was made).
     */
    public List<Check> run(final LabTopology topology, final Backend backend, final NatgateJvm jvm)
    {
        final Path directory = LabFiles.temporaryDirectory("natgate-lab-demo");
        try (Lab lab = Lab.up(topology, Lab.Forwarding.NATGATE))
        {
            out.println("lab: namespaces " + String.join(", ", topology.namespaces()) + " are up; client " +
                LabTopology.CLIENT_ADDRESS + " -> gateway " + LabTopology.GATEWAY_INSIDE_ADDRESS + " | " +
                LabTopology.PUBLIC_ADDRESS + " -> server " + LabTopology.SERVER_ADDRESS +
                " (no kernel addresses on the gateway, ip_forward=0)");
            final Path config = LabGatewayConfig.write(directory, backend, "small-2core");
            out.println("lab: starting natgate run --config " + config + " in " + lab.namespace(Role.GATEWAY));
            try (LabGateway gateway = LabGateway.start(lab, jvm, config, line -> out.println("  gateway | " + line)))
            {
                final LabProcess http = lab.start(Role.SERVER, "http server", null,
                    jvm.natgate("lab", "http-server", "--port", String.valueOf(HTTP_PORT), "--name", "server"));
                http.awaitLine(line -> line.startsWith(HttpTestServer.READY), LabGateway.START_TIMEOUT);
                out.println();
                runChecks(lab, gateway);
                out.println();
                printSessions(gateway);
                out.println();
                final int status = gateway.stop();
                final boolean stopped = gateway.output().contains(LabGateway.STOPPED);
                check("the gateway stops cleanly on SIGTERM", stopped,
                    (stopped ? "it printed \"" + LabGateway.STOPPED + "\"" : "it did not finish stopping") +
                    ", exit status " + status);
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
        return List.copyOf(checks);
    }

    /**
     * @return true when every check passed (and there was at least one).
     */
    public static boolean passed(final List<Check> checks)
    {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    private void runChecks(final Lab lab, final LabGateway gateway)
    {
        final LabTraffic.PingResult ping = LabTraffic.ping(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, 3);
        check("ping " + LabTopology.SERVER_ADDRESS + " from the client", ping.exitStatus() == 0 && ping.received() == 3,
            ping.received() + " of " + ping.transmitted() + " echo replies");

        final String url = "http://" + LabTopology.SERVER_ADDRESS + ":" + HTTP_PORT + "/";
        final LabTraffic.HttpResult http = LabTraffic.httpGet(lab, Role.CLIENT, url);
        check("HTTP GET " + url + " from the client",
            http.exitStatus() == 0 && http.body().contains("you are " + LabTopology.PUBLIC_ADDRESS + ":"),
            http.exitStatus() == 0 ? "server said: " + http.body().strip() : "curl exit " + http.exitStatus() +
                ": " + http.error());

        final LabTraffic.UdpExchange udp = LabTraffic.udpExchange(lab, Role.CLIENT, Role.SERVER,
            LabTopology.SERVER_ADDRESS, UDP_PORT, "hello over udp", "udp reply");
        check("UDP client -> " + LabTopology.SERVER_ADDRESS + ":" + UDP_PORT,
            "hello over udp".equals(udp.serverReceived()) && udp.serverSawPeer() != null &&
                udp.serverSawPeer().startsWith(LabTopology.PUBLIC_ADDRESS + ":"),
            udp.serverReceived() == null ? "the server received nothing" :
                "the server received \"" + udp.serverReceived() + "\" from " + udp.serverSawPeer());
        check("UDP server -> client (the reply through the mapping)", "udp reply".equals(udp.clientReceived()),
            udp.clientReceived() == null ? "the client received nothing" :
                "the client received \"" + udp.clientReceived() + "\"");

        final int probe = LabTraffic.tcpConnect(lab, Role.SERVER, LabTopology.PUBLIC_ADDRESS, 22);
        check("unsolicited TCP " + LabTopology.PUBLIC_ADDRESS + ":22 from the server is refused", probe != 0,
            probe == 0 ? "the connection was accepted" : "nc -z exit " + probe);
    }

    private void check(final String name, final boolean passed, final String detail)
    {
        checks.add(new Check(name, passed, detail));
        out.println((passed ? pass : fail) + " " + name + ": " + detail);
    }

    private void printSessions(final LabGateway gateway)
    {
        out.println("the gateway's sessions (GET /sessions):");
        final List<Map<String, Object>> sessions;
        try
        {
            sessions = gateway.sessions();
        }
        catch (final LabException ex)
        {
            out.println("  (cannot read them: " + ex.getMessage() + ")");
            return;
        }
        final String format = "  %-9s %-22s %-22s %-22s %s%n";
        out.printf(format, "protocol", "inside", "public", "remote", "kind");
        for (final Map<String, Object> session : sessions)
        {
            out.printf(format, session.get("protocol"), session.get("inside"), session.get("public"),
                session.get("remote"), session.get("kind"));
        }
        if (sessions.isEmpty())
        {
            out.println("  (none)");
        }
    }
}
