package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.FlowPolicy;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwarderTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long CLIENT2 = 0x0200_0000_000CL;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final DatapathCounters counters = new DatapathCounters(2);
    private final Frames.RecordingSink sink = new Frames.RecordingSink();
    private long nowNs = 1_000_000_000L;
    private NatEngine engine;
    private Forwarder forwarder;

    private void start(final UnaryOperator<NatConfig> nat, final UnaryOperator<ForwarderConfig> forwarderConfig)
    {
        engine = new NatEngine(
            nat.apply(new NatConfig().publicAddresses(ip("203.0.113.1"))), NatEventListener.NONE, counters);
        forwarder = new Forwarder(forwarderConfig.apply(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254"))))), engine, counters);
    }

    private void start()
    {
        start(c -> c, c -> c);
    }

    private void receive(final int port, final byte[] frame)
    {
        forwarder.process(new UnaryFrame(frame).buffer, 0, frame.length, port, nowNs, sink);
    }

    /** Copies a frame so the processor's in-place rewrite does not touch the test's bytes. */
    private record UnaryFrame(UnsafeBuffer buffer)
    {
        UnaryFrame(final byte[] frame)
        {
            this(new UnsafeBuffer(frame.clone()));
        }
    }

    private void resolveNeighbours()
    {
        introduce(INSIDE, CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
        introduce(OUTSIDE, ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1");
        sink.clear();
    }

    private void introduce(final int port, final long mac, final String address, final long gatewayMac,
        final String gatewayAddress)
    {
        for (final byte[] frame : Frames.arpIntroduction(mac, address, gatewayMac, gatewayAddress))
        {
            receive(port, frame);
        }
    }

    @Test
    void shouldAnswerArpRequestForGatewayAddress()
    {
        start();
        receive(INSIDE, Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.1"));

        assertEquals(2, sink.size(), "the reply, then the gateway's own request for the asker");
        assertEquals(INSIDE, sink.ports.get(0));
        assertArrayEquals(Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, GW_IN, "10.0.0.1", 0, "10.0.0.2"),
            java.util.Arrays.copyOf(sink.frames.get(1), 42));
        final byte[] expected = Frames.arp(CLIENT, ArpPacket.OP_REPLY, GW_IN, "10.0.0.1", CLIENT, "10.0.0.2");
        final byte[] reply = sink.frames.get(0);
        assertEquals(60, reply.length);
        assertArrayEquals(expected, java.util.Arrays.copyOf(reply, expected.length));
        assertEquals(1, counters.get(INSIDE, PortCounter.ARP_REPLIES_SENT));
    }

    @Test
    void shouldNotAnswerArpForAddressesThatAreNotOurs()
    {
        start();
        receive(INSIDE, Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.9"));
        assertEquals(0, sink.size());
    }

    @Test
    void shouldQueueFrameWhileResolvingNextHopThenSendItTranslated()
    {
        start();
        introduce(INSIDE, CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
        sink.clear();

        final byte[] request = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3, 4});
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, request));
        assertEquals(1, sink.size(), "only the ARP request goes out while the next hop is unknown");
        assertArrayEquals(
            Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, GW_OUT, "203.0.113.1", 0, "203.0.113.254"),
            java.util.Arrays.copyOf(sink.frames.get(0), 42));
        assertEquals(OUTSIDE, sink.ports.get(0));
        sink.clear();

        receive(OUTSIDE, Frames.arp(GW_OUT, ArpPacket.OP_REPLY, ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1"));
        assertEquals(1, sink.size());
        assertEquals(OUTSIDE, sink.ports.get(0));
        final byte[] out = sink.frames.get(0);
        assertEquals(ROUTER, Frames.destinationMac(out));
        assertEquals(GW_OUT, Frames.sourceMac(out));
        final byte[] translated = Frames.payload(out);
        final byte[] expected = Packets.udp("203.0.113.1", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3, 4});
        expected[8] = (byte)(Packets.TTL - 1);
        new UnsafeBuffer(expected).putShort(10, (short)0);
        ((Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(expected), 0)).updateHeaderChecksum();
        assertArrayEquals(expected, translated);
        assertTrue(Packets.checksumsValid(translated));

        sink.clear();
        final byte[] reply = Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000, new byte[] {9});
        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER, reply));
        assertEquals(1, sink.size());
        assertEquals(INSIDE, sink.ports.get(0));
        assertEquals(CLIENT, Frames.destinationMac(sink.frames.get(0)));
        final byte[] back = Frames.payload(sink.frames.get(0));
        assertEquals(ip("10.0.0.2"), Packets.destination(back));
        assertEquals(5000, Packets.destinationPort(back));
        assertEquals(Packets.TTL - 1, back[8]);
        assertTrue(Packets.checksumsValid(back));
        assertEquals(1, counters.get(INSIDE, PortCounter.TRANSLATED_OUT));
        assertEquals(1, counters.get(OUTSIDE, PortCounter.TRANSLATED_IN));
    }

    @Test
    void shouldProcessMixedBurstInPassesAndSendInFrameOrder()
    {
        start();
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4])));
        sink.clear();
        final byte[] good = Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4]));
        final byte[] hugeIhl = good.clone();
        hugeIhl[14] = 0x4F;
        final byte[] newFlow = Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5001, "198.51.100.7", 53, new byte[2]));
        final byte[][] frames = {
            good, new byte[10], java.util.Arrays.copyOf(good, 30), hugeIhl,
            Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.1"),
            Frames.ipv4(GW_OUT, ROUTER, Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000, new byte[1])),
            newFlow, newFlow};
        final int[] ports = {INSIDE, INSIDE, INSIDE, INSIDE, INSIDE, OUTSIDE, INSIDE, INSIDE};
        final io.natgate.datapath.pipeline.FrameVector vector = new io.natgate.datapath.pipeline.FrameVector(8);
        for (int i = 0; i < frames.length; i++)
        {
            vector.add(new UnsafeBuffer(frames[i].clone()), 0, frames[i].length, ports[i]);
        }
        final List<Throwable> errors = new java.util.ArrayList<>();
        forwarder.processBurst(vector, nowNs, sink, errors::add);

        assertEquals(List.of(), errors);
        assertEquals(List.of(OUTSIDE, INSIDE, INSIDE, OUTSIDE, OUTSIDE), sink.ports, "frame order kept");
        assertEquals(ip("203.0.113.1"), Packets.source(Frames.payload(sink.frames.get(0))));
        assertEquals(ArpPacket.OP_REPLY, new UnsafeBuffer(sink.frames.get(1)).getShort(20, java.nio.ByteOrder.BIG_ENDIAN));
        assertEquals(ip("10.0.0.2"), Packets.destination(Frames.payload(sink.frames.get(2))));
        final byte[] first = Frames.payload(sink.frames.get(3));
        final byte[] second = Frames.payload(sink.frames.get(4));
        assertEquals(ip("203.0.113.1"), Packets.source(first));
        assertEquals(Packets.sourcePort(first), Packets.sourcePort(second), "the slow path made one session for both");
        assertTrue(Packets.checksumsValid(first) && Packets.checksumsValid(second));
        assertEquals(2, engine.sessionCount());
        assertEquals(2, counters.get(INSIDE, DropReason.TRUNCATED_FRAME) + counters.get(INSIDE, DropReason.BAD_IP_TOTAL_LENGTH));
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_IP_HEADER_LENGTH));
        assertEquals(4, counters.get(INSIDE, PortCounter.TRANSLATED_OUT));
    }

    @Test
    void shouldAnswerPingToGatewayAddress()
    {
        start();
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.icmpEcho("10.0.0.2", "10.0.0.1", IcmpMessage.ECHO_REQUEST, 7, 1)));

        assertEquals(1, sink.size());
        final byte[] reply = Frames.payload(sink.frames.get(0));
        assertEquals(ip("10.0.0.1"), Packets.source(reply));
        assertEquals(ip("10.0.0.2"), Packets.destination(reply));
        assertEquals(IcmpMessage.ECHO_REPLY, reply[20]);
        assertEquals(7, Packets.icmpIdentifier(reply));
        assertTrue(Packets.checksumsValid(reply));
        assertEquals(CLIENT, Frames.destinationMac(sink.frames.get(0)));
    }

    /** Found by FramePathFuzzTest: the gateway answered outsiders' pings to its inside address, from it. */
    @Test
    void shouldNotAnswerAPingFromOutsideToTheInsideAddress()
    {
        start();
        resolveNeighbours();
        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER,
            Packets.icmpEcho("198.51.100.7", "10.0.0.1", IcmpMessage.ECHO_REQUEST, 7, 1)));

        assertEquals(0, sink.size(), "nothing sent");
        assertEquals(1, counters.get(OUTSIDE, DropReason.LOCAL_UNHANDLED));
        assertEquals(0, counters.get(OUTSIDE, PortCounter.ICMP_ECHO_REPLIES_SENT));
    }

    @Test
    void shouldSendTimeExceededWhenTtlWouldReachZero()
    {
        start();
        resolveNeighbours();
        final byte[] packet = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[8]);
        packet[8] = 1;
        final UnsafeBuffer header = new UnsafeBuffer(packet);
        header.putShort(10, (short)0);
        ((Ipv4Packet)new Ipv4Packet().wrap(header, 0)).updateHeaderChecksum();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, packet));

        assertEquals(1, sink.size());
        final byte[] error = Frames.payload(sink.frames.get(0));
        assertEquals(IcmpMessage.TIME_EXCEEDED, error[20]);
        assertEquals(0, error[21]);
        assertEquals(ip("10.0.0.1"), Packets.source(error));
        assertEquals(ip("10.0.0.2"), Packets.destination(error));
        assertTrue(Packets.checksumsValid(error));
        assertArrayEquals(packet, java.util.Arrays.copyOfRange(error, 28, 28 + packet.length), "quotes the packet");
        assertEquals(1, counters.get(INSIDE, DropReason.TTL_EXPIRED));
    }

    @Test
    void shouldSendFragmentationNeededForOversizedPacketWithDontFragment()
    {
        start(c -> c, c -> c.ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1000, ip("203.0.113.1"), 24,
                ip("203.0.113.254")))));
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[1200])));

        assertEquals(1, sink.size());
        final byte[] error = Frames.payload(sink.frames.get(0));
        assertEquals(IcmpMessage.DESTINATION_UNREACHABLE, error[20]);
        assertEquals(IcmpMessage.CODE_FRAGMENTATION_NEEDED, error[21]);
        assertEquals(1000, new UnsafeBuffer(error).getShort(26, java.nio.ByteOrder.BIG_ENDIAN));
        assertEquals(576, error.length);
        assertTrue(Packets.checksumsValid(error));
        assertEquals(1, counters.get(INSIDE, DropReason.FRAGMENTATION_NEEDED));
    }

    @Test
    void shouldFragmentOversizedPacketWithoutDontFragment()
    {
        start(c -> c, c -> c.ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1000, ip("203.0.113.1"), 24,
                ip("203.0.113.254")))));
        resolveNeighbours();
        final byte[] packet = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[1200]);
        final UnsafeBuffer header = new UnsafeBuffer(packet);
        header.putShort(6, (short)0);
        header.putShort(10, (short)0);
        ((Ipv4Packet)new Ipv4Packet().wrap(header, 0)).updateHeaderChecksum();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, packet));

        assertEquals(2, sink.size());
        final byte[] first = Frames.payload(sink.frames.get(0));
        final byte[] second = Frames.payload(sink.frames.get(1));
        assertEquals(20 + 976, first.length);
        assertEquals(Ipv4Packet.FLAG_MF, new UnsafeBuffer(first).getShort(6, java.nio.ByteOrder.BIG_ENDIAN));
        assertEquals(976 / 8, new UnsafeBuffer(second).getShort(6, java.nio.ByteOrder.BIG_ENDIAN));
        assertEquals(packet.length - 20, first.length - 20 + second.length - 20);
        assertTrue(((Ipv4Packet)new Ipv4Packet().wrap(new UnsafeBuffer(second), 0)).isHeaderChecksumValid());
    }

    @Test
    void shouldSendAdminProhibitedWhenNoMappingCanBeCreated()
    {
        start(c -> c.portsPerClient(1), c -> c);
        resolveNeighbours();
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4])));
        sink.clear();
        final byte[] second = Packets.udp("10.0.0.2", 5001, "198.51.100.7", 53, new byte[4]);
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, second));

        assertEquals(1, sink.size());
        final byte[] error = Frames.payload(sink.frames.get(0));
        assertEquals(IcmpMessage.DESTINATION_UNREACHABLE, error[20]);
        assertEquals(IcmpMessage.CODE_ADMIN_PROHIBITED, error[21]);
        assertArrayEquals(second, java.util.Arrays.copyOfRange(error, 28, 28 + second.length));
        assertEquals(1, counters.get(INSIDE, DropReason.CLIENT_PORT_QUOTA));
    }

    @Test
    void shouldCountFlowRefusedByPolicyAsDropOnIngressPortWithoutIcmpError()
    {
        start();
        resolveNeighbours();
        engine.flowPolicy(new FlowPolicy()
        {
            public boolean allowOutbound(
                final long nowNs, final int protocol, final int insideAddress, final int insidePort,
                final int remoteAddress, final int remotePort)
            {
                return remotePort != 25;
            }

            public boolean allowInbound(
                final long nowNs, final int protocol, final int remoteAddress, final int remotePort,
                final int insideAddress, final int insidePort, final MappingKind mappingKind)
            {
                return true;
            }
        });
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.tcp("10.0.0.2", 5000, "198.51.100.7", 25,
            TcpSegment.SYN, new byte[0])));
        assertEquals(0, sink.size(), "refused silently");
        assertEquals(1, counters.get(INSIDE, DropReason.FILTERED_BY_POLICY));

        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.tcp("10.0.0.2", 5000, "198.51.100.7", 587,
            TcpSegment.SYN, new byte[0])));
        assertEquals(1, sink.size());
        assertEquals(1, counters.get(INSIDE, PortCounter.TRANSLATED_OUT));
    }

    @Test
    void shouldHairpinBetweenInsideClientsThroughPublicAddress()
    {
        start(c -> c.filtering(FilteringMode.ENDPOINT_INDEPENDENT), c -> c);
        resolveNeighbours();
        introduce(INSIDE, CLIENT2, "10.0.0.3", GW_IN, "10.0.0.1");
        // client 2 opens a mapping 203.0.113.1:7000
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT2, Packets.udp("10.0.0.3", 7000, "198.51.100.7", 53, new byte[4])));
        sink.clear();

        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "203.0.113.1", 7000, new byte[] {5})));
        assertEquals(1, sink.size());
        assertEquals(INSIDE, sink.ports.get(0));
        assertEquals(CLIENT2, Frames.destinationMac(sink.frames.get(0)));
        final byte[] hairpinned = Frames.payload(sink.frames.get(0));
        assertEquals(ip("203.0.113.1"), Packets.source(hairpinned), "source is client 1's public endpoint");
        assertEquals(5000, Packets.sourcePort(hairpinned));
        assertEquals(ip("10.0.0.3"), Packets.destination(hairpinned));
        assertEquals(7000, Packets.destinationPort(hairpinned));
        assertTrue(Packets.checksumsValid(hairpinned));
        assertEquals(1, counters.get(INSIDE, PortCounter.HAIRPINNED));
    }

    @Test
    void shouldRefuseUnsolicitedInboundConnection()
    {
        start();
        resolveNeighbours();
        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER, Packets.tcp("198.51.100.7", 4444, "203.0.113.1", 22,
            TcpSegment.SYN, new byte[0])));
        assertEquals(0, sink.size());
        assertEquals(1, counters.get(OUTSIDE, DropReason.NO_MAPPING));
    }

    @Test
    void shouldCountMalformedFramesAsDropsByReason()
    {
        start();
        resolveNeighbours();
        final byte[] good = Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4]));

        receive(INSIDE, new byte[10]);
        assertEquals(1, counters.get(INSIDE, DropReason.TRUNCATED_FRAME));

        receive(INSIDE, java.util.Arrays.copyOf(good, 14 + 12));
        assertEquals(2, counters.get(INSIDE, DropReason.TRUNCATED_FRAME));

        final byte[] badVersion = good.clone();
        badVersion[14] = 0x65;
        receive(INSIDE, badVersion);
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_IP_VERSION));

        final byte[] badIhl = good.clone();
        badIhl[14] = 0x44;
        receive(INSIDE, badIhl);
        final byte[] hugeIhl = java.util.Arrays.copyOf(good, 14 + 40);
        hugeIhl[14] = 0x4F;
        receive(INSIDE, hugeIhl);
        assertEquals(2, counters.get(INSIDE, DropReason.BAD_IP_HEADER_LENGTH));

        final byte[] badTotal = good.clone();
        badTotal[16 + 1] = (byte)200;
        receive(INSIDE, badTotal);
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_IP_TOTAL_LENGTH));

        final byte[] badChecksum = good.clone();
        badChecksum[14 + 10] ^= 0x55;
        receive(INSIDE, badChecksum);
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_IP_CHECKSUM));

        final byte[] badUdpChecksum = good.clone();
        badUdpChecksum[14 + 26] ^= 0x55;
        receive(INSIDE, badUdpChecksum);
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_L4_CHECKSUM));

        receive(INSIDE, java.util.Arrays.copyOf(
            Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, CLIENT, "10.0.0.2", 0, "10.0.0.1"), 30));
        assertEquals(1, counters.get(INSIDE, DropReason.MALFORMED_ARP));

        receive(INSIDE, Frames.ethernet(GW_IN, CLIENT, 0x88B5, new byte[46]));
        assertEquals(1, counters.get(INSIDE, DropReason.UNSUPPORTED_ETHERTYPE));

        receive(INSIDE, Frames.ipv4(0x0200_0000_0099L, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53,
            new byte[4])));
        assertEquals(1, counters.get(INSIDE, DropReason.NOT_FOR_US));

        assertEquals(0, sink.size(), "nothing malformed is forwarded");
        assertEquals(0, counters.get(INSIDE, PortCounter.TRANSLATED_OUT));
    }

    @Test
    void shouldDropIpv6ByDefaultAndBridgeItWhenConfiguredToPass()
    {
        start();
        final byte[] ipv6 = Frames.ethernet(0x3333_0000_0001L, CLIENT, EthernetFrame.ETHERTYPE_IPV6, new byte[60]);
        receive(INSIDE, ipv6);
        assertEquals(1, counters.get(INSIDE, DropReason.IPV6_DROPPED));
        assertEquals(0, sink.size());

        start(c -> c, c -> c.ipv6(Ipv6Policy.PASS));
        receive(INSIDE, ipv6);
        assertEquals(1, sink.size());
        assertEquals(OUTSIDE, sink.ports.get(0));
        assertArrayEquals(ipv6, sink.frames.get(0));
    }

    @Test
    void shouldAnnounceGratuitousArpForEveryGatewayAddress()
    {
        start(c -> c.publicAddresses(ip("203.0.113.1"), ip("203.0.113.2")), c -> c);
        assertEquals(3, forwarder.announce(sink));
        assertEquals(List.of(INSIDE, OUTSIDE, OUTSIDE), sink.ports);
        final ArpPacket arp = new ArpPacket();
        arp.wrap(new UnsafeBuffer(sink.frames.get(2)), EthernetFrame.HEADER_LENGTH);
        assertEquals(ip("203.0.113.2"), arp.senderAddress());
        assertEquals(ip("203.0.113.2"), arp.targetAddress());
        assertEquals(GW_OUT, arp.senderMac());
    }

    @Test
    void shouldDropQueuedFramesWhenNextHopNeverAnswersArp()
    {
        start();
        introduce(INSIDE, CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4])));
        sink.clear();
        for (int i = 0; i < 10; i++)
        {
            nowNs += ForwarderConfig.ARP_RETRY_INTERVAL_DEFAULT_NS;
            forwarder.onTimer(nowNs, sink);
        }
        assertEquals(ForwarderConfig.ARP_RETRIES_DEFAULT - 1, sink.size(), "retries after the first request");
        assertEquals(1, counters.get(OUTSIDE, DropReason.ARP_UNRESOLVED));
    }
}
