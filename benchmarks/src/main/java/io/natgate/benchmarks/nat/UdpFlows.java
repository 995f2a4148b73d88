package io.natgate.benchmarks.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Benchmark setup for the NAT engine: a deterministic population of UDP flows, 64-byte
 * IPv4/UDP packets with correct checksums, and the engine configuration they run against.
 * <p>
 * A packet is replayed from two longs per operation: the address word (source and
 * destination address) and the port word (source and destination port, IP header checksum,
 * UDP checksum). {@link #load} writes exactly the fields translation rewrites, so loading a
 * flow's words into a working buffer restores its untranslated packet in four stores.
 */
final class UdpFlows
{
    /** IPv4 total length of every packet: 20-byte header, 8-byte UDP header, 36 bytes of payload. */
    static final int PACKET_LENGTH = 64;
    static final int PUBLIC_ADDRESS_COUNT = 64;
    static final int CLIENT_COUNT = 4096;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int UDP_OFFSET = Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int PORT_RANGE = 65_536 - 1024;
    /** Odd and prime to 3 and 7, so it permutes the 64,512 non-well-known ports. */
    private static final int PORT_STRIDE = 40_499;
    static final int FIRST_CLIENT = Ipv4.parse("10.0.0.1");
    private static final int FIRST_REMOTE = Ipv4.parse("203.0.0.0");
    static final int FIRST_PUBLIC = Ipv4.parse("198.18.0.1");

    private UdpFlows()
    {
    }

    /**
     * Defaults everywhere (address-dependent filtering, port preservation and parity, paired
     * pooling, hairpinning on) except capacities and the pool: {@link #PUBLIC_ADDRESS_COUNT}
     * addresses of 64,512 ports each give room for 4M UDP mappings, so a million never runs
     * a pool short.
     */
    static NatConfig config(final int maxSessions)
    {
        final int[] publicAddresses = new int[PUBLIC_ADDRESS_COUNT];
        for (int i = 0; i < publicAddresses.length; i++)
        {
            publicAddresses[i] = FIRST_PUBLIC + i;
        }
        return new NatConfig()
            .publicAddresses(publicAddresses)
            .maxSessions(maxSessions)
            .udpTimeoutNs(NatConfig.UDP_TIMEOUT_MIN_NS);
    }

    static NatEngine engine(final NatConfig config)
    {
        return new NatEngine(config, NatEventListener.NONE, new DatapathCounters(1));
    }

    /**
     * A 64-byte-aligned direct buffer for one packet, as a NIC ring slot would be.
     */
    static UnsafeBuffer packetBuffer()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(PACKET_LENGTH, 64));
    }

    // Flow j: inside endpoint unique for j < CLIENT_COUNT * PORT_RANGE (264M), one session per mapping.

    static int insideAddress(final int flow)
    {
        return FIRST_CLIENT + flow % CLIENT_COUNT;
    }

    static int insidePort(final int flow)
    {
        final int client = flow % CLIENT_COUNT;
        final int k = flow / CLIENT_COUNT;
        return 1024 + (int)(((long)k * PORT_STRIDE + client * 7L) % PORT_RANGE);
    }

    static int remoteAddress(final int flow)
    {
        return FIRST_REMOTE + ((flow * 0x9E37_79B1) >>> 16);
    }

    static int remotePort(final int flow)
    {
        return (flow & 3) == 0 ? 53 : 443;
    }

    /**
     * Writes a whole 64-byte IPv4/UDP packet with correct header and UDP checksums.
     */
    static void write(
        final MutableDirectBuffer buffer, final int source, final int sourcePort, final int destination,
        final int destinationPort)
    {
        final Ipv4Packet ip = new Ipv4Packet();
        ip.wrap(buffer, 0);
        ip.writeHeader(0, PACKET_LENGTH, 0x1234, Ipv4Packet.FLAG_DF, 64, Ipv4Packet.PROTO_UDP, source, destination);
        final UdpDatagram udp = new UdpDatagram();
        udp.wrap(buffer, UDP_OFFSET);
        udp.writeHeader(sourcePort, destinationPort, PACKET_LENGTH - UDP_OFFSET);
        for (int i = UDP_OFFSET + UdpDatagram.HEADER_LENGTH; i < PACKET_LENGTH; i++)
        {
            buffer.putByte(i, (byte)i);
        }
        final int checksum = Checksums.l4Checksum(
            buffer, UDP_OFFSET, PACKET_LENGTH - UDP_OFFSET, source, destination, Ipv4Packet.PROTO_UDP);
        udp.checksum(checksum == 0 ? 0xFFFF : checksum);
    }

    static long addressWord(final MutableDirectBuffer buffer)
    {
        return buffer.getLong(12, NETWORK);
    }

    static long portWord(final MutableDirectBuffer buffer)
    {
        return ((long)buffer.getInt(UDP_OFFSET, NETWORK) << 32) |
            ((long)(buffer.getShort(10, NETWORK) & 0xFFFF) << 16) |
            (buffer.getShort(UDP_OFFSET + UdpDatagram.CHECKSUM_OFFSET, NETWORK) & 0xFFFF);
    }

    /**
     * Restores the fields translation rewrites: addresses, ports and both checksums.
     */
    static void load(final MutableDirectBuffer buffer, final long addressWord, final long portWord)
    {
        buffer.putLong(12, addressWord, NETWORK);
        buffer.putInt(UDP_OFFSET, (int)(portWord >>> 32), NETWORK);
        buffer.putShort(10, (short)(portWord >>> 16), NETWORK);
        buffer.putShort(UDP_OFFSET + UdpDatagram.CHECKSUM_OFFSET, (short)portWord, NETWORK);
    }

    /**
     * @return true when the IP header and UDP checksums of the packet verify from scratch.
     */
    static boolean checksumsValid(final MutableDirectBuffer buffer)
    {
        final Ipv4Packet ip = new Ipv4Packet();
        ip.wrap(buffer, 0);
        final long udpSum = Checksums.sum(buffer, UDP_OFFSET, PACKET_LENGTH - UDP_OFFSET, Checksums.pseudoHeaderSum(
            ip.sourceAddress(), ip.destinationAddress(), Ipv4Packet.PROTO_UDP, PACKET_LENGTH - UDP_OFFSET));
        return ip.isHeaderChecksumValid() && Checksums.fold(udpSum) == 0xFFFF;
    }

    /**
     * @return the (address word, port word) pairs of {@code byFlow} in the flow order {@code order} gives.
     */
    static long[] inOrder(final long[] byFlow, final int[] order)
    {
        final long[] words = new long[byFlow.length];
        for (int i = 0; i < order.length; i++)
        {
            words[2 * i] = byFlow[2 * order[i]];
            words[2 * i + 1] = byFlow[2 * order[i] + 1];
        }
        return words;
    }

    /**
     * Fisher-Yates with a fixed seed: the same random order on every run.
     */
    static int[] shuffled(final int count, final long seed)
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * @return heap in use after a few full collections, for before/after footprint figures.
     */
    static long usedHeapAfterGc()
    {
        final Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
