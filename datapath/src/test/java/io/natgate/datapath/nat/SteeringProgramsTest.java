package io.natgate.datapath.nat;

import io.natgate.bindings.afpacket.PacketSocket;
import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afpacket.Tpacket;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FanoutDelivery;
import io.natgate.bindings.testing.VethLabExtension;
import io.natgate.datapath.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steering programs run by the kernel: one AF_PACKET socket per worker in a PACKET_FANOUT_CBPF
 * group on one end of a veth pair (in a namespace of the test's own), raw frames sent from the other
 * end, and each frame must arrive on the socket of the worker {@link WorkerSteering#insideWorker(int, int)}
 * or {@link WorkerPorts#owner(int)} names, the rest on worker 0's. The Java functions are the oracle.
 */
class SteeringProgramsTest
{
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int DONT_FRAGMENT = 0x4000;
    private static final int MORE_FRAGMENTS = 0x2000;
    private static final int GRE = 47;
    /** 203.0.113.9, a server out there. */
    private static final int SERVER = 0xCB00_7109;
    /** 198.51.100.1, the gateway's public address. */
    private static final int PUBLIC = 0xC633_6401;

    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    private final List<byte[]> frames = new ArrayList<>();
    private final List<Integer> expected = new ArrayList<>();
    private final List<String> descriptions = new ArrayList<>();

    @ParameterizedTest
    @ValueSource(ints = {2, 3, WorkerPorts.MAX_WORKERS})
    void shouldSteerEveryInsideIpv4PacketToItsSourcesWorkerAndOtherFramesToWorkerZero(final int workers)
    {
        final Random random = new Random(workers);
        final int count = Math.max(1500, 40 * workers);
        for (int i = 0; i < count; i++)
        {
            final int source = insideAddress(random, i);
            final int protocol = i % 2 == 0 ? Ipv4Protocols.TCP : Ipv4Protocols.UDP;
            add(WorkerSteering.insideWorker(source, workers), "packet from " + address(source),
                ipv4(protocol, source, SERVER, 0, 0, transport(protocol, 1024 + random.nextInt(64_512), 443)));
        }
        final int notZero = insideAddressOf(workers - 1, workers);
        final String host = address(notZero);
        add(workers - 1, "first fragment from " + host,
            ipv4(Ipv4Protocols.UDP, notZero, SERVER, MORE_FRAGMENTS, 0, transport(Ipv4Protocols.UDP, 5000, 53)));
        add(workers - 1, "later fragment from " + host,
            ipv4(Ipv4Protocols.UDP, notZero, SERVER, 185, 0, new byte[24]));
        add(workers - 1, "middle fragment from " + host,
            ipv4(Ipv4Protocols.UDP, notZero, SERVER, MORE_FRAGMENTS | 370, 0, new byte[24]));
        add(workers - 1, "ICMP echo from " + host, ipv4(Ipv4Protocols.ICMP, notZero, SERVER, 0, 0, icmpEcho(7)));
        add(workers - 1, "GRE from " + host, ipv4(GRE, notZero, SERVER, 0, 0, new byte[8]));
        add(workers - 1, "TCP with options from " + host,
            ipv4(Ipv4Protocols.TCP, notZero, SERVER, DONT_FRAGMENT, 10, transport(Ipv4Protocols.TCP, 4000, 80)));
        add(workers - 1, "VLAN-tagged UDP from " + host, vlan(100,
            ipv4(Ipv4Protocols.UDP, notZero, SERVER, 0, 0, transport(Ipv4Protocols.UDP, 4001, 53))));
        add(0, "ARP from " + host, arp(notZero, SERVER));
        add(0, "IPv6", ipv6());
        add(0, "IPv4 cut before its source address", Arrays.copyOf(
            ipv4(Ipv4Protocols.UDP, notZero, SERVER, 0, 0, transport(Ipv4Protocols.UDP, 4002, 53)), 2 + 10));

        assertSteered(workers, SteeringPrograms.inside(workers), 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, WorkerPorts.MAX_WORKERS})
    void shouldSteerOutsideTcpAndUdpToTheirDestinationPortsOwnerAndFragmentsIcmpAndTheRestToWorkerZero(final int workers)
    {
        final WorkerPorts ports = new WorkerPorts(workers);
        for (int port = 0; port <= 0xFFFF; port++)
        {
            add(ports.owner(port), "TCP to port " + port,
                ipv4(Ipv4Protocols.TCP, SERVER, PUBLIC, 0, 0, transport(Ipv4Protocols.TCP, 443, port)));
        }
        final List<Integer> edges = new ArrayList<>(List.of(0, 1, 2, 1022, 1023, 1024, 1025, 65_534, 65_535));
        for (int worker = 0; worker < workers; worker++)
        {
            for (final int port : new int[] {ports.privilegedLow(worker), ports.privilegedHigh(worker),
                ports.dynamicLow(worker), ports.dynamicHigh(worker)})
            {
                edges.add(port);
            }
        }
        for (final int port : edges)
        {
            add(ports.owner(port), "UDP to port " + port,
                ipv4(Ipv4Protocols.UDP, SERVER, PUBLIC, 0, 0, transport(Ipv4Protocols.UDP, 53, port)));
            add(ports.owner(port), "TCP (DF, IP options) to port " + port,
                ipv4(Ipv4Protocols.TCP, SERVER, PUBLIC, DONT_FRAGMENT, 1 + port % 10, transport(Ipv4Protocols.TCP, 80, port)));
        }
        for (int port = 1; port <= 0xFFFF; port += 7)
        {
            add(ports.owner(port), "UDP to port " + port,
                ipv4(Ipv4Protocols.UDP, SERVER, PUBLIC, DONT_FRAGMENT, 0, transport(Ipv4Protocols.UDP, 123, port)));
        }
        final int notZero = ports.dynamicLow(workers - 1);
        add(workers - 1, "VLAN-tagged UDP to port " + notZero, vlan(100,
            ipv4(Ipv4Protocols.UDP, SERVER, PUBLIC, 0, 0, transport(Ipv4Protocols.UDP, 53, notZero))));
        add(0, "first fragment to port " + notZero,
            ipv4(Ipv4Protocols.UDP, SERVER, PUBLIC, MORE_FRAGMENTS, 0, transport(Ipv4Protocols.UDP, 53, notZero)));
        add(0, "first TCP fragment to port " + notZero,
            ipv4(Ipv4Protocols.TCP, SERVER, PUBLIC, MORE_FRAGMENTS, 0, transport(Ipv4Protocols.TCP, 80, notZero)));
        // A later fragment's first bytes are payload; these look like the ports of the datagram.
        add(0, "later fragment", ipv4(Ipv4Protocols.UDP, SERVER, PUBLIC, 185, 0, transport(Ipv4Protocols.UDP, 53, notZero)));
        add(0, "last fragment", ipv4(Ipv4Protocols.TCP, SERVER, PUBLIC, 1, 0, transport(Ipv4Protocols.TCP, 80, notZero)));
        add(0, "ICMP echo with identifier " + notZero, ipv4(Ipv4Protocols.ICMP, SERVER, PUBLIC, 0, 0, icmpEcho(notZero)));
        add(0, "GRE", ipv4(GRE, SERVER, PUBLIC, 0, 0, transport(Ipv4Protocols.UDP, 53, notZero)));
        add(0, "ARP", arp(SERVER, PUBLIC));
        add(0, "IPv6", ipv6());
        add(0, "TCP cut before its destination port", Arrays.copyOf(
            ipv4(Ipv4Protocols.TCP, SERVER, PUBLIC, 0, 0, transport(Ipv4Protocols.TCP, 80, notZero)), 2 + 20 + 3));

        assertSteered(workers, SteeringPrograms.outside(workers), 2);
    }

    @Test
    void shouldRefuseAWorkerCountOutsideOneTo256()
    {
        assertEquals(12, SteeringPrograms.inside(1).length);
        assertEquals(20, SteeringPrograms.outside(WorkerPorts.MAX_WORKERS).length);
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SteeringPrograms.inside(0));
        assertEquals("workers", ex.key());
        assertThrows(ConfigurationException.class, () -> SteeringPrograms.outside(WorkerPorts.MAX_WORKERS + 1));
    }

    private void assertSteered(final int workers, final long[] program, final int groupOffset)
    {
        final int group = (int)((ProcessHandle.current().pid() * 4 + groupOffset * 8 + workers) & 0xFFFF);
        final PacketSocket[] members = new PacketSocket[workers];
        try (PacketSocket sender = open(new PacketSocketOptions().interfaceName(LAB.lab().endA())))
        {
            for (int worker = 0; worker < workers; worker++)
            {
                final PacketSocketOptions options = new PacketSocketOptions().interfaceName(LAB.lab().endB())
                    .rxBlockSizeBytes(1 << 16).rxBlockCount(16).txFrameCount(0)
                    .fanout(group, Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(program);
                if (workers > 16)
                {
                    // Many small rings: a block retires on its timeout with a frame or two, so give each
                    // member many blocks and a longer timeout while the test polls the others.
                    options.rxBlockSizeBytes(1 << 13).rxBlockCount(32).blockTimeoutMs(8);
                }
                members[worker] = open(options);
            }
            final byte[][] sent = new byte[frames.size()][];
            for (int i = 0; i < sent.length; i++)
            {
                sent[i] = ethernet(i, members[0].macAddress(), frames.get(i));
            }

            final int[] receivedBy = FanoutDelivery.deliver(sender, members, sent);

            final List<String> wrong = new ArrayList<>();
            final int[] perWorker = new int[workers];
            for (int i = 0; i < sent.length; i++)
            {
                if (receivedBy[i] != expected.get(i))
                {
                    wrong.add(descriptions.get(i) + ": worker " + receivedBy[i] + ", expected " + expected.get(i));
                }
                else
                {
                    perWorker[receivedBy[i]]++;
                }
            }
            long dropped = 0;
            for (final PacketSocket member : members)
            {
                member.updateStats();
                dropped += member.droppedCount();
            }
            assertEquals(0, dropped, "frames the kernel dropped on full rings: a test sizing fault, not steering");
            assertTrue(wrong.isEmpty(), () -> wrong.size() + " of " + sent.length + " frames misrouted, e.g. " +
                wrong.subList(0, Math.min(20, wrong.size())));
            for (int worker = 0; worker < workers; worker++)
            {
                assertTrue(perWorker[worker] > 0, "every worker gets frames: " + Arrays.toString(perWorker));
            }
        }
        finally
        {
            for (final PacketSocket member : members)
            {
                if (member != null)
                {
                    member.close();
                }
            }
        }
    }

    private void add(final int worker, final String description, final byte[] packet)
    {
        frames.add(packet);
        expected.add(worker);
        descriptions.add(description);
    }

    private static PacketSocket open(final PacketSocketOptions options)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return PacketSocket.open(options);
        }
    }

    /**
     * @return a source from 10.0.0.0/8 or the three documentation blocks, by turns.
     */
    private static int insideAddress(final Random random, final int i)
    {
        return switch (i % 4)
        {
            case 0 -> 0x0A00_0000 | random.nextInt(1 << 24);
            case 1 -> 0xC000_0200 | random.nextInt(256);
            case 2 -> 0xC633_6400 | random.nextInt(256);
            default -> 0xCB00_7100 | random.nextInt(256);
        };
    }

    /**
     * @return the first 10.0.0.x address of {@code worker}.
     */
    private static int insideAddressOf(final int worker, final int workers)
    {
        for (int address = 0x0A00_0001; ; address++)
        {
            if (WorkerSteering.insideWorker(address, workers) == worker)
            {
                return address;
            }
        }
    }

    /**
     * The frame to send: a source MAC that numbers it (so every frame is distinct), then the ethertype and what follows.
     */
    private static byte[] ethernet(final int index, final long destinationMac, final byte[] typeAndPayload)
    {
        final ByteBuffer frame = ByteBuffer.allocate(12 + typeAndPayload.length);
        putMac(frame, destinationMac);
        putMac(frame, 0x02_00_00_00_00_00L | index);
        frame.put(typeAndPayload);
        return frame.array();
    }

    /**
     * @return ethertype 0x0800 and an IPv4 header with {@code optionWords} words of NOP options, then {@code l4}.
     */
    private static byte[] ipv4(final int protocol, final int source, final int destination, final int fragmentWord,
        final int optionWords, final byte[] l4)
    {
        final int headerLength = 20 + 4 * optionWords;
        final ByteBuffer packet = ByteBuffer.allocate(2 + headerLength + l4.length);
        packet.putShort((short)ETHERTYPE_IPV4);
        packet.put((byte)(0x40 | headerLength / 4)).put((byte)0).putShort((short)(headerLength + l4.length));
        packet.putShort((short)0x1234).putShort((short)fragmentWord).put((byte)64).put((byte)protocol).putShort((short)0);
        packet.putInt(source).putInt(destination);
        for (int i = 0; i < 4 * optionWords; i++)
        {
            packet.put((byte)1);
        }
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2)
        {
            sum += packet.getShort(2 + i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        packet.putShort(2 + 10, (short)~sum);
        packet.put(l4);
        return packet.array();
    }

    /**
     * @return a TCP SYN header, or a UDP header and 4 bytes of payload.
     */
    private static byte[] transport(final int protocol, final int sourcePort, final int destinationPort)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(protocol == Ipv4Protocols.TCP ? 20 : 12);
        l4.putShort((short)sourcePort).putShort((short)destinationPort);
        if (protocol == Ipv4Protocols.TCP)
        {
            l4.putInt(1000).putInt(0).put((byte)0x50).put((byte)0x02).putShort((short)64_240);
        }
        else
        {
            l4.putShort((short)12).putShort((short)0).putInt(0xC0FFEE);
        }
        return l4.array();
    }

    private static byte[] icmpEcho(final int identifier)
    {
        return ByteBuffer.allocate(8).put((byte)8).put((byte)0).putShort((short)0).putShort((short)identifier)
            .putShort((short)1).array();
    }

    /**
     * @return ethertype 0x8100, the tag, then the tagged frame's ethertype and payload.
     */
    private static byte[] vlan(final int vlanId, final byte[] typeAndPayload)
    {
        return ByteBuffer.allocate(4 + typeAndPayload.length).putShort((short)0x8100).putShort((short)vlanId)
            .put(typeAndPayload).array();
    }

    /**
     * @return an ARP request: who has {@code target}, tell {@code sender}.
     */
    private static byte[] arp(final int sender, final int target)
    {
        return ByteBuffer.allocate(2 + 28).putShort((short)ETHERTYPE_ARP).putShort((short)1).putShort((short)ETHERTYPE_IPV4)
            .put((byte)6).put((byte)4).putShort((short)1).put(new byte[] {2, 0, 0, 0, 0, 1}).putInt(sender)
            .put(new byte[6]).putInt(target).array();
    }

    /**
     * @return an IPv6 UDP packet 2001:db8::1 to 2001:db8::2, port 53.
     */
    private static byte[] ipv6()
    {
        final ByteBuffer packet = ByteBuffer.allocate(2 + 40 + 12);
        packet.putShort((short)ETHERTYPE_IPV6).putInt(0x6000_0000).putShort((short)12).put((byte)Ipv4Protocols.UDP)
            .put((byte)64);
        packet.putInt(0x2001_0DB8).putLong(0).putInt(1).putInt(0x2001_0DB8).putLong(0).putInt(2);
        packet.put(transport(Ipv4Protocols.UDP, 5353, 53));
        return packet.array();
    }

    private static void putMac(final ByteBuffer frame, final long mac)
    {
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            frame.put((byte)(mac >>> shift));
        }
    }

    private static String address(final int address)
    {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
