package io.natgate.datapath.frame;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds whole IPv4 packets and Ethernet frames with correct checksums, into new arrays.
 * For sample traffic, tests and benchmark set-up; it allocates, so never on the fast path.
 */
public final class PacketBuilder
{
    public static final int DEFAULT_TTL = 64;

    private PacketBuilder()
    {
    }

    public static byte[] udp(
        final int source, final int sourcePort, final int destination, final int destinationPort, final byte[] payload)
    {
        final int length = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        ((Ipv4Packet)new Ipv4Packet().wrap(buffer, 0)).writeHeader(
            0, length, 0x1234, Ipv4Packet.FLAG_DF, DEFAULT_TTL, Ipv4Packet.PROTO_UDP, source, destination);
        final UdpDatagram udp = (UdpDatagram)new UdpDatagram().wrap(buffer, Ipv4Packet.MIN_HEADER_LENGTH);
        udp.writeHeader(sourcePort, destinationPort, UdpDatagram.HEADER_LENGTH + payload.length);
        buffer.putBytes(Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH, payload);
        final int checksum = Checksums.l4Checksum(
            buffer, Ipv4Packet.MIN_HEADER_LENGTH, length - Ipv4Packet.MIN_HEADER_LENGTH, source, destination,
            Ipv4Packet.PROTO_UDP);
        udp.checksum(checksum == 0 ? 0xFFFF : checksum);
        return buffer.byteArray();
    }

    public static byte[] tcp(
        final int source, final int sourcePort, final int destination, final int destinationPort, final long sequence,
        final long acknowledgement, final int flags, final byte[] payload)
    {
        final int length = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        ((Ipv4Packet)new Ipv4Packet().wrap(buffer, 0)).writeHeader(
            0, length, 0x4321, Ipv4Packet.FLAG_DF, DEFAULT_TTL, Ipv4Packet.PROTO_TCP, source, destination);
        final TcpSegment tcp = (TcpSegment)new TcpSegment().wrap(buffer, Ipv4Packet.MIN_HEADER_LENGTH);
        tcp.writeHeader(sourcePort, destinationPort, sequence, acknowledgement, flags, 65_535);
        buffer.putBytes(Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH, payload);
        tcp.checksum(Checksums.l4Checksum(
            buffer, Ipv4Packet.MIN_HEADER_LENGTH, length - Ipv4Packet.MIN_HEADER_LENGTH, source, destination,
            Ipv4Packet.PROTO_TCP));
        return buffer.byteArray();
    }

    public static byte[] icmpQuery(
        final int source, final int destination, final int type, final int identifier, final int sequence,
        final int payloadLength)
    {
        final int length = Ipv4Packet.MIN_HEADER_LENGTH + IcmpMessage.HEADER_LENGTH + payloadLength;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        ((Ipv4Packet)new Ipv4Packet().wrap(buffer, 0)).writeHeader(
            0, length, 0x0101, 0, DEFAULT_TTL, Ipv4Packet.PROTO_ICMP, source, destination);
        final IcmpMessage icmp = (IcmpMessage)new IcmpMessage().wrap(buffer, Ipv4Packet.MIN_HEADER_LENGTH);
        icmp.writeHeader(type, 0, (identifier << 16) | sequence);
        for (int i = 0; i < payloadLength; i++)
        {
            buffer.putByte(Ipv4Packet.MIN_HEADER_LENGTH + IcmpMessage.HEADER_LENGTH + i, (byte)i);
        }
        icmp.updateChecksum(length - Ipv4Packet.MIN_HEADER_LENGTH);
        return buffer.byteArray();
    }

    public static byte[] ethernet(
        final long destinationMac, final long sourceMac, final int etherType, final byte[] payload)
    {
        final byte[] frame = new byte[EthernetFrame.HEADER_LENGTH + payload.length];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        ((EthernetFrame)new EthernetFrame().wrap(buffer, 0)).writeHeader(destinationMac, sourceMac, etherType);
        buffer.putBytes(EthernetFrame.HEADER_LENGTH, payload);
        return frame;
    }

    public static byte[] arp(
        final long destinationMac, final int operation, final long senderMac, final int senderAddress,
        final long targetMac, final int targetAddress)
    {
        final byte[] payload = new byte[ArpPacket.LENGTH];
        ((ArpPacket)new ArpPacket().wrap(new UnsafeBuffer(payload), 0)).write(
            operation, senderMac, senderAddress, targetMac, targetAddress);
        return ethernet(destinationMac, senderMac, EthernetFrame.ETHERTYPE_ARP, payload);
    }

    /**
     * @return how a neighbour becomes known to the gateway: it asks for the gateway's address (the gateway
     * answers and asks back), then answers the gateway's request, the only ARP the gateway learns from.
     */
    public static byte[][] arpIntroduction(
        final long mac, final int address, final long gatewayMac, final int gatewayAddress)
    {
        return new byte[][] {
            arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, mac, address, 0, gatewayAddress),
            arp(gatewayMac, ArpPacket.OP_REPLY, mac, address, gatewayMac, gatewayAddress)};
    }
}
