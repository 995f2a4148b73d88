package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routes the control plane adds: a provider's remote subnet to its raw-IP interface, ahead of the
 * default route, longest prefix first; replies from it come back in through the NAT.
 */
class ForwarderRouteTest
{
    private static final int LAN = 0;
    private static final int WAN = 1;
    private static final int PROVIDER = 2;
    private static final int PROVIDER2 = 3;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long ROUTER = 0x0200_0000_000BL;

    private final DatapathCounters counters = new DatapathCounters(4);
    private final Frames.RecordingSink sink = new Frames.RecordingSink();
    private Forwarder forwarder;

    @BeforeEach
    void start()
    {
        final NatEngine engine = new NatEngine(
            new NatConfig().publicAddresses(ip("203.0.113.1")), NatEventListener.NONE, counters);
        forwarder = new Forwarder(new ForwarderConfig().maxRoutes(2).ports(List.of(
            new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                ip("203.0.113.254")),
            new PortSettings(PROVIDER, "cp0", PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, 1400, ip("169.254.64.1"), 32, 0),
            new PortSettings(PROVIDER2, "cp1", PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, 1400, ip("169.254.64.2"), 32,
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

    /** With the headroom the worker guarantees, so a raw-IP packet can gain an Ethernet header in place. */
    private void receive(final int port, final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Forwarder.HEADROOM + frame.length]);
        buffer.putBytes(Forwarder.HEADROOM, frame);
        forwarder.process(buffer, Forwarder.HEADROOM, frame.length, port, 1_000_000_000L, sink);
    }

    private int egressOfPacketTo(final String destination)
    {
        sink.clear();
        receive(LAN, Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, destination, 53, new byte[4])));
        assertEquals(1, sink.size());
        return sink.ports.get(0);
    }

    @Test
    void shouldSendTranslatedPacketsForRoutedPrefixOutOfProviderPortAsRawIp()
    {
        assertTrue(forwarder.addRoute(ip("192.0.2.0"), 24, PROVIDER));

        assertEquals(PROVIDER, egressOfPacketTo("192.0.2.5"));
        final byte[] packet = sink.frames.get(0);
        assertEquals(ip("203.0.113.1"), Packets.source(packet), "raw IP, translated");
        assertEquals(ip("192.0.2.5"), Packets.destination(packet));
        assertTrue(Packets.checksumsValid(packet));
        assertEquals(WAN, egressOfPacketTo("198.51.100.7"), "other destinations keep the default route");
    }

    @Test
    void shouldBringRepliesReceivedOnProviderPortBackToTheClient()
    {
        forwarder.addRoute(ip("192.0.2.0"), 24, PROVIDER);
        egressOfPacketTo("192.0.2.5");
        final int publicPort = Packets.sourcePort(sink.frames.get(0));
        sink.clear();

        receive(PROVIDER, Packets.udp("192.0.2.5", 53, "203.0.113.1", publicPort, new byte[] {7}));

        assertEquals(1, sink.size());
        assertEquals(LAN, sink.ports.get(0));
        final byte[] back = Frames.payload(sink.frames.get(0));
        assertEquals(ip("10.0.0.2"), Packets.destination(back));
        assertEquals(5000, Packets.destinationPort(back));
        assertTrue(Packets.checksumsValid(back));
        assertEquals(1, counters.get(PROVIDER, PortCounter.TRANSLATED_IN));
    }

    @Test
    void shouldPreferLongestRoutedPrefix()
    {
        forwarder.addRoute(ip("192.0.0.0"), 16, PROVIDER);
        forwarder.addRoute(ip("192.0.2.0"), 24, PROVIDER2);

        assertEquals(PROVIDER2, egressOfPacketTo("192.0.2.5"));
        assertEquals(PROVIDER, egressOfPacketTo("192.0.3.5"));
    }

    @Test
    void shouldFallBackToDefaultRouteWhenProviderRoutesAreRemoved()
    {
        forwarder.addRoute(ip("192.0.2.0"), 24, PROVIDER);
        forwarder.addRoute(ip("198.18.0.0"), 15, PROVIDER);

        assertEquals(2, forwarder.removeRoutes(PROVIDER));

        assertEquals(0, forwarder.routeCount());
        assertEquals(WAN, egressOfPacketTo("192.0.2.5"));
    }

    @Test
    void shouldRefuseRouteWhenTableIsFullAndMoveExistingPrefix()
    {
        assertTrue(forwarder.addRoute(ip("192.0.2.0"), 24, PROVIDER));
        assertTrue(forwarder.addRoute(ip("198.51.100.0"), 24, PROVIDER));
        assertFalse(forwarder.addRoute(ip("198.18.0.0"), 15, PROVIDER));
        assertTrue(forwarder.addRoute(ip("192.0.2.77"), 24, PROVIDER2), "same prefix, host bits ignored");

        assertEquals(2, forwarder.routeCount());
        assertEquals(PROVIDER2, egressOfPacketTo("192.0.2.5"));
    }

    @Test
    void shouldRejectRouteToInsidePort()
    {
        assertThrows(IllegalArgumentException.class, () -> forwarder.addRoute(ip("192.0.2.0"), 24, LAN));
        assertThrows(IllegalArgumentException.class, () -> forwarder.addRoute(ip("192.0.2.0"), 33, PROVIDER));
    }
}
