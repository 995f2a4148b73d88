package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forwarder's defences against spoofed and malformed input: each attack is dropped with its reason
 * counted and nothing of it forwarded.
 */
class ForwarderGuardTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long CLIENT2 = 0x0200_0000_000CL;
    private static final long ATTACKER = 0x0200_0000_00EEL;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final DatapathCounters counters = new DatapathCounters(2);
    private final Frames.RecordingSink sink = new Frames.RecordingSink();
    private long nowNs = 1_000_000_000L;
    private Forwarder forwarder;

    private void start(final int insideVlan)
    {
        final NatEngine engine = new NatEngine(new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE,
            counters);
        forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0,
                insideVlan),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254")))), engine, counters);
        introduce(OUTSIDE, ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1");
        if (insideVlan == 0)
        {
            introduce(INSIDE, CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
            introduce(INSIDE, CLIENT2, "10.0.0.3", GW_IN, "10.0.0.1");
        }
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

    private void receive(final int port, final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Forwarder.HEADROOM + frame.length]);
        buffer.putBytes(Forwarder.HEADROOM, frame);
        forwarder.process(buffer, Forwarder.HEADROOM, frame.length, port, nowNs, sink);
    }

    private static byte[] udpFrom(final long mac, final String source)
    {
        return Frames.ipv4(GW_IN, mac, Packets.udp(source, 5000, "198.51.100.7", 53, new byte[4]));
    }

    private long translatedOut()
    {
        return counters.get(INSIDE, PortCounter.TRANSLATED_OUT);
    }

    @Test
    void shouldDropMartianAndOwnSourcesFromInsideAndForwardNothing()
    {
        start(0);
        for (final String source : new String[] {"127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.5", "10.0.0.1",
            "203.0.113.1", "10.0.0.255", "192.0.2.9"})
        {
            receive(INSIDE, udpFrom(CLIENT, source));
        }

        assertEquals(8, counters.get(INSIDE, DropReason.MARTIAN_SOURCE));
        assertEquals(0, sink.size());
        assertEquals(0, translatedOut());
    }

    @Test
    void shouldDropBogonSourcesFromOutsideThroughAStaticForward()
    {
        start(0);
        final NatEngine engine = new NatEngine(new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE,
            counters);
        engine.addStaticMapping(1, 6, ip("10.0.0.3"), 8080, ip("203.0.113.1"), 8080);
        forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254")))), engine, counters);
        introduce(INSIDE, CLIENT2, "10.0.0.3", GW_IN, "10.0.0.1");
        sink.clear();
        for (final String source : new String[] {"10.0.0.3", "203.0.113.1", "127.0.0.1", "0.0.0.0", "10.0.0.1"})
        {
            receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER,
                Packets.tcp(source, 40000, "203.0.113.1", 8080, TcpSegment.SYN, new byte[0])));
        }
        assertEquals(5, counters.get(OUTSIDE, DropReason.MARTIAN_SOURCE));
        assertEquals(0, sink.size());

        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER,
            Packets.tcp("198.51.100.50", 40000, "203.0.113.1", 8080, TcpSegment.SYN, new byte[0])));
        assertEquals(1, counters.get(OUTSIDE, PortCounter.TRANSLATED_IN), "a real remote still gets through");
    }

    @Test
    void shouldDropFramesFromANeighboursAddressWithAnotherMac()
    {
        start(0);
        receive(INSIDE, udpFrom(ATTACKER, "10.0.0.3"));
        receive(INSIDE, udpFrom(CLIENT, "10.0.0.3"));

        assertEquals(2, counters.get(INSIDE, DropReason.SOURCE_MAC_MISMATCH));
        assertEquals(0, sink.size());
        receive(INSIDE, udpFrom(CLIENT2, "10.0.0.3"));
        assertEquals(1, translatedOut(), "the address's own MAC still gets through");
    }

    @Test
    void shouldHoldAnUnresolvedSourcesFirstFrameUntilItsOwnerAnswersArp()
    {
        start(0);
        final long newcomer = 0x0200_0000_0044L;
        receive(INSIDE, udpFrom(newcomer, "10.0.0.4"));

        assertEquals(1, sink.size(), "only the gateway's ARP request for the source");
        assertEquals(EthernetFrame.BROADCAST_MAC, Frames.destinationMac(sink.frames.get(0)));
        assertEquals(0, translatedOut());
        sink.clear();

        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, newcomer, "10.0.0.4", GW_IN, "10.0.0.1"));
        assertEquals(1, translatedOut(), "the held frame went out once its source was resolved");
        assertEquals(List.of(OUTSIDE), sink.ports);
        assertEquals(ip("203.0.113.1"), Packets.source(Frames.payload(sink.frames.get(0))));
    }

    @Test
    void shouldTakeAStaticallyBoundSourceFromItsMacOnlyWithoutAskingAndKeepItAgainstArpClaims()
    {
        final long bound = 0x0200_0000_0055L;
        final NatEngine engine = new NatEngine(new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE,
            counters);
        forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254"))))
            .staticNeighbours(List.of(new StaticNeighbour(INSIDE, ip("10.0.0.5"), bound))), engine, counters);
        introduce(OUTSIDE, ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1");
        sink.clear();

        receive(INSIDE, udpFrom(bound, "10.0.0.5"));
        assertEquals(1, translatedOut(), "forwarded at once: no ARP request, nothing held");
        assertEquals(List.of(OUTSIDE), sink.ports);
        receive(INSIDE, udpFrom(ATTACKER, "10.0.0.5"));
        assertEquals(1, counters.get(INSIDE, DropReason.SOURCE_MAC_MISMATCH));

        // ARP claiming the address for the attacker is counted and never taken, however long it insists
        for (int i = 0; i < 5; i++)
        {
            receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, ATTACKER, "10.0.0.5", GW_IN, "10.0.0.1"));
            nowNs += 10 * ForwarderConfig.ARP_RETRY_INTERVAL_DEFAULT_NS;
            forwarder.onTimer(nowNs, sink);
        }
        assertEquals(5, counters.get(INSIDE, DropReason.ARP_MAC_CHANGED));
        nowNs += 2 * ForwarderConfig.NEIGHBOUR_TIMEOUT_DEFAULT_NS; // long past any learned entry's expiry
        sink.clear();
        receive(INSIDE, udpFrom(bound, "10.0.0.5"));
        assertEquals(2, translatedOut(), "still bound to its MAC");
        receive(INSIDE, udpFrom(ATTACKER, "10.0.0.5"));
        assertEquals(2, counters.get(INSIDE, DropReason.SOURCE_MAC_MISMATCH));
    }

    @Test
    void shouldDropFramesOfSpoofedNeighboursThatNeverAnswerArp()
    {
        start(0);
        for (int host = 4; host <= 40; host++)
        {
            receive(INSIDE, udpFrom(ATTACKER, "10.0.0." + host));
        }
        for (int i = 0; i < 10; i++)
        {
            nowNs += ForwarderConfig.ARP_RETRY_INTERVAL_DEFAULT_NS;
            forwarder.onTimer(nowNs, sink);
        }

        assertEquals(37, counters.get(INSIDE, DropReason.SOURCE_UNRESOLVED));
        assertEquals(0, translatedOut());
    }

    @Test
    void shouldDropHeldFramesWhoseSourceResolvesToAnotherMac()
    {
        start(0);
        final long owner = 0x0200_0000_0044L;
        receive(INSIDE, udpFrom(ATTACKER, "10.0.0.4"));
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, owner, "10.0.0.4", GW_IN, "10.0.0.1"));

        assertEquals(1, counters.get(INSIDE, DropReason.SOURCE_MAC_MISMATCH));
        assertEquals(0, translatedOut());
    }

    @Test
    void shouldIgnoreUnsolicitedArpRepliesAndSpoofedRequests()
    {
        start(0);
        // unsolicited: nobody asked for 10.0.0.9
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, ATTACKER, "10.0.0.9", GW_IN, "10.0.0.1"));
        assertEquals(1, counters.get(INSIDE, DropReason.ARP_UNSOLICITED));
        // a reply and a request claiming the client's address for the attacker's MAC
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, ATTACKER, "10.0.0.2", GW_IN, "10.0.0.1"));
        receive(INSIDE, Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, ATTACKER, "10.0.0.2", 0,
            "10.0.0.1"));
        assertEquals(2, counters.get(INSIDE, DropReason.ARP_MAC_CHANGED));
        sink.clear();

        // the client's echo replies still go to the client
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.icmpEcho("10.0.0.2", "198.51.100.7", 8, 7, 1)));
        receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER, Packets.icmpEcho("198.51.100.7", "203.0.113.1", 0, 7, 1)));
        final int reply = sink.ports.lastIndexOf(INSIDE);
        assertTrue(reply >= 0, sink.ports.toString());
        assertEquals(CLIENT, Frames.destinationMac(sink.frames.get(reply)));
    }

    @Test
    void shouldAdoptAChangedMacOnlyWhenTheKnownOneStaysSilentThroughTheWindow()
    {
        start(0);
        final long newCard = 0x0200_0000_0055L;
        receive(INSIDE, Frames.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, newCard, "10.0.0.2", 0,
            "10.0.0.1"));
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, newCard, "10.0.0.2", GW_IN, "10.0.0.1"));
        receive(INSIDE, udpFrom(newCard, "10.0.0.2"));
        assertEquals(1, counters.get(INSIDE, DropReason.SOURCE_MAC_MISMATCH), "not adopted within the window");
        assertEquals(0, counters.get(INSIDE, PortCounter.NEIGHBOUR_MAC_ADOPTED));

        nowNs += ForwarderConfig.ARP_RETRY_INTERVAL_DEFAULT_NS;
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, newCard, "10.0.0.2", GW_IN, "10.0.0.1"));
        receive(INSIDE, udpFrom(newCard, "10.0.0.2"));
        assertEquals(1, translatedOut(), "adopted after the window");
        assertEquals(1, counters.get(INSIDE, PortCounter.NEIGHBOUR_MAC_ADOPTED), "and counted, for the log");

        // the other way round: the known MAC answers within the window, the claim is forgotten
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, ATTACKER, "10.0.0.3", GW_IN, "10.0.0.1"));
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, CLIENT2, "10.0.0.3", GW_IN, "10.0.0.1"));
        nowNs += ForwarderConfig.ARP_RETRY_INTERVAL_DEFAULT_NS;
        receive(INSIDE, Frames.arp(GW_IN, ArpPacket.OP_REPLY, ATTACKER, "10.0.0.3", GW_IN, "10.0.0.1"));
        receive(INSIDE, udpFrom(ATTACKER, "10.0.0.3"));
        receive(INSIDE, udpFrom(CLIENT2, "10.0.0.3"));
        assertEquals(2, translatedOut(), "the client keeps its address");
    }

    @Test
    void shouldDropSourceRoutedAndMalformedOptionsAndForwardNothing()
    {
        start(0);
        final byte[] packet = Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[4]);
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT,
            Packets.withIpOptions(packet, new byte[] {(byte)131, 7, 4, (byte)198, 51, 100, 9, 0})));
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT,
            Packets.withIpOptions(packet, new byte[] {(byte)137, 7, 4, (byte)198, 51, 100, 9, 0})));
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, Packets.withIpOptions(packet, new byte[] {7, 12, 4, 0})));

        assertEquals(2, counters.get(INSIDE, DropReason.SOURCE_ROUTED));
        assertEquals(1, counters.get(INSIDE, DropReason.BAD_IP_OPTIONS));
        assertEquals(0, sink.size());
    }

    @Test
    void shouldDropTcpFlagCombinationsNoStackSendsAndCreateNoSession()
    {
        start(0);
        final int[] bad = {TcpSegment.SYN | TcpSegment.FIN, 0, TcpSegment.FIN, TcpSegment.SYN | TcpSegment.RST};
        for (final int flags : bad)
        {
            receive(INSIDE, Frames.ipv4(GW_IN, CLIENT,
                Packets.tcp("10.0.0.2", 40000, "198.51.100.7", 80, flags, new byte[0])));
        }

        assertEquals(bad.length, counters.get(INSIDE, DropReason.BAD_TCP_FLAGS));
        assertEquals(0, sink.size());
        receive(INSIDE, Frames.ipv4(GW_IN, CLIENT,
            Packets.tcp("10.0.0.2", 40000, "198.51.100.7", 80, TcpSegment.SYN, new byte[0])));
        assertEquals(1, translatedOut());
    }

    @Test
    void shouldServeOnlyThePortsVlanAndTagWhatItSends()
    {
        start(10);
        final byte[][] introduction = Frames.arpIntroduction(CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
        receive(INSIDE, introduction[0]);
        assertEquals(1, counters.get(INSIDE, DropReason.VLAN_MISMATCH), "untagged on a VLAN port");
        receive(INSIDE, tagged(introduction[0], 20));
        assertEquals(2, counters.get(INSIDE, DropReason.VLAN_MISMATCH), "another VLAN");
        assertEquals(0, sink.size());

        receive(INSIDE, tagged(introduction[0], 10));
        assertEquals(2, sink.size(), "answered and asked back, on its VLAN");
        for (final byte[] frame : sink.frames)
        {
            assertEquals(0x8100, ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF));
            assertEquals(10, ((frame[14] & 0x0F) << 8) | (frame[15] & 0xFF));
            assertEquals(0x0806, ((frame[16] & 0xFF) << 8) | (frame[17] & 0xFF));
        }
        receive(INSIDE, tagged(introduction[1], 10));
        receive(INSIDE, tagged(udpFrom(CLIENT, "10.0.0.2"), 10));
        assertEquals(1, translatedOut());
    }

    @Test
    void shouldDropTaggedFramesOnAnUntaggedPort()
    {
        start(0);
        receive(INSIDE, tagged(udpFrom(CLIENT, "10.0.0.2"), 10));

        assertEquals(1, counters.get(INSIDE, DropReason.VLAN_MISMATCH));
        assertEquals(0, sink.size());
    }

    /** @return the frame with an 802.1Q tag for {@code vlan} inserted after the MACs. */
    private static byte[] tagged(final byte[] frame, final int vlan)
    {
        final byte[] result = new byte[frame.length + 4];
        System.arraycopy(frame, 0, result, 0, 12);
        result[12] = (byte)0x81;
        result[13] = 0x00;
        result[14] = (byte)(vlan >> 8);
        result[15] = (byte)vlan;
        System.arraycopy(frame, 12, result, 16, frame.length - 12);
        return result;
    }
}
