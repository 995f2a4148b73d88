package io.natgate.control.providers;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.firewall.AuthenticatedUser;
import io.natgate.control.firewall.Firewall;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.control.firewall.FirewallSession;
import io.natgate.control.firewall.InboundMapping;
import io.natgate.control.gateway.CommandCompletion;
import io.natgate.control.providers.PcpMessages.Request;
import io.natgate.control.providers.PcpMessages.Response;
import io.natgate.control.providers.pcp.FirewallPortMapper;
import io.natgate.control.providers.pcp.PcpResult;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static io.natgate.control.providers.PcpMessages.nonce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PCP server over the gateway's real firewall and NAT engine (commands applied at once, on the
 * test's thread, as the worker would between bursts): a granted MAP is an inbound mapping of the client's
 * firewall session through which a remote's SYN reaches the client, with the FILTER's remote only when
 * given; deletion, expiry and deactivation close it in the firewall and the NAT; the NAT's and the access
 * rules' refusals come back as their PCP result codes.
 */
class FirewallPortMapperTest
{
    private static final int CLIENT = Ipv4.parse("10.0.0.2");
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int REMOTE = Ipv4.parse("198.51.100.7");
    private static final int OTHER_REMOTE = Ipv4.parse("198.51.100.8");
    private static final int TCP = Ipv4Protocols.TCP;
    private static final List<PortSettings> PORTS = List.of(
        new PortSettings(0, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500, Ipv4.parse("10.0.0.1"),
            24, 0),
        new PortSettings(1, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_0002L, 1500, PUBLIC, 24, 0));
    private static final FirewallRuleConfig ALLOW_TCP_IN = new FirewallRuleConfig("tcp-in",
        FirewallRuleConfig.Action.ALLOW, FirewallRuleConfig.Direction.INBOUND, "tcp", Ipv4Prefix.ANY, Ipv4Prefix.ANY,
        8000, 8999, null, null);

    private final DatapathCounters counters = new DatapathCounters(2);
    private long nowNs = TimeUnit.HOURS.toNanos(1);
    private CommandCompletion completion;
    private NatEngine engine;
    private Firewall firewall;
    private PcpServer server;

    private void start(final NatConfig natConfig, final List<FirewallRuleConfig> rules)
    {
        engine = new NatEngine(natConfig.publicAddresses(PUBLIC), new NatEventListener()
        {

            public void onCommandCompleted(final long t, final long id, final int status, final int address,
                final int port)
            {
                completion = new CommandCompletion(id, CommandStatus.get(status), address, port);
            }
        }, counters);
        firewall = new Firewall(rules, PORTS, Map.of(), this::submit, engine::flowPolicy, FirewallEventListener.NONE,
            () -> nowNs, Firewall.DENIAL_EVENTS_PER_SECOND_DEFAULT);
        engine.flowPolicy(firewall.policy());
        server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.SECONDS.toNanos(1),
            TimeUnit.HOURS.toNanos(1), true, 64), new FirewallPortMapper(firewall, new int[] {PUBLIC}));
        server.activate(nowNs);
    }

    private CommandCompletion submit(final BiConsumer<NatCommands, Long> command)
    {
        engine.commandTimeNs(nowNs);
        command.accept(engine, 1L);
        return completion;
    }

    private Response send(final Request request)
    {
        final byte[] bytes = request.bytes();
        final UnsafeBuffer response = new UnsafeBuffer(new byte[PcpServer.MAX_MESSAGE_LENGTH]);
        final int length = server.onRequest(CLIENT, new UnsafeBuffer(bytes), 0, bytes.length, response, 0, nowNs);
        final byte[] out = new byte[length];
        response.getBytes(0, out);
        return new Response(out);
    }

    private Response map(final int internalPort, final long lifetime)
    {
        return send(Request.map(CLIENT, lifetime, nonce(1), TCP, internalPort, 0, 0));
    }

    /**
     * @return the NAT's result for a SYN from a remote to a public port: the client's address when it got in.
     */
    private int synIn(final int remote, final int publicPort)
    {
        final byte[] packet = PacketBuilder.tcp(remote, 40000, PUBLIC, publicPort, 1, 0, TcpSegment.SYN, new byte[0]);
        final int result = engine.inbound(new UnsafeBuffer(packet), 0, packet.length, 1, nowNs);
        return result < 0 ? result : new UnsafeBuffer(packet).getInt(16, ByteOrder.BIG_ENDIAN);
    }

    private FirewallSession clientSession()
    {
        return firewall.getClientSession(new InetSocketAddress("10.0.0.2", 0));
    }

    @Test
    void shouldGrantAMapAsAnInboundMappingOfTheClientsSessionThatLetsRemotesIn()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));

        final Response granted = map(8080, 600);

        assertEquals(PcpResult.SUCCESS, granted.result());
        assertEquals(PUBLIC, granted.externalAddress());
        final List<InboundMapping> mappings = clientSession().inboundMappings();
        assertEquals(1, mappings.size());
        assertEquals(8080, mappings.getFirst().insidePort());
        assertEquals(granted.externalPort(), mappings.getFirst().publicPort());
        assertEquals(CLIENT, synIn(REMOTE, granted.externalPort()), "the remote's SYN reaches the client");
    }

    @Test
    void shouldCloseTheMappingInTheFirewallAndTheNatOnDeleteExpiryAndDeactivate()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));
        final int deleted = map(8080, 600).externalPort();
        final int expiring = map(8081, 5).externalPort();
        final int lastOne = map(8082, 600).externalPort();

        map(8080, 0);
        nowNs += TimeUnit.SECONDS.toNanos(5);
        server.expire(nowNs);

        assertEquals(NatEngine.drop(DropReason.NO_MAPPING), synIn(REMOTE, deleted));
        assertEquals(NatEngine.drop(DropReason.NO_MAPPING), synIn(REMOTE, expiring));
        assertEquals(CLIENT, synIn(REMOTE, lastOne));
        assertEquals(1, clientSession().inboundMappings().size());

        server.deactivate();

        assertEquals(NatEngine.drop(DropReason.NO_MAPPING), synIn(OTHER_REMOTE, lastOne));
        assertTrue(clientSession().inboundMappings().isEmpty());
    }

    @Test
    void shouldLetOnlyTheFiltersRemoteIn()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));

        final Response granted = send(Request.map(CLIENT, 600, nonce(1), TCP, 8080, 0, 0).filter(128, 0, REMOTE));

        assertEquals(PcpResult.SUCCESS, granted.result());
        assertEquals(CLIENT, synIn(REMOTE, granted.externalPort()));
        assertTrue(synIn(OTHER_REMOTE, granted.externalPort()) < 0, "filtered");
    }

    @Test
    void shouldRefuseAMapTheAccessRulesWouldNotLetThroughAsNotAuthorized()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));

        assertEquals(PcpResult.NOT_AUTHORIZED, map(22, 600).result(), "no rule allows port 22 in");
        assertEquals(PcpResult.SUCCESS, map(8080, 600).result());
    }

    @Test
    void shouldNotAdmitAPcpMappingOfTheHostByAnAliceOnlyRuleWhileAlicesPrivateSessionIsOpen()
    {
        final FirewallRuleConfig aliceRdp = new FirewallRuleConfig("alice-rdp", FirewallRuleConfig.Action.ALLOW,
            FirewallRuleConfig.Direction.INBOUND, "tcp", Ipv4Prefix.ANY, Ipv4Prefix.ANY, 3389, 3389, "alice", null);
        start(new NatConfig(), List.of(aliceRdp, ALLOW_TCP_IN));
        final FirewallSession alice =
            firewall.createPrivateSession(new InetSocketAddress("10.0.0.2", 0), null, new AuthenticatedUser("alice"));

        assertEquals(PcpResult.NOT_AUTHORIZED, map(3389, 600).result(), "the PCP request is the client's, not alice's");
        assertEquals(PcpResult.SUCCESS, map(8080, 600).result(), "a rule for anyone still admits its own mapping");
        assertEquals(List.of(8080), clientSession().inboundMappings().stream().map(InboundMapping::insidePort).toList());
        assertEquals(List.of(), alice.inboundMappings(), "PCP mappings never go to a private session");

        clientSession().openInboundMapping(TCP, 3389, 3389, null, null); // past PCP's own check
        assertEquals(NatEngine.drop(DropReason.FILTERED_BY_POLICY), synIn(REMOTE, 3389),
            "the datapath judges it as the client session too");
    }

    @Test
    void shouldAnswerUserExQuotaWhenTheNatsPortQuotaIsReached()
    {
        start(new NatConfig().portsPerClient(1), List.of(ALLOW_TCP_IN));
        map(8080, 600);

        assertEquals(PcpResult.USER_EX_QUOTA, map(8081, 600).result());
    }

    @Test
    void shouldRefuseToMapAStaticallyForwardedEndpointAsNotAuthorized()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));
        submit((nat, id) -> nat.addStaticMapping(id, TCP, CLIENT, 8080, PUBLIC, 8080));

        assertEquals(PcpResult.NOT_AUTHORIZED, map(8080, 600).result());
    }

    @Test
    void shouldRefuseAThirdPartyOffTheInsideNetworksAsNotAuthorized()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));

        final Response response = send(Request.map(CLIENT, 600, nonce(1), TCP, 8080, 0, 0)
            .thirdParty(Ipv4.parse("192.0.2.9")));

        assertEquals(PcpResult.NOT_AUTHORIZED, response.result());
    }

    @Test
    void shouldGrantAgainOnANewSessionWhenTheClientsSessionWasClosed()
    {
        start(new NatConfig(), List.of(ALLOW_TCP_IN));
        map(8080, 600);
        clientSession().close();

        final Response renewed = map(8080, 600);

        assertEquals(PcpResult.SUCCESS, renewed.result());
        assertEquals(CLIENT, synIn(REMOTE, renewed.externalPort()));
    }
}
