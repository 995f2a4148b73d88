package io.natgate.datapath.frame;

import io.natgate.datapath.nat.Ipv4;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One-line, tcpdump-like descriptions of frames, for the packet trace, the demo and tests.
 * Allocates: never call it on the fast path unless tracing is on.
 */
public final class FrameFormatter
{
    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();

    /**
     * Describes an Ethernet frame.
     */
    public String ethernet(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < EthernetFrame.HEADER_LENGTH)
        {
            return "truncated frame (" + length + " bytes)";
        }
        ethernet.wrap(buffer, offset);
        final int headerLength = ethernet.headerLength();
        return switch (ethernet.etherType())
        {
            case EthernetFrame.ETHERTYPE_ARP -> arp(buffer, offset + headerLength, length - headerLength);
            case EthernetFrame.ETHERTYPE_IPV4 -> ipv4(buffer, offset + headerLength, length - headerLength);
            case EthernetFrame.ETHERTYPE_IPV6 -> "IPv6 " + (length - headerLength) + " bytes";
            default -> String.format("ethertype 0x%04x %d bytes", ethernet.etherType(), length);
        };
    }

    /**
     * Describes a frame held in a byte array.
     */
    public String ethernet(final byte[] frame)
    {
        return ethernet(new UnsafeBuffer(frame), 0, frame.length);
    }

    private String arp(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < ArpPacket.LENGTH)
        {
            return "ARP truncated";
        }
        arp.wrap(buffer, offset);
        return arp.operation() == ArpPacket.OP_REQUEST ?
            "ARP who-has " + Ipv4.toString(arp.targetAddress()) + " tell " + Ipv4.toString(arp.senderAddress()) :
            "ARP " + Ipv4.toString(arp.senderAddress()) + " is-at " + mac(arp.senderMac());
    }

    /**
     * Describes an IPv4 packet.
     */
    public String ipv4(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < Ipv4Packet.MIN_HEADER_LENGTH)
        {
            return "IPv4 truncated";
        }
        ip.wrap(buffer, offset);
        final int l4 = offset + ip.headerLength();
        final String source = Ipv4.toString(ip.sourceAddress());
        final String destination = Ipv4.toString(ip.destinationAddress());
        final String fragment = ip.isFragment() ? " frag@" + ip.fragmentOffsetBytes() + (ip.moreFragments() ? "+" : "") : "";
        if (ip.fragmentOffsetBytes() != 0 || length < ip.headerLength() + 8)
        {
            return "IP " + source + " > " + destination + " proto " + ip.protocol() + fragment;
        }
        final int sourcePort = buffer.getShort(l4, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int destinationPort = buffer.getShort(l4 + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return switch (ip.protocol())
        {
            case Ipv4Packet.PROTO_UDP -> "UDP " + source + ":" + sourcePort + " > " + destination + ":" + destinationPort +
                " len " + (ip.totalLength() - ip.headerLength() - UdpDatagram.HEADER_LENGTH) + fragment;
            case Ipv4Packet.PROTO_TCP -> "TCP " + source + ":" + sourcePort + " > " + destination + ":" +
                destinationPort + " [" + tcpFlags(buffer.getByte(l4 + 13) & 0xFF) + "]" + fragment;
            case Ipv4Packet.PROTO_ICMP -> "ICMP " + source + " > " + destination + " " +
                icmp(buffer.getByte(l4) & 0xFF, buffer.getByte(l4 + 1) & 0xFF,
                buffer.getShort(l4 + 4, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) + fragment;
            default -> "IP " + source + " > " + destination + " proto " + ip.protocol() + fragment;
        };
    }

    private static String icmp(final int type, final int code, final int identifier)
    {
        return switch (type)
        {
            case IcmpMessage.ECHO_REQUEST -> "echo request id " + identifier;
            case IcmpMessage.ECHO_REPLY -> "echo reply id " + identifier;
            case IcmpMessage.TIME_EXCEEDED -> "time exceeded";
            case IcmpMessage.DESTINATION_UNREACHABLE -> "unreachable code " + code;
            default -> "type " + type + " code " + code;
        };
    }

    private static String tcpFlags(final int flags)
    {
        final StringBuilder builder = new StringBuilder();
        if ((flags & TcpSegment.SYN) != 0)
        {
            builder.append('S');
        }
        if ((flags & TcpSegment.FIN) != 0)
        {
            builder.append('F');
        }
        if ((flags & TcpSegment.RST) != 0)
        {
            builder.append('R');
        }
        if ((flags & TcpSegment.PSH) != 0)
        {
            builder.append('P');
        }
        if ((flags & TcpSegment.ACK) != 0)
        {
            builder.append('.');
        }
        return builder.toString();
    }

    public static String mac(final long mac)
    {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x",
            mac >>> 40 & 0xFF, mac >>> 32 & 0xFF, mac >>> 24 & 0xFF, mac >>> 16 & 0xFF, mac >>> 8 & 0xFF, mac & 0xFF);
    }
}
