package io.natgate.control.firewall;

import com.sun.net.httpserver.HttpServer;
import io.natgate.control.cli.Natgate;
import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.TcpSegment;
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
import static io.natgate.control.config.FirewallRuleConfig.Action.DENY;
import static io.natgate.control.config.FirewallRuleConfig.Direction.INBOUND;
import static io.natgate.control.config.FirewallRuleConfig.Direction.OUTBOUND;
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
        assertEquals(new Run(1, "", "natgate firewall: 198.51.100.7 is not a SecureNAT client of this gateway: no inside " +
            "network or route holds it (inside: lan 10.0.0.1/24, dmz 172.16.0.1/24 routes 192.168.5.0/24) " +
            "(NETWORK_RULES_DENIED)\n"), natgate("firewall", "open", "--client", "198.51.100.7", "--client-session"));

        harness.submit((commands, id) -> commands.addStaticMapping(
            id, Ipv4Protocols.UDP, ip(CLIENT), 5060, ip(PUBLIC), 5060));
        final Run refused = natgate("firewall", "open", "--client", "10.0.0.7", "--protocol", "udp", "--port", "5060");
        assertEquals(new Run(1, "", "natgate firewall: inbound udp mapping to 10.0.0.7:5060 refused by the NAT: inside " +
            "endpoint has a static mapping (NAT_ADDRESS_NOT_AVAILABLE)\n"), refused);
        assertTrue(harness.firewall.sessions().getFirst().isTerminated(),
            "a private session made for a mapping the NAT refused is not left behind");

        assertEquals(1, natgate("firewall", "close", "7").status());
        assertTrue(natgate("firewall", "open", "--client", "10.0.0.7", "--session", "1").err()
            .contains("give --client or --session"));
    }

    @Test
    void shouldRefuseToOpenAMappingTheRulesWouldDropNamingTheRule()
    {
        final FirewallHarness ruled = new FirewallHarness(List.of(
            rule("no-bad-net", DENY, INBOUND, "any", "198.51.100.0/24", 0, null, null),
            rule("admins-ssh", ALLOW, INBOUND, "tcp", null, 22, null, "admins")));
        server.removeContext(FirewallAdmin.CONTEXT);
        server.createContext(FirewallAdmin.CONTEXT, new FirewallAdmin(ruled.firewall));

        assertEquals(new Run(1, "", "natgate firewall: inbound tcp to 10.0.0.7:22 from any remote would be dropped: " +
            "rule admins-ssh of firewall.rules allows it only for its user or group, and this session has none that " +
            "it names; no mapping opened (NOT_AUTHENTICATED)\n"),
            natgate("firewall", "open", "--client", "10.0.0.7", "--protocol", "tcp", "--port", "22"));
        assertEquals(new Run(1, "", "natgate firewall: inbound tcp to 10.0.0.7:22 from any remote would be dropped: " +
            "no rule of firewall.rules allows it (inbound is denied unless a rule allows it); no mapping opened " +
            "(POLICY_RULES_DENIED)\n"),
            natgate("firewall", "open", "--client", "10.0.0.7", "--user", "alice", "--protocol", "tcp", "--port", "22"),
            "authenticated, but not as an admin");
        assertEquals(new Run(1, "", "natgate firewall: inbound tcp to 10.0.0.7:22 from 198.51.100.7 would be dropped: " +
            "rule no-bad-net of firewall.rules denies it; no mapping opened (POLICY_RULES_DENIED)\n"),
            natgate("firewall", "open", "--client", "10.0.0.7", "--user", "alice", "--group", "admins", "--protocol",
                "tcp", "--port", "22", "--remote", REMOTE));
        assertEquals(new Run(1, "", "natgate firewall: inbound udp to 10.0.0.7:53 from any remote would be dropped: " +
            "no rule of firewall.rules allows it (inbound is denied unless a rule allows it); no mapping opened " +
            "(POLICY_RULES_DENIED)\n"),
            natgate("firewall", "open", "--client", "10.0.0.7", "--protocol", "udp", "--port", "53"));
        assertEquals(0, ruled.engine.mappingCount(), "nothing opened in the NAT");
        assertTrue(ruled.firewall.sessions().stream().allMatch(FirewallSession::isTerminated),
            "no session left behind for a refused mapping");

        assertEquals(0, natgate("firewall", "open", "--client", "10.0.0.7", "--user", "alice", "--group", "admins",
            "--protocol", "tcp", "--port", "22").status(), "allowed for an admin, from any remote but the denied net");
    }

    @Test
    void shouldListEverySessionOfAnAddressWithItsKindUserAndWhatItOpened()
    {
        harness.firewall.getClientSession(address(CLIENT)).openInboundMapping(Ipv4Protocols.UDP, 5060, 5060, null, null);
        natgate("firewall", "open", "--client", CLIENT, "--user", "alice", "--group", "admins", "--protocol", "tcp",
            "--port", "22");
        natgate("firewall", "open", "--client", CLIENT, "--user", "bob");
        natgate("firewall", "open", "--client", "10.0.0.8", "--user", "carol");

        assertEquals(new Run(0, """
            ID  KIND     STATE  CLIENT      INTERFACE  USER   FLAGS                  OPEN  MAPPINGS
            1   client   open   10.0.0.7:0  lan        -      NAT                    0s    \
            udp 203.0.113.1:5060 -> 10.0.0.7:5060 (any remote, until closed)
            2   private  open   10.0.0.7:0  lan        alice  PRIVATE,AUTHENTICATED  0s    \
            tcp 203.0.113.1:22 -> 10.0.0.7:22 (any remote, until closed)
            3   private  open   10.0.0.7:0  lan        bob    PRIVATE,AUTHENTICATED  0s    -
            """, ""), natgate("firewall", "sessions", "--client", CLIENT));
        assertEquals(4, harness.firewall.sessions().size());
    }

    @Test
    void shouldListTheRulesInOrderWithHowManyNewFlowsEachDecided()
    {
        final FirewallHarness ruled = new FirewallHarness(List.of(
            rule("no-telnet", DENY, OUTBOUND, "tcp", null, 23, null, null),
            new FirewallRuleConfig("web-from-net", ALLOW, INBOUND, "tcp", Ipv4Prefix.parseNetwork("198.51.100.0/24"),
                Ipv4Prefix.ANY, 8000, 8099, null, null),
            rule("admins-ssh", ALLOW, INBOUND, "tcp", null, 22, null, "admins"),
            rule("alice-rdp", ALLOW, INBOUND, "tcp", null, 3389, "alice", null)));
        server.removeContext(FirewallAdmin.CONTEXT);
        server.createContext(FirewallAdmin.CONTEXT, new FirewallAdmin(ruled.firewall));
        for (int i = 0; i < 3; i++)
        {
            ruled.tcpOut(CLIENT, 5000 + i, REMOTE, 23, TcpSegment.SYN);
        }
        ruled.firewall.getClientSession(address(CLIENT)).openInboundMapping(Ipv4Protocols.TCP, 8080, 8080, null, null);
        ruled.synIn(REMOTE, 40000, 8080);
        ruled.firewall.getClientSession(address(CLIENT)).checkOutbound(Ipv4Protocols.TCP, address(REMOTE, 23));

        assertEquals(new Run(0, """
            #  NAME          ACTION  DIRECTION  PROTOCOL  SOURCE           DESTINATION  PORTS      USER          HITS
            1  no-telnet     deny    outbound   tcp       any              any          23         -             3
            2  web-from-net  allow   inbound    tcp       198.51.100.0/24  any          8000-8099  -             1
            3  admins-ssh    allow   inbound    tcp       any              any          22         group admins  0
            4  alice-rdp     allow   inbound    tcp       any              any          3389       alice         0
            """, ""), natgate("firewall", "rules"));
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
        assertEquals(201, request("POST", "/firewall/sessions?client=10.0.0.7&user=bob&groups=admins&protocol=tcp" +
            "&port=22").statusCode());
        assertEquals(201, request("POST", "/firewall/sessions?client=10.0.0.7&kind=private&user=carol&groups=admins")
            .statusCode(), "a second private session of the address");
        final HttpResponse<String> held = request("POST", "/firewall/mappings?session=2&protocol=tcp&port=22&remote=" +
            "198.51.100.7");
        assertEquals(409, held.statusCode());
        assertTrue(held.body().contains("\"reason\": \"MAPPING_HELD\""), held.body());
        assertEquals(403, request("POST", "/firewall/sessions?client=198.51.100.7&kind=client").statusCode());
        assertEquals(404, request("DELETE", "/firewall/sessions?id=99").statusCode());
        assertEquals(404, request("DELETE", "/firewall/mappings?session=1&protocol=tcp&port=23").statusCode());
        assertEquals(405, request("PUT", "/firewall/sessions").statusCode());
        assertEquals(404, request("GET", "/firewall/rules/nope").statusCode());
        assertEquals(405, request("POST", "/firewall/rules").statusCode());
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
