package io.natgate.bindings.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ethernet/IPv4/UDP test frames from documentation address blocks (198.51.100.0/24 to
 * 203.0.113.0/24), each carrying a sequence number so a receiver can match it to what was sent.
 */
public final class TestFrames
{
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int MIN_LENGTH = 14 + 20 + 8 + 4;
    public static final int SOURCE_PORT = 40000;
    public static final int DESTINATION_PORT = 5000;
    /** 198.51.100.10 */
    public static final int SOURCE_IP = 0xC6336400 | 10;
    /** 203.0.113.20 */
    public static final int DESTINATION_IP = 0xCB007100 | 20;

    private TestFrames()
    {
    }

    /**
     * @param length total frame length, at least {@link #MIN_LENGTH}.
     */
    public static byte[] udp(final long destinationMac, final long sourceMac, final int sequence, final int length)
    {
        if (length < MIN_LENGTH)
        {
            throw new IllegalArgumentException("frame length " + length + " < " + MIN_LENGTH);
        }
        final ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        putMac(frame, destinationMac);
        putMac(frame, sourceMac);
        frame.putShort((short)ETHERTYPE_IPV4);
        writeIpUdp(frame, sequence, length - 14);
        return frame.array();
    }

    /**
     * The same frame with an 802.1Q tag after the source MAC.
     */
    public static byte[] vlanUdp(final long destinationMac, final long sourceMac, final int vlanId, final int sequence,
        final int length)
    {
        final ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        putMac(frame, destinationMac);
        putMac(frame, sourceMac);
        frame.putShort((short)ETHERTYPE_VLAN);
        frame.putShort((short)vlanId);
        frame.putShort((short)ETHERTYPE_IPV4);
        writeIpUdp(frame, sequence, length - 18);
        return frame.array();
    }

    /**
     * A raw IPv4/UDP packet with no link header (for L3 ports).
     */
    public static byte[] rawIpUdp(final int sequence, final int length)
    {
        final ByteBuffer packet = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        writeIpUdp(packet, sequence, length);
        return packet.array();
    }

    /**
     * @return the sequence number of a frame built here, or -1 for anything else.
     */
    public static int sequenceOf(final byte[] frame, final int length)
    {
        if (length < MIN_LENGTH)
        {
            return -1;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(frame, 0, length).order(ByteOrder.BIG_ENDIAN);
        int ip = 14;
        if ((buffer.getShort(12) & 0xFFFF) == ETHERTYPE_VLAN)
        {
            ip = 18;
        }
        if ((buffer.getShort(ip - 2) & 0xFFFF) != ETHERTYPE_IPV4 || buffer.getInt(ip + 12) != SOURCE_IP ||
            (buffer.getShort(ip + 20) & 0xFFFF) != SOURCE_PORT || length < ip + 32)
        {
            return -1;
        }
        return buffer.getInt(ip + 28);
    }

    private static void writeIpUdp(final ByteBuffer packet, final int sequence, final int ipLength)
    {
        final int start = packet.position();
        packet.put((byte)0x45).put((byte)0).putShort((short)ipLength);
        packet.putShort((short)sequence).putShort((short)0x4000);
        packet.put((byte)64).put((byte)17).putShort((short)0);
        packet.putInt(SOURCE_IP).putInt(DESTINATION_IP);
        packet.putShort(start + 10, (short)ipChecksum(packet, start));
        packet.putShort((short)SOURCE_PORT).putShort((short)DESTINATION_PORT);
        packet.putShort((short)(ipLength - 20)).putShort((short)0);
        packet.putInt(sequence);
        int fill = sequence;
        while (packet.hasRemaining())
        {
            packet.put((byte)fill++);
        }
    }

    private static int ipChecksum(final ByteBuffer packet, final int start)
    {
        int sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += packet.getShort(start + i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    private static void putMac(final ByteBuffer buffer, final long mac)
    {
        buffer.putShort((short)(mac >>> 32)).putInt((int)mac);
    }
}
