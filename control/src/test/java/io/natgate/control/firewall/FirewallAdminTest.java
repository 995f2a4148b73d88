package io.natgate.control.firewall;

import com.sun.net.httpserver.HttpServer;
import io.natgate.control.cli.Natgate;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.natgate.control.config.FirewallRuleConfig.Action.ALLOW;
import static io.natgate.control.config.FirewallRuleConfig.Direction.INBOUND;
import static io.natgate.control.firewall.FirewallHarness.CLIENT;
import static io.natgate.control.firewall.FirewallHarness.PUBLIC;
import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.dropReason;
import static io.natgate.control.firewall.FirewallHarness.ip;
import static io.natgate.control.firewall.FirewallHarness.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code natgate firewall sessions|open|close} against the admin endpoint's firewall routes, served
 * over a firewall whose NAT engine runs in memory.
 */
class FirewallAdminTest
{
    private final FirewallHarness harness = new FirewallHarness(List.of(
        rule("admins-ssh", ALLOW, INBOUND, "tcp", null, 22, null, "admins"),
        rule("sip", ALLOW, INBOUND, "udp", null, 5060, null, null)));
    private HttpServer server;
    private String admin;

    @BeforeEach
    void startAdmin() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext(FirewallAdmin.CONTEXT, new FirewallAdmin(harness.firewall));
        server.start();
        admin = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopAdmin()
    {
        server.stop(0);
    }

    private record Run(int status, String out, String err)
    {
    }

    private Run natgate(final String... arguments)
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        final List<String> withAdmin = new ArrayList<>(List.of(arguments));
        withAdmin.add("--admin");
        withAdmin.add(admin);
        final int status = commandLine.execute(withAdmin.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void shouldOpenListAndCloseAPrivateSessionWithAnInboundMappingFromTheCommandLine()
    {
        assertEquals(new Run(0, "no firewall sessions\n", ""), natgate("firewall", "sessions"));

        assertEquals(new Run(0, """
            session 1 open: private, client 10.0.0.7:0 via lan (10.0.0.1:0), user alice
            mapping tcp 203.0.113.1:2222 -> 10.0.0.7:22 (any remote, until closed)
            """, ""), natgate("firewall", "open", "--client", "10.0.0.7", "--user", "alice", "--group", "admins",
            "--protocol", "tcp", "--port", "22", "--public-port", "2222"));
        assertEquals(NatEngine.FORWARD, harness.synIn(REMOTE, 40000, 2222), "the client is reachable");

        assertEquals(new Run(0, "session 1: mapping udp 203.0.113.1:5060 -> 10.0.0.7:5060 (from 198.51.100.7, 30m)\n",
            ""), natgate("firewall", "open", "--session", "1", "--protocol", "udp", "--port", "5060", "--remote", REMOTE,
            "--lifetime", "30m"));

        harness.nowNs += 3 * FirewallHarness.SECOND_NS;
        assertEquals(new Run(0, """
            ID  KIND     STATE  CLIENT      INTERFACE  USER   FLAGS                  OPEN  MAPPINGS
            1   private  open   10.0.0.7:0  lan        alice  PRIVATE,AUTHENTICATED  3s    \
            tcp 203.0.113.1:2222 -> 10.0.0.7:22 (any remote, until closed); \
            udp 203.0.113.1:5060 -> 10.0.0.7:5060 (from 198.51.100.7, 30m)
            """, ""), natgate("firewall", "sessions"));

        assertEquals(new Run(0, "session 1: udp mapping to port 5060 closed\n", ""),
            natgate("firewall", "close", "1", "--protocol", "udp", "--port", "5060"));
        assertEquals(new Run(0, "session 1 closed\n", ""), natgate("firewall", "close", "1"));
        assertEquals(0, harness.engine.mappingCount());
        assertEquals(DropReason.NO_MAPPING, dropReason(harness.synIn(REMOTE, 40001, 2222)));

        assertTrue(natgate("firewall", "sessions").out().contains(
            "1   private  terminated  10.0.0.7:0  lan        alice  PRIVATE,AUTHENTICATED,TERMINATED  3s    -"),
            natgate("firewall", "sessions").out());
    }

    @Test
    void shouldOpenTheClientSessionOfASecureNatClient()
    {
        assertEquals(new Run(0, "session 1 open: client, client 10.0.0.8:0 via lan (10.0.0.1:0), anonymous\n", ""),
            natgate("firewall", "open", "--client", "10.0.0.8:3333", "--client-session"));
        assertEquals(1, harness.firewall.getClientSession(address("10.0.0.8")).id());
    }

    @Test
    void shouldReportTheFirewallsRefusalWithItsReason()
    {
        assertEquals(new Run(1, "", "natgate firewall: 192.168.5.5 is not a SecureNAT client of this gateway: no inside " +
            "network holds it (inside: lan 10.0.0.1/24, dmz 172.16.0.1/24) (NETWORK_RULES_DENIED)\n"),
            natgate("firewall", "open", "--client", "192.168.5.5", "--client-session"));

        harness.submit((commands, id) -> commands.addStaticMapping(
            id, Ipv4Protocols.TCP, ip(CLIENT), 22, ip(PUBLIC), 22));
        final Run refused = natgate("firewall", "open", "--client", "10.0.0.7", "--protocol", "tcp", "--port", "22");
        assertEquals(new Run(1, "", "natgate firewall: inbound tcp mapping to 10.0.0.7:22 refused by the NAT: inside " +
            "endpoint has a static mapping (NAT_ADDRESS_NOT_AVAILABLE)\n"), refused);
        assertTrue(harness.firewall.sessions().getFirst().isTerminated(),
            "a private session made for a mapping the NAT refused is not left behind");

        assertEquals(1, natgate("firewall", "close", "7").status());
        assertTrue(natgate("firewall", "open", "--client", "10.0.0.7", "--session", "1").err()
            .contains("give --client or --session"));
    }

    @Test
    void shouldSayWhenNoGatewayAnswers()
    {
        server.stop(0);
        final Run run = natgate("firewall", "sessions");
        assertEquals(1, run.status());
        assertEquals("natgate firewall: no gateway answers at " + admin +
            " (is natgate run going? --admin sets the address)\n", run.err());
    }

    @Test
    void shouldAnswerEachKindOfRefusalWithItsStatus() throws Exception
    {
        assertEquals(400, request("POST", "/firewall/sessions").statusCode(), "no client");
        assertEquals(400, request("POST", "/firewall/sessions?client=2001:db8::7").statusCode());
        assertEquals(201, request("POST", "/firewall/sessions?client=10.0.0.7").statusCode());
        final HttpResponse<String> exists = request("POST", "/firewall/sessions?client=10.0.0.7&kind=private");
        assertEquals(409, exists.statusCode());
        assertTrue(exists.body().contains("\"reason\": \"SESSION_EXISTS\""), exists.body());
        assertEquals(403, request("POST", "/firewall/sessions?client=198.51.100.7&kind=client").statusCode());
        assertEquals(404, request("DELETE", "/firewall/sessions?id=99").statusCode());
        assertEquals(404, request("DELETE", "/firewall/mappings?session=1&protocol=tcp&port=22").statusCode());
        assertEquals(405, request("PUT", "/firewall/sessions").statusCode());
        assertEquals(404, request("GET", "/firewall/rules/nope").statusCode());
        assertEquals(200, request("DELETE", "/firewall/sessions?id=1").statusCode());
        assertEquals(409, request("POST", "/firewall/mappings?session=1&protocol=tcp&port=22").statusCode(),
            "a terminated session");
    }

    private HttpResponse<String> request(final String method, final String path) throws Exception
    {
        try (HttpClient client = HttpClient.newHttpClient())
        {
            return client.send(HttpRequest.newBuilder(URI.create("http://" + admin + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
