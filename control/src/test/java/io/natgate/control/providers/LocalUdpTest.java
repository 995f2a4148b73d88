package io.natgate.control.providers;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.natgate.control.providers.InMemoryGateway.CLIENT;
import static io.natgate.control.providers.InMemoryGateway.CLIENT_MAC;
import static io.natgate.control.providers.InMemoryGateway.GW_LAN;
import static io.natgate.control.providers.InMemoryGateway.LAN;
import static io.natgate.control.providers.InMemoryGateway.PUBLIC;
import static io.natgate.control.providers.InMemoryGateway.ROUTER_MAC;
import static io.natgate.control.providers.InMemoryGateway.WAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's own UDP endpoints on a running pipeline: datagrams to a bound endpoint reach its handler
 * (checked, with their source), and what is sent from the gateway's addresses leaves on the right port
 * with correct headers, to a neighbour's MAC or a multicast group's.
 */
class LocalUdpTest
{
    private record Datagram(int source, int sourcePort, int destination, int destinationPort, byte[] payload)
    {
    }

    private final InMemoryGateway gateway = new InMemoryGateway();
    private final List<Datagram> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop()
    {
        gateway.close();
    }

    private LocalUdp.Binding bind(final int address, final int port)
    {
        return gateway.udp.bind(address, port, (source, sourcePort, destination, destinationPort, payload, offset,
            length) ->
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(offset, bytes);
            received.add(new Datagram(source, sourcePort, destination, destinationPort, bytes));
        });
    }

    @Test
    void shouldHandDatagramsToABoundEndpointWithTheirSource()
    {
        bind(GW_LAN, 5351);

        gateway.fromClient(PacketBuilder.udp(CLIENT, 40000, GW_LAN, 5351, new byte[] {0, 0}));

        InMemoryGateway.until("received", () -> received.size() == 1);
        final Datagram datagram = received.get(0);
        assertEquals(CLIENT, datagram.source());
        assertEquals(40000, datagram.sourcePort());
        assertEquals(GW_LAN, datagram.destination());
        assertEquals(5351, datagram.destinationPort());
        assertArrayEquals(new byte[] {0, 0}, datagram.payload());
    }

    @Test
    void shouldDropDatagramsWithABadChecksum()
    {
        bind(GW_LAN, 5351);
        final byte[] packet = PacketBuilder.udp(CLIENT, 40000, GW_LAN, 5351, new byte[] {1, 2, 3, 4});
        packet[26] ^= 0x55;

        gateway.fromClient(packet);
        gateway.fromClient(PacketBuilder.udp(CLIENT, 40001, GW_LAN, 5351, new byte[] {5}));

        InMemoryGateway.until("the good one received", () -> received.size() == 1);
        assertEquals(40001, received.get(0).sourcePort());
        assertEquals(1, gateway.udp.dropped());
    }

    @Test
    void shouldStopPuntingOnceTheBindingIsClosed()
    {
        bind(GW_LAN, 5351).close();

        gateway.fromClient(PacketBuilder.udp(CLIENT, 40000, GW_LAN, 5351, new byte[2]));

        InMemoryGateway.until("dropped as unhandled",
            () -> gateway.pipeline.counters().get(LAN, DropReason.LOCAL_UNHANDLED) == 1);
        assertTrue(received.isEmpty());
    }

    @Test
    void shouldRefuseToBindTwiceOrOnAnAddressThatIsNotTheGatewaysPort()
    {
        bind(GW_LAN, 5351);

        assertThrows(IllegalStateException.class, () -> bind(GW_LAN, 5351));
        assertThrows(IllegalArgumentException.class, () -> bind(Ipv4.parse("10.0.0.9"), 5351));
        bind(PUBLIC, 5351);
    }

    @Test
    void shouldSendFromTheInsideAddressToTheClientsMac()
    {
        assertTrue(gateway.udp.send(GW_LAN, 5351, CLIENT, 40000, new UnsafeBuffer(new byte[] {9, 8}), 0, 2));

        final byte[] frame = gateway.awaitFrame(LAN, f -> InMemoryGateway.isUdpTo(f, CLIENT, 40000), "the datagram");
        assertEquals(CLIENT_MAC, InMemoryGateway.destinationMac(frame));
        assertArrayEquals(new byte[] {9, 8}, InMemoryGateway.udpPayload(frame));
        final UnsafeBuffer ip = InMemoryGateway.ip(frame);
        assertEquals(GW_LAN, ip.getInt(12, ByteOrder.BIG_ENDIAN));
        assertEquals(5351, ip.getShort(20, ByteOrder.BIG_ENDIAN));
        assertEquals(64, ip.getByte(8));
        assertTrue(io.natgate.datapath.frame.Checksums.checksum(ip, 0, 20) == 0, "header checksum");
        assertEquals(0, io.natgate.datapath.frame.Checksums.l4Checksum(ip, 20, 10, GW_LAN, CLIENT, 17),
            "UDP checksum");
    }

    @Test
    void shouldSendMulticastToTheGroupMacWithTtlOne()
    {
        final int allHosts = Ipv4.parse("224.0.0.1");

        gateway.udp.send(GW_LAN, 5351, allHosts, 5350, new UnsafeBuffer(new byte[12]), 0, 12);

        final byte[] frame = gateway.awaitFrame(LAN, f -> InMemoryGateway.isUdpTo(f, allHosts, 5350), "announcement");
        assertEquals(0x01_00_5E_00_00_01L, InMemoryGateway.destinationMac(frame));
        assertEquals(1, InMemoryGateway.ip(frame).getByte(8));
    }

    @Test
    void shouldSendFromThePublicAddressThroughTheRouter()
    {
        final int peer = Ipv4.parse("198.51.100.20");

        gateway.udp.send(PUBLIC, 4789, peer, 4789, new UnsafeBuffer(new byte[50]), 0, 50);

        final byte[] frame = gateway.awaitFrame(WAN, f -> InMemoryGateway.isUdpTo(f, peer, 4789), "tunnel datagram");
        assertEquals(ROUTER_MAC, InMemoryGateway.destinationMac(frame));
        assertEquals(PUBLIC, InMemoryGateway.ip(frame).getInt(12, ByteOrder.BIG_ENDIAN), "not translated");
    }
}
