package io.natgate.control.demo;

import io.natgate.control.gateway.CommandCompletions;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.FrameFormatter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The built-in sample: a gateway between two in-memory Ethernet ports, a LAN with two
 * clients and a WAN with a router in front of a server. Sample traffic (ping, DNS over UDP,
 * a TCP connection, an unsolicited inbound SYN, a port forward, hairpinning, a corrupt frame,
 * an expiring TTL) goes through the real pipeline and engine; the WAN side answers like the
 * server would. Prints each frame in and out, then the mappings and counters.
 */
public final class SampleTrafficDemo
{
    static final int LAN = 0;
    static final int WAN = 1;
    static final long GATEWAY_LAN_MAC = 0x02_00_5e_00_00_01L;
    static final long GATEWAY_WAN_MAC = 0x02_00_5e_00_00_02L;
    static final long CLIENT_MAC = 0x02_00_00_00_00_02L;
    static final long CLIENT2_MAC = 0x02_00_00_00_00_03L;
    static final long ROUTER_MAC = 0x02_00_00_00_00_fEL;
    static final int GATEWAY_LAN = Ipv4.parse("10.0.0.1");
    static final int CLIENT = Ipv4.parse("10.0.0.2");
    static final int CLIENT2 = Ipv4.parse("10.0.0.3");
    static final int PUBLIC = Ipv4.parse("203.0.113.1");
    static final int ROUTER = Ipv4.parse("203.0.113.254");
    static final int SERVER = Ipv4.parse("198.51.100.7");
    static final int STRANGER = Ipv4.parse("198.51.100.66");

    private final PrintStream out;
    private final FrameFormatter formatter = new FrameFormatter();
    private final InMemoryPort lan = InMemoryPort.ethernet("lan", GATEWAY_LAN_MAC);
    private final InMemoryPort wan = InMemoryPort.ethernet("wan", GATEWAY_WAN_MAC);
    private int deliveredToLan;
    private int deliveredToWan;

    public SampleTrafficDemo(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * Runs the sample.
     *
     * @return the outcome, for the caller's exit status and tests.
     */
    public Result run()
    {
        final DatapathCounters counters = new DatapathCounters(2);
        try (Pipeline pipeline = new Pipeline(
            new PipelineConfig().threadingMode(ThreadingMode.INVOKER), List.of(lan, wan), counters))
        {
            final NatEngine nat = new NatEngine(
                new NatConfig().publicAddresses(PUBLIC), pipeline.workerEvents(), counters);
            final Forwarder forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
                new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GATEWAY_LAN_MAC, 1500, GATEWAY_LAN,
                    24, 0),
                new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GATEWAY_WAN_MAC, 1500, PUBLIC, 24,
                    ROUTER))), nat, counters);
            pipeline.start(forwarder, nat);
            final AgentInvoker invoker = pipeline.invoker();

            out.println("natgate sample traffic: LAN 10.0.0.0/24 (gateway 10.0.0.1) | WAN 203.0.113.0/24 " +
                "(public 203.0.113.1, router 203.0.113.254) | server 198.51.100.7");
            out.println();

            step("Gateway starts: gratuitous ARP on each port", invoker);
            step("Clients find the gateway, the gateway asks back", invoker,
                PacketBuilder.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT_MAC, CLIENT, 0, GATEWAY_LAN),
                PacketBuilder.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT2_MAC, CLIENT2, 0,
                    GATEWAY_LAN));
            step("Clients answer the gateway (the only ARP it learns from)", invoker,
                PacketBuilder.arp(GATEWAY_LAN_MAC, ArpPacket.OP_REPLY, CLIENT_MAC, CLIENT, GATEWAY_LAN_MAC, GATEWAY_LAN),
                PacketBuilder.arp(GATEWAY_LAN_MAC, ArpPacket.OP_REPLY, CLIENT2_MAC, CLIENT2, GATEWAY_LAN_MAC,
                    GATEWAY_LAN));
            step("Ping the server", invoker, fromClient(
                PacketBuilder.icmpQuery(CLIENT, SERVER, IcmpMessage.ECHO_REQUEST, 0x4242, 1, 32)));
            step("DNS query over UDP", invoker, fromClient(
                PacketBuilder.udp(CLIENT, 40_000, SERVER, 53, "natgate.example?".getBytes())));
            step("TCP connection to port 80", invoker, fromClient(
                PacketBuilder.tcp(CLIENT, 41_000, SERVER, 80, 1000, 0, TcpSegment.SYN, new byte[0])));
            step("TCP request", invoker, fromClient(
                PacketBuilder.tcp(CLIENT, 41_000, SERVER, 80, 1001, 5001, TcpSegment.ACK | TcpSegment.PSH,
                    "GET / HTTP/1.0\r\n\r\n".getBytes())));
            step("Unsolicited inbound SYN (refused)", invoker, fromWan(
                PacketBuilder.tcp(STRANGER, 6666, PUBLIC, 22, 1, 0, TcpSegment.SYN, new byte[0])));

            pipeline.newCommandEncoder().addStaticMapping(1, Ipv4Protocols.TCP, CLIENT2, 80, PUBLIC, 8080);
            // the outcome of the one command the demo sends, picked out of the event stream
            final CommandStatus[] outcome = {CommandStatus.NOT_FOUND};
            invoker.invoke();
            pipeline.drainEvents(new CommandCompletions(completion -> outcome[0] = completion.status()), 100);
            out.println("== Port forward tcp 203.0.113.1:8080 -> 10.0.0.3:80: " + outcome[0].label());
            step("Inbound SYN through the port forward", invoker, fromWan(
                PacketBuilder.tcp(STRANGER, 6667, PUBLIC, 8080, 1, 0, TcpSegment.SYN, new byte[0])));
            step("Hairpin: client 1 reaches client 2 by the public address", invoker, fromClient(
                PacketBuilder.tcp(CLIENT, 42_000, PUBLIC, 8080, 1, 0, TcpSegment.SYN, new byte[0])));

            final byte[] corrupt = PacketBuilder.udp(CLIENT, 40_001, SERVER, 53, new byte[8]);
            corrupt[10] ^= 0x5A;
            step("Corrupt IP header checksum (counted drop)", invoker, fromClient(corrupt));

            final byte[] dying = PacketBuilder.udp(CLIENT, 40_002, SERVER, 33_434, new byte[8]);
            final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(dying), 0);
            header.ttl(1);
            header.updateHeaderChecksum();
            step("TTL 1 (time exceeded)", invoker, fromClient(dying));

            out.println("== Mappings (worker table)");
            out.printf("   %-5s %-21s %-21s %-8s %s%n", "proto", "inside", "public", "kind", "sessions");
            nat.forEachMapping((protocol, insideAddress, insidePort, publicAddress, publicPort, kind, sessions, d) ->
                out.printf("   %-5s %-21s %-21s %-8s %d%n", Ipv4Protocols.name(protocol),
                    Ipv4.toString(insideAddress) + ":" + insidePort, Ipv4.toString(publicAddress) + ":" + publicPort,
                    kind.name().toLowerCase(), sessions));
            out.println();
            printCounters(counters);
            return new Result(deliveredToLan, deliveredToWan, nat.mappingCount(),
                counters.get(LAN, DropReason.BAD_IP_CHECKSUM), counters.get(WAN, DropReason.NO_MAPPING));
        }
    }

    /**
     * What the sample produced.
     *
     * @param framesToLan  frames the gateway delivered to LAN hosts.
     * @param framesToWan  frames the gateway sent to the WAN.
     * @param mappings     mappings in the table at the end.
     */
    public record Result(int framesToLan, int framesToWan, int mappings, long corruptDropped, long unsolicitedDropped)
    {
    }

    private static byte[] fromClient(final byte[] packet)
    {
        final long sourceMac = new UnsafeBuffer(packet).getInt(12, ByteOrder.BIG_ENDIAN) == CLIENT2 ?
            CLIENT2_MAC : CLIENT_MAC;
        return PacketBuilder.ethernet(GATEWAY_LAN_MAC, sourceMac, EthernetFrame.ETHERTYPE_IPV4, packet);
    }

    private static byte[] fromWan(final byte[] packet)
    {
        return PacketBuilder.ethernet(GATEWAY_WAN_MAC, ROUTER_MAC, EthernetFrame.ETHERTYPE_IPV4, packet);
    }

    private void step(final String title, final AgentInvoker invoker, final byte[]... lanOrWanFrames)
    {
        out.println("== " + title);
        for (final byte[] frame : lanOrWanFrames)
        {
            final boolean toWan = ((EthernetFrame)new EthernetFrame().wrap(new UnsafeBuffer(frame), 0)).destinationMac()
                == GATEWAY_WAN_MAC;
            out.println("   " + (toWan ? "wan" : "lan") + " in  " + formatter.ethernet(frame));
            (toWan ? wan : lan).offer(frame);
        }
        for (int quiet = 0; quiet < 3; )
        {
            invoker.invoke();
            final boolean moved = drainLan() | drainWan();
            quiet = moved ? 0 : quiet + 1;
        }
        out.println();
    }

    private boolean drainLan()
    {
        boolean moved = false;
        byte[] frame;
        while ((frame = lan.pollTransmitted()) != null)
        {
            moved = true;
            deliveredToLan++;
            out.println("   lan out " + formatter.ethernet(frame));
        }
        return moved;
    }

    /**
     * The WAN: the router answers ARP, the server answers pings, DNS and TCP.
     */
    private boolean drainWan()
    {
        boolean moved = false;
        byte[] frame;
        while ((frame = wan.pollTransmitted()) != null)
        {
            moved = true;
            deliveredToWan++;
            out.println("   wan out " + formatter.ethernet(frame));
            final byte[] answer = serverAnswer(frame);
            if (answer != null)
            {
                out.println("   wan in  " + formatter.ethernet(answer));
                wan.offer(answer);
            }
        }
        return moved;
    }

    private static byte[] serverAnswer(final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final EthernetFrame ethernet = (EthernetFrame)new EthernetFrame().wrap(buffer, 0);
        if (ethernet.etherType() == EthernetFrame.ETHERTYPE_ARP)
        {
            final ArpPacket arp = (ArpPacket)new ArpPacket().wrap(buffer, EthernetFrame.HEADER_LENGTH);
            return arp.operation() == ArpPacket.OP_REQUEST && arp.targetAddress() == ROUTER ?
                PacketBuilder.arp(arp.senderMac(), ArpPacket.OP_REPLY, ROUTER_MAC, ROUTER, arp.senderMac(),
                    arp.senderAddress()) : null;
        }
        final Ipv4Packet ip = (Ipv4Packet)new Ipv4Packet().wrap(buffer, EthernetFrame.HEADER_LENGTH);
        if (ip.destinationAddress() != SERVER)
        {
            return null;
        }
        final int l4 = EthernetFrame.HEADER_LENGTH + ip.headerLength();
        final int source = ip.sourceAddress();
        final int sourcePort = buffer.getShort(l4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4 + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final byte[] reply = switch (ip.protocol())
        {
            case Ipv4Packet.PROTO_ICMP -> buffer.getByte(l4) == IcmpMessage.ECHO_REQUEST ?
                PacketBuilder.icmpQuery(SERVER, source, IcmpMessage.ECHO_REPLY,
                    buffer.getShort(l4 + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF, 1, 32) : null;
            case Ipv4Packet.PROTO_UDP -> PacketBuilder.udp(SERVER, destinationPort, source, sourcePort,
                "198.51.100.80".getBytes());
            case Ipv4Packet.PROTO_TCP ->
            {
                final int flags = buffer.getByte(l4 + 13) & 0xFF;
                final long sequence = buffer.getInt(l4 + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
                yield (flags & TcpSegment.SYN) != 0 ?
                    PacketBuilder.tcp(SERVER, destinationPort, source, sourcePort, 5000, sequence + 1,
                        TcpSegment.SYN | TcpSegment.ACK, new byte[0]) :
                    PacketBuilder.tcp(SERVER, destinationPort, source, sourcePort, 5001, sequence + 18,
                        TcpSegment.ACK | TcpSegment.PSH, "HTTP/1.0 200 OK\r\n\r\n".getBytes());
            }
            default -> null;
        };
        return reply == null ? null : fromWan(reply);
    }

    private void printCounters(final DatapathCounters counters)
    {
        out.println("== Counters");
        for (int port = 0; port < counters.portCount(); port++)
        {
            final StringBuilder line = new StringBuilder("   " + (port == LAN ? "lan" : "wan") + ":");
            for (final PortCounter counter : PortCounter.values())
            {
                final long value = counters.get(port, counter);
                if (value != 0)
                {
                    line.append(' ').append(counter.name().toLowerCase()).append('=').append(value);
                }
            }
            for (final DropReason reason : DropReason.values())
            {
                final long value = counters.get(port, reason);
                if (value != 0)
                {
                    line.append(" drop.").append(reason.name().toLowerCase()).append('=').append(value);
                }
            }
            out.println(line);
        }
        final StringBuilder line = new StringBuilder("   gateway:");
        for (final GlobalCounter counter : GlobalCounter.values())
        {
            line.append(' ').append(counter.name().toLowerCase()).append('=').append(counters.get(counter));
        }
        out.println(line);
    }
}
