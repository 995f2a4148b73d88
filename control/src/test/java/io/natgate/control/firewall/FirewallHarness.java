package io.natgate.control.firewall;

import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.control.gateway.CommandCompletion;
import io.natgate.control.gateway.CommandCompletions;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.FlowPolicy;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A firewall over an in-memory NAT engine, as the worker would run it but on the test's thread: the
 * firewall's commands are applied to the engine at once, its policy installed on the engine at once,
 * and packets go through the engine with an injected clock. Events are recorded.
 * <p>
 * Network: inside port {@code lan} 10.0.0.1/24 (no next hop), inside port {@code dmz} 172.16.0.1/24
 * with a router at 172.16.0.254 beyond which 192.168.5.0/24 lives (the port's route), outside port
 * {@code wan} 203.0.113.1/24, the public address 203.0.113.1.
 */
final class FirewallHarness implements NatCommandChannel
{
    static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    static final int LAN = 0;
    static final int DMZ = 1;
    static final int WAN = 2;
    static final String PUBLIC = "203.0.113.1";
    static final String CLIENT = "10.0.0.7";
    static final String OTHER_CLIENT = "10.0.0.8";
    static final String DMZ_CLIENT = "172.16.0.9";
    static final String ROUTED_NETWORK = "192.168.5.0/24";
    static final String ROUTED_CLIENT = "192.168.5.5";
    static final String REMOTE = "198.51.100.7";
    static final String OTHER_REMOTE = "192.0.2.9";
    static final byte[] PAYLOAD = {1, 2, 3};

    static final List<PortSettings> PORTS = List.of(
        new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500, ip("10.0.0.1"), 24, 0),
        new PortSettings(DMZ, "dmz", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0002L, 1500, ip("172.16.0.1"), 24,
            ip("172.16.0.254")),
        new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_0003L, 1500, ip(PUBLIC), 24,
            ip("203.0.113.254")));

    final DatapathCounters counters = new DatapathCounters(3);
    final RecordingFirewallEvents events = new RecordingFirewallEvents();
    final NatEngine engine;
    final Firewall firewall;
    final List<FlowPolicy> installed = new ArrayList<>();
    long nowNs = SECOND_NS;
    private long nextCorrelationId;
    private CommandCompletion lastCompletion;

    FirewallHarness(final List<FirewallRuleConfig> rules)
    {
        this(rules, new NatConfig(), Firewall.DENIAL_EVENTS_PER_SECOND_DEFAULT);
    }

    FirewallHarness(final List<FirewallRuleConfig> rules, final NatConfig natConfig, final int denialEventsPerSecond)
    {
        engine = new NatEngine(natConfig.publicAddresses(ip(PUBLIC)),
            new CommandCompletions(completion -> lastCompletion = completion), counters);
        firewall = new Firewall(rules, PORTS, Map.of("dmz", List.of(Ipv4Prefix.parseNetwork(ROUTED_NETWORK))), this,
            policy ->
        {
            installed.add(policy);
            engine.flowPolicy(policy);
        }, events, () -> nowNs, denialEventsPerSecond);
        engine.flowPolicy(firewall.policy());
    }

    static int ip(final String dotted)
    {
        return Ipv4.parse(dotted);
    }

    static InetSocketAddress address(final String dotted, final int port)
    {
        return new InetSocketAddress(dotted, port);
    }

    static InetSocketAddress address(final String dotted)
    {
        return address(dotted, 0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Rules
    // ------------------------------------------------------------------------------------------------------------

    static FirewallRuleConfig allowIn(final String name, final String protocol, final int port)
    {
        return rule(name, FirewallRuleConfig.Action.ALLOW, FirewallRuleConfig.Direction.INBOUND, protocol, null, port,
            null, null);
    }

    static FirewallRuleConfig rule(
        final String name, final FirewallRuleConfig.Action action, final FirewallRuleConfig.Direction direction,
        final String protocol, final String source, final int port, final String user, final String group)
    {
        return new FirewallRuleConfig(name, action, direction, protocol,
            source == null ? Ipv4Prefix.ANY : Ipv4Prefix.parseNetwork(source), Ipv4Prefix.ANY,
            port, port == 0 ? 65535 : port, user, group);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Commands: applied to the engine at once, as the worker applies them between bursts
    // ------------------------------------------------------------------------------------------------------------

    public CommandCompletion submit(final BiConsumer<NatCommands, Long> command)
    {
        lastCompletion = null;
        engine.commandTimeNs(nowNs);
        command.accept(engine, ++nextCorrelationId);
        assertEquals(nextCorrelationId, lastCompletion.correlationId(), "the engine answered the command");
        return lastCompletion;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Packets through the engine
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return the engine's result for a TCP segment from a remote to a public endpoint, the packet
     * translated in place into {@code packet}.
     */
    int tcpIn(final String remote, final int remotePort, final int publicPort, final int flags, final byte[][] packet)
    {
        packet[0] = PacketBuilder.tcp(ip(remote), remotePort, ip(PUBLIC), publicPort, 1000, 0, flags, PAYLOAD);
        return engine.inbound(new UnsafeBuffer(packet[0]), 0, packet[0].length, WAN, nowNs);
    }

    int synIn(final String remote, final int remotePort, final int publicPort)
    {
        return tcpIn(remote, remotePort, publicPort, TcpSegment.SYN, new byte[1][]);
    }

    int tcpOut(final String inside, final int insidePort, final String remote, final int remotePort, final int flags)
    {
        final byte[] packet = PacketBuilder.tcp(ip(inside), insidePort, ip(remote), remotePort, 1000, 0, flags, PAYLOAD);
        return engine.outbound(new UnsafeBuffer(packet), 0, packet.length, LAN, nowNs);
    }

    static DropReason dropReason(final int result)
    {
        return result < 0 ? NatEngine.dropReason(result) : null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------------------

    record SessionEvent(boolean opened, long timeNs, long sessionId, int flags, int clientAddress, String user)
    {
    }

    record MappingEvent(
        long timeNs, long sessionId, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort,
        int remoteAddress)
    {
    }

    record Denial(
        long timeNs, DenialReason reason, boolean inbound, int protocol, int sourceAddress, int sourcePort,
        int destinationAddress, int destinationPort, String rule, long suppressedBefore)
    {
    }

    static final class RecordingFirewallEvents implements FirewallEventListener
    {
        final List<SessionEvent> sessions = new ArrayList<>();
        final List<Denial> denials = new ArrayList<>();
        final List<MappingEvent> mappings = new ArrayList<>();

        public void onSessionOpened(
            final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
            final int internalAddress, final String user)
        {
            sessions.add(new SessionEvent(true, timeNs, sessionId, flags, clientAddress, user));
        }

        public void onSessionClosed(
            final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
        {
            sessions.add(new SessionEvent(false, timeNs, sessionId, flags, clientAddress, user));
        }

        public void onInboundMappingOpened(
            final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress)
        {
            mappings.add(new MappingEvent(
                timeNs, sessionId, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress));
        }

        public void onFlowDenied(
            final long timeNs, final DenialReason reason, final boolean inbound, final int protocol,
            final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
            final String rule, final long suppressedBefore)
        {
            denials.add(new Denial(timeNs, reason, inbound, protocol, sourceAddress, sourcePort, destinationAddress,
                destinationPort, rule, suppressedBefore));
        }
    }

    /**
     * @return the denials the worker recorded since the last call, as the gateway's event agent hands them on.
     */
    List<Denial> drainDenials()
    {
        events.denials.clear();
        firewall.pollDenials(1000);
        return List.copyOf(events.denials);
    }
}
