package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local port: UDP datagrams to registered endpoints of the gateway's own addresses are punted to
 * it untouched, and what the control plane injects through it leaves as locally originated, untranslated,
 * out of the port its source address belongs to.
 */
class ForwarderLocalTest
{
    private static final int LAN = 0;
    private static final int WAN = 1;
    private static final int LOCAL = 2;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final DatapathCounters counters = new DatapathCounters(3);
    private final Frames.RecordingSink sink = new Frames.RecordingSink();
    private Forwarder forwarder;

    @BeforeEach
    void start()
    {
        final NatEngine engine = new NatEngine(new NatConfig().publicAddresses(ip("203.0.113.1"), ip("203.0.113.9")),
            NatEventListener.NONE, counters);
        forwarder = new Forwarder(new ForwarderConfig().maxLocalEndpoints(2).localPort(LOCAL).ports(List.of(
            new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254")),
            new PortSettings(LOCAL, "local", PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, 1500, ip("169.254.63.1"), 32,
                0))), engine, counters);
        for (final byte[] frame : Frames.arpIntroduction(CLIENT, "10.0.0.2", GW_IN, "10.0.0.1"))
        {
            receive(LAN, frame);
        }
        for (final byte[] frame : Frames.arpIntroduction(ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1"))
        {
            receive(WAN, frame);
        }
        sink.clear();
    }

    private void receive(final int port, final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Forwarder.HEADROOM + frame.length]);
        buffer.putBytes(Forwarder.HEADROOM, frame);
        forwarder.process(buffer, Forwarder.HEADROOM, frame.length, port, 1_000_000_000L, sink);
    }

    @Test
    void shouldPuntUdpToRegisteredInsideEndpointUnchanged()
    {
        assertTrue(forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351));
        final byte[] request = Packets.udp("10.0.0.2", 40000, "10.0.0.1", 5351, new byte[] {0, 0});

        receive(LAN, Frames.ipv4(GW_IN, CLIENT, request));

        assertEquals(List.of(LOCAL), sink.ports);
        assertArrayEquals(request, sink.frames.get(0));
    }

    @Test
    void shouldNotPuntPcpRequestsFromSpoofedOrMartianInsideSourcesToTheControlPlane()
    {
        assertTrue(forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351));
        final long attacker = 0x0200_0000_00EEL;

        receive(LAN, Frames.ipv4(GW_IN, attacker, Packets.udp("10.0.0.2", 40000, "10.0.0.1", 5351, new byte[2])));
        receive(LAN, Frames.ipv4(GW_IN, attacker, Packets.udp("127.0.0.1", 40000, "10.0.0.1", 5351, new byte[2])));
        receive(LAN, Frames.ipv4(GW_IN, attacker, Packets.udp("10.0.0.1", 40000, "10.0.0.1", 5351, new byte[2])));

        assertEquals(1, counters.get(LAN, DropReason.SOURCE_MAC_MISMATCH), "a neighbour's address from another MAC");
        assertEquals(2, counters.get(LAN, DropReason.MARTIAN_SOURCE), "loopback and the gateway's own address");
        assertFalse(sink.ports.contains(LOCAL), "nothing reached the PCP server: " + sink.ports);
    }

    @Test
    void shouldKeepDroppingOtherTrafficToTheGatewayAsLocalUnhandled()
    {
        forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351);

        receive(LAN, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 40000, "10.0.0.1", 5350, new byte[2])));
        receive(LAN, Frames.ipv4(GW_IN, CLIENT, Packets.tcp("10.0.0.2", 40000, "10.0.0.1", 5351, 0x02,
            new byte[0])));

        assertEquals(0, sink.size());
        assertEquals(2, counters.get(LAN, DropReason.LOCAL_UNHANDLED));
    }

    @Test
    void shouldPuntOnlyWhatArrivesOnThePortThatHasTheAddress()
    {
        forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351);

        receive(WAN, Frames.ipv4(GW_OUT, ROUTER, Packets.udp("198.51.100.7", 40000, "10.0.0.1", 5351, new byte[2])));

        assertEquals(0, sink.size());
        assertEquals(1, counters.get(WAN, DropReason.LOCAL_UNHANDLED));
    }

    @Test
    void shouldPuntTunnelDatagramsToThePublicPortAddressAheadOfTheNat()
    {
        forwarder.addLocalEndpoint(ip("203.0.113.1"), 4789);
        final byte[] datagram = Packets.udp("198.51.100.20", 51000, "203.0.113.1", 4789, new byte[16]);

        receive(WAN, Frames.ipv4(GW_OUT, ROUTER, datagram));

        assertEquals(List.of(LOCAL), sink.ports);
        assertArrayEquals(datagram, sink.frames.get(0));
        assertEquals(0, counters.get(WAN, DropReason.NO_MAPPING));
    }

    @Test
    void shouldStopPuntingOnceTheEndpointIsRemoved()
    {
        forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351);
        assertTrue(forwarder.removeLocalEndpoint(ip("10.0.0.1"), 5351));
        assertFalse(forwarder.removeLocalEndpoint(ip("10.0.0.1"), 5351));

        receive(LAN, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 40000, "10.0.0.1", 5351, new byte[2])));

        assertEquals(0, sink.size());
        assertEquals(0, forwarder.localEndpointCount());
    }

    @Test
    void shouldRefuseEndpointsBeyondTheTableAndOnAddressesThatAreNotAPorts()
    {
        assertTrue(forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351));
        assertTrue(forwarder.addLocalEndpoint(ip("10.0.0.1"), 5351), "again: no new entry");
        assertTrue(forwarder.addLocalEndpoint(ip("203.0.113.1"), 4789));
        assertFalse(forwarder.addLocalEndpoint(ip("203.0.113.1"), 4790));
        assertThrows(IllegalArgumentException.class, () -> forwarder.addLocalEndpoint(ip("10.0.0.9"), 5351));
        assertThrows(IllegalArgumentException.class, () -> forwarder.addLocalEndpoint(ip("10.0.0.1"), 0));
    }

    @Test
    void shouldSendInjectedUnicastOutOfThePortOfItsSourceToTheNeighbourUntranslated()
    {
        final byte[] response = Packets.udp("10.0.0.1", 5351, "10.0.0.2", 40000, new byte[] {0, (byte)128});

        receive(LOCAL, response);

        assertEquals(List.of(LAN), sink.ports);
        final byte[] frame = sink.frames.get(0);
        assertEquals(CLIENT, Frames.destinationMac(frame));
        assertEquals(GW_IN, Frames.sourceMac(frame));
        assertArrayEquals(response, Frames.payload(frame), "TTL and addresses kept");
        assertEquals(0, counters.get(LOCAL, PortCounter.TRANSLATED_OUT));
    }

    @Test
    void shouldSendInjectedMulticastToItsGroupMacWithoutArp()
    {
        final byte[] announcement = Packets.udp("10.0.0.1", 5351, "224.0.0.1", 5350, new byte[12]);

        receive(LOCAL, announcement);

        assertEquals(List.of(LAN), sink.ports);
        assertEquals(0x01_00_5E_00_00_01L, Frames.destinationMac(sink.frames.get(0)));
        assertArrayEquals(announcement, Frames.payload(sink.frames.get(0)));
    }

    @Test
    void shouldRouteInjectedPacketsBeyondThePortsNetworkThroughItsNextHop()
    {
        final byte[] datagram = Packets.udp("203.0.113.1", 4789, "198.51.100.20", 4789, new byte[58]);

        receive(LOCAL, datagram);

        assertEquals(List.of(WAN), sink.ports);
        assertEquals(ROUTER, Frames.destinationMac(sink.frames.get(0)));
        assertArrayEquals(datagram, Frames.payload(sink.frames.get(0)));
    }

    @Test
    void shouldRouteInjectedPacketsFromAnotherPublicAddressOutside()
    {
        receive(LOCAL, Packets.udp("203.0.113.9", 4789, "198.51.100.20", 4789, new byte[8]));

        assertEquals(List.of(WAN), sink.ports);
    }

    @Test
    void shouldDropInjectedPacketsFromAddressesThatAreNotTheGatewaysAsMartians()
    {
        receive(LOCAL, Packets.udp("10.0.0.2", 5351, "10.0.0.3", 40000, new byte[2]));

        assertEquals(0, sink.size());
        assertEquals(1, counters.get(LOCAL, DropReason.MARTIAN_SOURCE));
    }

    @Test
    void shouldRefuseALocalPortThatIsNotRawIp()
    {
        final ForwarderConfig config = new ForwarderConfig().localPort(LAN).ports(List.of(
            new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                0)));

        assertThrows(ConfigurationException.class, config::validate);
    }
}
