package io.natgate.datapath.forward;

import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.forward.TestGateway.CLIENT;
import static io.natgate.datapath.forward.TestGateway.GW_IN;
import static io.natgate.datapath.forward.TestGateway.GW_OUT;
import static io.natgate.datapath.forward.TestGateway.INSIDE;
import static io.natgate.datapath.forward.TestGateway.OUTSIDE;
import static io.natgate.datapath.forward.TestGateway.ROUTER;
import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Frames of established flows, which take the fast path (address, port and TTL rewritten in one
 * checksum update each, Ethernet header from the next hop's cached rewrite), checked against a
 * checksum computed here from scratch, independently of natgate's own {@code Checksums}.
 */
class ForwarderFastPathTest
{
    private static final long NEW_ROUTER = 0x0200_0000_00BBL;

    private final TestGateway gateway = new TestGateway();
    private final Frames.RecordingSink sink = new Frames.RecordingSink();

    /** RFC 1071, written out here: the one's complement of the one's complement sum of 16-bit words. */
    private static int internetChecksum(final byte[] bytes, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = bytes[offset + i] & 0xFF;
            final int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    private static boolean headerAndTransportChecksumsVerify(final byte[] packet)
    {
        final int headerLength = (packet[0] & 0x0F) * 4;
        final int protocol = packet[9] & 0xFF;
        final int l4Length = packet.length - headerLength;
        long pseudo = protocol + l4Length;
        for (int i = 12; i < 20; i += 2)
        {
            pseudo += ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
        }
        return internetChecksum(packet, 0, headerLength, 0) == 0 &&
            internetChecksum(packet, headerLength, l4Length, pseudo) == 0;
    }

    private void receive(final int port, final byte[] frame)
    {
        gateway.receive(port, frame, sink);
    }

    @Test
    void independentChecksumShouldGiveTheKnownValueOfAnRfcExampleHeader()
    {
        // a well-known IPv4 header with its checksum field zeroed: the checksum is 0xB861
        final byte[] header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
            (byte)0xC0, (byte)0xA8, 0x00, 0x01, (byte)0xC0, (byte)0xA8, 0x00, (byte)0xC7};
        assertEquals(0xB861, internetChecksum(header, 0, header.length, 0));
    }

    @Test
    void shouldRewriteAddressPortAndTtlOfEstablishedFlowsWithChecksumsThatVerifyFromScratch()
    {
        gateway.resolveBoth(sink);
        final byte[][] outbound = {
            Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[] {1, 2, 3}),
            Packets.tcp("10.0.0.2", 6000, "198.51.100.7", 443, TcpSegment.ACK, new byte[] {9, 8, 7, 6, 5})};
        final byte[][] inbound = {
            Packets.udp("198.51.100.7", 53, "203.0.113.1", 5000, new byte[] {4, 5}),
            Packets.tcp("198.51.100.7", 443, "203.0.113.1", 6000, TcpSegment.ACK, new byte[] {1})};
        for (int round = 0; round < 2; round++) // the first round makes the sessions, the second is all fast path
        {
            for (int i = 0; i < outbound.length; i++)
            {
                sink.clear();
                receive(INSIDE, Frames.ipv4(GW_IN, CLIENT, outbound[i]));
                receive(OUTSIDE, Frames.ipv4(GW_OUT, ROUTER, inbound[i]));
                assertEquals(List.of(OUTSIDE, INSIDE), sink.ports);
                final byte[] out = Frames.payload(sink.frames.get(0));
                final byte[] in = Frames.payload(sink.frames.get(1));
                assertEquals(ROUTER, Frames.destinationMac(sink.frames.get(0)));
                assertEquals(GW_OUT, Frames.sourceMac(sink.frames.get(0)));
                assertEquals(CLIENT, Frames.destinationMac(sink.frames.get(1)));
                assertEquals(EthernetFrame.ETHERTYPE_IPV4, Frames.etherType(sink.frames.get(1)));
                assertEquals(ip("203.0.113.1"), Packets.source(out));
                assertEquals(ip("10.0.0.2"), Packets.destination(in));
                assertEquals(Packets.TTL - 1, out[8]);
                assertEquals(Packets.TTL - 1, in[8]);
                assertEquals(true, headerAndTransportChecksumsVerify(out), "outbound " + i + " round " + round);
                assertEquals(true, headerAndTransportChecksumsVerify(in), "inbound " + i + " round " + round);
            }
        }
        assertEquals(4, gateway.counters.get(INSIDE, PortCounter.TRANSLATED_OUT));
        assertEquals(4, gateway.counters.get(OUTSIDE, PortCounter.TRANSLATED_IN));
    }

    @Test
    void shouldSendToTheNewMacOnceTheNextHopsNewMacIsConfirmed()
    {
        gateway.resolveBoth(sink);
        final byte[] frame = Frames.ipv4(GW_IN, CLIENT, Packets.udp("10.0.0.2", 5000, "198.51.100.7", 53, new byte[1]));
        receive(INSIDE, frame);
        receive(INSIDE, frame);
        gateway.resolve(OUTSIDE, NEW_ROUTER, "203.0.113.254", "203.0.113.1", sink); // the router was replaced
        receive(INSIDE, frame);
        assertEquals(ROUTER, Frames.destinationMac(sink.frames.get(sink.size() - 1)), "not before confirmation");
        // the old router stays silent through the confirmation window; the new one answers again
        gateway.receive(OUTSIDE, Frames.arp(GW_OUT, ArpPacket.OP_REPLY, NEW_ROUTER, "203.0.113.254", GW_OUT,
            "203.0.113.1"), 2_000_000_000L, sink);
        sink.clear();
        receive(INSIDE, frame);

        assertEquals(NEW_ROUTER, Frames.destinationMac(sink.frames.get(sink.size() - 1)));
    }
}
