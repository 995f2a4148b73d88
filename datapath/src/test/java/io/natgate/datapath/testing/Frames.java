package io.natgate.datapath.testing;

import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Ethernet framing for tests, and a {@link io.natgate.datapath.pipeline.FrameSink} that records
 * what the processor sent.
 */
public final class Frames
{
    private Frames()
    {
    }

    public static byte[] ethernet(final long destinationMac, final long sourceMac, final int etherType, final byte[] payload)
    {
        final byte[] frame = new byte[EthernetFrame.HEADER_LENGTH + payload.length];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        ((EthernetFrame)new EthernetFrame().wrap(buffer, 0)).writeHeader(destinationMac, sourceMac, etherType);
        buffer.putBytes(EthernetFrame.HEADER_LENGTH, payload);
        return frame;
    }

    public static byte[] ipv4(final long destinationMac, final long sourceMac, final byte[] packet)
    {
        return ethernet(destinationMac, sourceMac, EthernetFrame.ETHERTYPE_IPV4, packet);
    }

    public static byte[] arp(
        final long destinationMac, final int operation, final long senderMac, final String senderAddress,
        final long targetMac, final String targetAddress)
    {
        final byte[] payload = new byte[ArpPacket.LENGTH];
        ((ArpPacket)new ArpPacket().wrap(new UnsafeBuffer(payload), 0)).write(
            operation, senderMac, Packets.ip(senderAddress), targetMac, Packets.ip(targetAddress));
        return ethernet(destinationMac, senderMac, EthernetFrame.ETHERTYPE_ARP, payload);
    }

    /**
     * @return how a neighbour becomes known to the gateway: it asks for the gateway's address (the gateway
     * answers and asks back), then answers the gateway's request, the only ARP the gateway learns from.
     */
    public static byte[][] arpIntroduction(
        final long mac, final String address, final long gatewayMac, final String gatewayAddress)
    {
        return io.natgate.datapath.frame.PacketBuilder.arpIntroduction(
            mac, Packets.ip(address), gatewayMac, Packets.ip(gatewayAddress));
    }

    /**
     * @return the IP packet of an untagged Ethernet frame.
     */
    public static byte[] payload(final byte[] frame)
    {
        final byte[] payload = new byte[frame.length - EthernetFrame.HEADER_LENGTH];
        System.arraycopy(frame, EthernetFrame.HEADER_LENGTH, payload, 0, payload.length);
        return payload;
    }

    public static long destinationMac(final byte[] frame)
    {
        return ((EthernetFrame)new EthernetFrame().wrap(new UnsafeBuffer(frame), 0)).destinationMac();
    }

    public static long sourceMac(final byte[] frame)
    {
        return ((EthernetFrame)new EthernetFrame().wrap(new UnsafeBuffer(frame), 0)).sourceMac();
    }

    public static int etherType(final byte[] frame)
    {
        return ((EthernetFrame)new EthernetFrame().wrap(new UnsafeBuffer(frame), 0)).etherType();
    }

    /**
     * Records every frame sent, with its port.
     */
    public static final class RecordingSink implements io.natgate.datapath.pipeline.FrameSink
    {
        public final List<Integer> ports = new ArrayList<>();
        public final List<byte[]> frames = new ArrayList<>();

        public boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            ports.add(portIndex);
            frames.add(frame);
            return true;
        }

        public void clear()
        {
            ports.clear();
            frames.clear();
        }

        public int size()
        {
            return frames.size();
        }
    }
}
