package io.natgate.benchmarks.frame;

import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The checksum work of rewriting a UDP packet's source address and port (what NAT does to
 * every packet): the incremental update with precomputed deltas (RFC 1624) against
 * recomputing the IP header and UDP checksums from scratch (RFC 1071), for a minimum-size
 * and a full-MTU packet. Each operation rewrites the same fields to alternating values so
 * the packet stays valid.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChecksumBenchmark
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int UDP_OFFSET = Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int SOURCE_ADDRESS_OFFSET = 12;
    private static final int IP_CHECKSUM_OFFSET = 10;
    private static final int UDP_CHECKSUM_OFFSET = UDP_OFFSET + UdpDatagram.CHECKSUM_OFFSET;

    /** IPv4 total length. */
    @Param({ "64", "1500" })
    int packetLength;

    private final Ipv4Packet ip = new Ipv4Packet();
    private UnsafeBuffer packet;
    private final int[] addresses = { 0x0A00_0001, 0xC612_0001 };
    private final int[] ports = { 40_000, 1024 };
    private final int[] ipDeltas = new int[2];
    private final int[] udpDeltas = new int[2];
    private int side;

    @Setup
    public void setUp()
    {
        packet = new UnsafeBuffer(BufferUtil.allocateDirectAligned(packetLength, 64));
        ip.wrap(packet, 0);
        ip.writeHeader(0, packetLength, 1, Ipv4Packet.FLAG_DF, 64, Ipv4Packet.PROTO_UDP, addresses[0], 0xCB00_0001);
        final UdpDatagram udp = new UdpDatagram();
        udp.wrap(packet, UDP_OFFSET);
        udp.writeHeader(ports[0], 443, packetLength - UDP_OFFSET);
        for (int i = UDP_OFFSET + UdpDatagram.HEADER_LENGTH; i < packetLength; i++)
        {
            packet.putByte(i, (byte)i);
        }
        udp.checksum(udpChecksum());
        for (int to = 0; to < 2; to++)
        {
            final int from = 1 - to;
            ipDeltas[to] = Checksums.delta32(addresses[from], addresses[to]);
            udpDeltas[to] = Checksums.add(ipDeltas[to], Checksums.delta16(ports[from], ports[to]));
        }
    }

    /**
     * Both ways must leave a packet whose checksums verify from scratch.
     */
    @TearDown
    public void tearDown()
    {
        final long udpSum = Checksums.sum(packet, UDP_OFFSET, packetLength - UDP_OFFSET, Checksums.pseudoHeaderSum(
            ip.sourceAddress(), ip.destinationAddress(), Ipv4Packet.PROTO_UDP, packetLength - UDP_OFFSET));
        if (!ip.isHeaderChecksumValid() || Checksums.fold(udpSum) != 0xFFFF)
        {
            throw new IllegalStateException("checksums do not verify after the benchmark");
        }
    }

    @Benchmark
    public int incremental()
    {
        final int to = side ^= 1;
        final UnsafeBuffer packet = this.packet;
        packet.putInt(SOURCE_ADDRESS_OFFSET, addresses[to], NETWORK);
        packet.putShort(UDP_OFFSET, (short)ports[to], NETWORK);
        final int ipChecksum = Checksums.apply(packet.getShort(IP_CHECKSUM_OFFSET, NETWORK) & 0xFFFF, ipDeltas[to]);
        packet.putShort(IP_CHECKSUM_OFFSET, (short)ipChecksum, NETWORK);
        final int udpChecksum =
            Checksums.applyUdp(packet.getShort(UDP_CHECKSUM_OFFSET, NETWORK) & 0xFFFF, udpDeltas[to]);
        packet.putShort(UDP_CHECKSUM_OFFSET, (short)udpChecksum, NETWORK);
        return udpChecksum;
    }

    @Benchmark
    public int fullRecompute()
    {
        final int to = side ^= 1;
        final UnsafeBuffer packet = this.packet;
        packet.putInt(SOURCE_ADDRESS_OFFSET, addresses[to], NETWORK);
        packet.putShort(UDP_OFFSET, (short)ports[to], NETWORK);
        ip.updateHeaderChecksum();
        final int udpChecksum = udpChecksum();
        packet.putShort(UDP_CHECKSUM_OFFSET, (short)udpChecksum, NETWORK);
        return udpChecksum;
    }

    private int udpChecksum()
    {
        packet.putShort(UDP_CHECKSUM_OFFSET, (short)0);
        final int checksum = Checksums.l4Checksum(
            packet, UDP_OFFSET, packetLength - UDP_OFFSET, ip.sourceAddress(), ip.destinationAddress(),
            Ipv4Packet.PROTO_UDP);
        return checksum == 0 ? 0xFFFF : checksum;
    }
}
