package io.natgate.bindings.afpacket;

import io.natgate.bindings.bpf.ClassicBpf;
import io.natgate.bindings.linux.LinuxException;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FanoutDelivery;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_PACKET TPACKET_V3 rings on a veth pair in a namespace of the test's own.
 */
class PacketSocketTest
{
    /** How long frames may take to arrive on a loaded shared machine; a complete delivery ends the wait at once. */
    private static final long DELIVERY_DEADLINE_NS = 30_000_000_000L;

    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    @Test
    void shouldTransmitAndReceiveFramesByteIdenticalAcrossVethPairInBothDirections()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> { });
            PacketSocket b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[][] aToB = FrameExchange.frames(b.macAddress(), a.macAddress(), 5000, 60, 64, 128, 1500, 1514, 333);
            final byte[][] bToA = FrameExchange.frames(a.macAddress(), b.macAddress(), 5000, 1514, 64, 777, 60);

            assertEquals(5000, FrameExchange.exchange(f -> send(a, f), a::flushTx, () -> poll(b), aToB, 256));
            assertEquals(5000, FrameExchange.exchange(f -> send(b, f), b::flushTx, () -> poll(a), bToA, 256));
        }
    }

    @Test
    void shouldShareInterfaceTrafficBetweenSocketsOfOneFanoutGroup()
    {
        final int group = (int)(ProcessHandle.current().pid() & 0xFFFF);
        try (PacketSocket a = open(LAB.lab().endA(), o -> { });
            PacketSocket b1 = open(LAB.lab().endB(), o -> o.fanout(group, Tpacket.PACKET_FANOUT_LB));
            PacketSocket b2 = open(LAB.lab().endB(), o -> o.fanout(group, Tpacket.PACKET_FANOUT_LB)))
        {
            final byte[][] frames = FrameExchange.frames(b1.macAddress(), a.macAddress(), 1000, 64, 700);
            final boolean[] seen = new boolean[frames.length];
            final int[] perSocket = new int[2];
            int total = 0;
            final long deadlineNs = System.nanoTime() + DELIVERY_DEADLINE_NS;
            int sent = 0;
            while (total < frames.length && System.nanoTime() - deadlineNs < 0)
            {
                while (sent < frames.length && sent - total < 128 && send(a, frames[sent]))
                {
                    sent++;
                }
                a.flushTx();
                for (int i = 0; i < 2; i++)
                {
                    final byte[] frame = poll(i == 0 ? b1 : b2);
                    final int sequence = frame == null ? -1 : TestFrames.sequenceOf(frame, frame.length);
                    if (sequence >= 0)
                    {
                        assertArrayEquals(frames[sequence], frame);
                        assertTrue(!seen[sequence], () -> "frame " + sequence + " delivered twice");
                        seen[sequence] = true;
                        perSocket[i]++;
                        total++;
                    }
                }
            }

            assertEquals(frames.length, total);
            assertTrue(perSocket[0] > 0 && perSocket[1] > 0, () -> perSocket[0] + " / " + perSocket[1]);
        }
    }

    @Test
    void shouldDeliverEachFrameToTheMemberItsFanoutProgramReturnsModuloTheMembersInJoinOrder()
    {
        final int group = (int)((ProcessHandle.current().pid() + 1) & 0xFFFF);
        // A = the low byte of the frame's sequence number (UDP payload, 28 bytes into the IP packet); return A.
        final long[] program = {
            ClassicBpf.stmt(ClassicBpf.BPF_LD | ClassicBpf.BPF_B | ClassicBpf.BPF_ABS, ClassicBpf.SKF_NET_OFF + 31),
            ClassicBpf.stmt(ClassicBpf.BPF_RET | ClassicBpf.BPF_A, 0),
        };
        final PacketSocket[] members = new PacketSocket[3];
        try (PacketSocket a = open(LAB.lab().endA(), o -> { }))
        {
            for (int i = 0; i < members.length; i++)
            {
                members[i] = open(LAB.lab().endB(), o -> o.fanout(group, Tpacket.PACKET_FANOUT_CBPF)
                    .fanoutProgram(program).txFrameCount(0));
            }
            final byte[][] frames = FrameExchange.frames(members[0].macAddress(), a.macAddress(), 600, 64, 300);

            final int[] receivedBy = FanoutDelivery.deliver(a, members, frames);

            final int[] perMember = new int[members.length];
            for (int i = 0; i < frames.length; i++)
            {
                final int sequence = TestFrames.sequenceOf(frames[i], frames[i].length);
                assertEquals((sequence & 0xFF) % members.length, receivedBy[i], "member of frame " + sequence);
                perMember[receivedBy[i]]++;
            }
            assertTrue(perMember[0] > 0 && perMember[1] > 0 && perMember[2] > 0, java.util.Arrays.toString(perMember));
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

    @Test
    void shouldFailWithTheKernelsErrorForAFanoutProgramItRefuses()
    {
        final int group = (int)((ProcessHandle.current().pid() + 2) & 0xFFFF);
        // No return at the end: the kernel's checker refuses it.
        final long[] program = {ClassicBpf.stmt(ClassicBpf.BPF_LD | ClassicBpf.BPF_B | ClassicBpf.BPF_ABS, 0)};

        final LinuxException ex = assertThrows(LinuxException.class, () -> open(LAB.lab().endB(),
            o -> o.fanout(group, Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(program)));

        assertEquals(22, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains("setsockopt(PACKET_FANOUT_DATA, " + LAB.lab().endB() + ")"), ex.getMessage());
    }

    @Test
    void shouldRejectFanoutProgramSettingsNamingTheField()
    {
        final long[] program = {ClassicBpf.stmt(ClassicBpf.BPF_RET | ClassicBpf.BPF_K, 0)};

        assertRejected("fanoutProgram is required with fanoutMode PACKET_FANOUT_CBPF: fanoutProgram=null",
            o -> o.fanout(7, Tpacket.PACKET_FANOUT_CBPF));
        assertRejected("fanoutProgram needs a fanout group in mode PACKET_FANOUT_CBPF: fanoutGroupId=7, fanoutMode=0",
            o -> o.fanout(7, Tpacket.PACKET_FANOUT_HASH).fanoutProgram(program));
        assertRejected("fanoutGroupId=-1", o -> o.fanoutProgram(program));
        assertRejected("fanoutProgram.length=0", o -> o.fanout(7, Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(new long[0]));
        assertRejected("fanoutProgram.length=4097",
            o -> o.fanout(7, Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(new long[ClassicBpf.MAX_INSTRUCTIONS + 1]));
        // The mode's flags do not hide it: still CBPF.
        new PacketSocketOptions().interfaceName("eth0")
            .fanout(7, Tpacket.PACKET_FANOUT_CBPF | Tpacket.PACKET_FANOUT_FLAG_DEFRAG).fanoutProgram(program).validate(4096);
        new PacketSocketOptions().interfaceName("eth0")
            .fanout(7, Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(new long[ClassicBpf.MAX_INSTRUCTIONS]).validate(4096);
    }

    @Test
    void shouldPackClassicBpfInstructionsAsTheKernelLaysThemOut()
    {
        final long instruction = ClassicBpf.jump(ClassicBpf.BPF_JMP | ClassicBpf.BPF_JEQ | ClassicBpf.BPF_K, -2, 3, 250);

        assertEquals(0x0015_03FA_FFFF_FFFEL, instruction);
        assertEquals(0x15, ClassicBpf.code(instruction));
        assertEquals(3, ClassicBpf.jt(instruction));
        assertEquals(250, ClassicBpf.jf(instruction));
        assertEquals(-2, ClassicBpf.k(instruction));
        assertEquals(0x0006_0000_0000_0000L | 0xFFFFL, ClassicBpf.stmt(ClassicBpf.BPF_RET | ClassicBpf.BPF_K, 0xFFFF));
        assertThrows(IllegalArgumentException.class, () -> ClassicBpf.jump(ClassicBpf.BPF_JMP, 0, 256, 0));
        assertEquals(8, ClassicBpf.SOCK_FILTER.byteSize());
        assertEquals(16, ClassicBpf.SOCK_FPROG.byteSize());
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined())
        {
            final MemorySegment fprog = ClassicBpf.program(arena, new long[] {0, instruction});
            assertEquals(2, fprog.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0));
            final MemorySegment filters = fprog.get(java.lang.foreign.ValueLayout.ADDRESS, 8).reinterpret(16);
            assertEquals(0x15, filters.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 8));
            assertEquals(3, filters.get(JAVA_BYTE, 10));
            assertEquals((byte)250, filters.get(JAVA_BYTE, 11));
            assertEquals(-2, filters.get(java.lang.foreign.ValueLayout.JAVA_INT, 12));
        }
    }

    private static void assertRejected(final String message, final Consumer<PacketSocketOptions> customise)
    {
        final PacketSocketOptions options = new PacketSocketOptions().interfaceName("eth0");
        customise.accept(options);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> options.validate(4096));
        assertTrue(ex.getMessage().contains(message), ex.getMessage());
    }

    @Test
    void shouldReportInterfaceIndexMacAndMtu()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> { }))
        {
            assertEquals(LAB.lab().mac(LAB.lab().endA()), a.macAddress());
            assertEquals(1500, a.mtu());
            assertTrue(a.interfaceIndex() > 0);
            assertEquals(2048 - Tpacket.TX_DATA_OFFSET - VirtioNetHeader.LENGTH, a.maxTxFrameLength());
            assertTrue(a.hasVnetHeader());
        }
    }

    @Test
    void shouldPutBackVlanTagTheKernelStrippedIntoMetadata()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> { });
            PacketSocket b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[] frame = TestFrames.vlanUdp(b.macAddress(), a.macAddress(), 0x2064, 7, 128);
            assertTrue(send(a, frame));
            assertEquals(1, a.flushTx());

            assertArrayEquals(frame, awaitFrame(b));
        }
    }

    @Test
    void shouldNotReceiveOwnTransmissionsWhenIgnoringOutgoing()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> { });
            PacketSocket b = open(LAB.lab().endB(), o -> { }))
        {
            assertTrue(send(a, TestFrames.udp(b.macAddress(), a.macAddress(), 1, 100)));
            a.flushTx();

            awaitFrame(b);
            assertNull(pollFor(a, 50));
        }
    }

    @Test
    void shouldReturnMinusOneWhenTxRingIsFullInsteadOfThrowing()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> o.txFrameCount(32).txBlockSizeBytes(4096)))
        {
            final byte[] frame = TestFrames.udp(0x02_00_00_00_00_01L, a.macAddress(), 1, 64);
            int queued = 0;
            while (send(a, frame))
            {
                queued++;
            }
            assertEquals(32, queued);
            assertEquals(-1, a.claimTxFrame());

            assertEquals(32, a.flushTx());
        }
    }

    @Test
    void shouldCountFramesInStatistics()
    {
        try (PacketSocket a = open(LAB.lab().endA(), o -> { });
            PacketSocket b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[][] frames = FrameExchange.frames(b.macAddress(), a.macAddress(), 100, 64);
            FrameExchange.exchange(f -> send(a, f), a::flushTx, () -> poll(b), frames, 100);

            b.updateStats();
            assertTrue(b.receivedCount() >= 100, () -> "received " + b.receivedCount());
            assertEquals(0, b.droppedCount());
        }
    }

    @Test
    void shouldFailWithEnodevForUnknownInterface()
    {
        final LinuxException ex = assertThrows(LinuxException.class, () -> open("ngnosuch0", o -> { }));

        assertEquals(19, ex.errno());
        assertTrue(ex.getMessage().contains("ioctl(SIOCGIFINDEX, ngnosuch0): No such device (ENODEV)"), ex.getMessage());
    }

    @Test
    void shouldRejectBadRingGeometryNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> open(LAB.lab().endA(), o -> o.rxBlockSizeBytes(5000)));

        assertTrue(ex.getMessage().contains("rxBlockSizeBytes=5000"), ex.getMessage());
    }

    @Test
    void shouldSendATcpAggregateWithItsVnetHeaderForTheKernelToSegment()
    {
        final int payloadLength = 4000;
        final int gsoSize = 1448;
        try (PacketSocket a = open(LAB.lab().endA(), o -> o.txFrameSizeBytes(68 << 10).txBlockSizeBytes(68 << 10)
            .txFrameCount(4));
            PacketSocket b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[] frame = tcpAggregate(b.macAddress(), a.macAddress(), payloadLength);
            final long offset = a.claimTxFrame();
            MemorySegment.copy(frame, 0, a.ring(), JAVA_BYTE, offset, frame.length);
            a.commitTxFrame(frame.length, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 14 + 20 + 20, gsoSize,
                14 + 20, 16);
            assertEquals(1, a.flushTx());

            // Whole or cut by the kernel, the segments carry the payload in sequence, each with its vnet header.
            final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            final long deadlineNs = System.nanoTime() + DELIVERY_DEADLINE_NS;
            int frames = 0;
            while (received.size() < payloadLength && System.nanoTime() - deadlineNs < 0)
            {
                b.awaitReceive(10);
                final byte[] got = poll(b);
                if (got == null || got.length < 54 || (got[12] & 0xFF) != 0x08 || got[13] != 0 || got[23] != 6)
                {
                    continue;
                }
                frames++;
                final int sequence = java.nio.ByteBuffer.wrap(got, 38, 4).getInt();
                assertEquals(5000 + received.size(), sequence, "segments in order");
                received.write(got, 54, got.length - 54);
                assertTrue(b.frameGsoType() == VirtioNetHeader.GSO_TCPV4 ||
                    (b.frameVnetFlags() & (VirtioNetHeader.F_NEEDS_CSUM | VirtioNetHeader.F_DATA_VALID)) != 0,
                    "flags " + b.frameVnetFlags() + ", gso " + b.frameGsoType());
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(frame, 54, frame.length), received.toByteArray(),
                "all of it in " + frames + " frames");
            assertEquals(0, a.txWrongFormatCount());
        }
    }

    /**
     * A TCP aggregate 10.0.0.2:40000 -> 198.51.100.7:80, seq 5000, ACK, partial checksum: its field holds
     * the folded pseudo-header sum, as a Linux sender with checksum offload leaves it.
     */
    private static byte[] tcpAggregate(final long destinationMac, final long sourceMac, final int payloadLength)
    {
        final java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(54 + payloadLength);
        for (int i = 5; i >= 0; i--)
        {
            frame.put((byte)(destinationMac >>> (8 * i)));
        }
        for (int i = 5; i >= 0; i--)
        {
            frame.put((byte)(sourceMac >>> (8 * i)));
        }
        frame.putShort((short)0x0800);
        final int ipLength = 40 + payloadLength;
        frame.put((byte)0x45).put((byte)0).putShort((short)ipLength).putShort((short)1).putShort((short)0x4000)
            .put((byte)64).put((byte)6).putShort((short)0).putInt(0x0A000002).putInt(0xC6336407);
        int ipSum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            ipSum += frame.getShort(i) & 0xFFFF;
        }
        ipSum = (ipSum & 0xFFFF) + (ipSum >>> 16);
        ipSum = (ipSum & 0xFFFF) + (ipSum >>> 16);
        frame.putShort(24, (short)~ipSum);
        int pseudo = 0x0A00 + 0x0002 + 0xC633 + 0x6407 + 6 + 20 + payloadLength;
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        frame.putShort((short)40000).putShort((short)80).putInt(5000).putInt(77).put((byte)0x50).put((byte)0x10)
            .putShort((short)500).putShort((short)pseudo).putShort((short)0);
        for (int i = 0; i < payloadLength; i++)
        {
            frame.put((byte)(i * 7 + 3));
        }
        return frame.array();
    }

    @Test
    void shouldMatchKernelAbiSizes()
    {
        // Sizes and offsets from linux/if_packet.h as compiled by gcc on x86-64 and aarch64.
        assertEquals(48, Tpacket.TPACKET3_HDR.byteSize());
        assertEquals(48, Tpacket.TPACKET_BLOCK_DESC.byteSize());
        assertEquals(20, Tpacket.SOCKADDR_LL.byteSize());
        assertEquals(28, Tpacket.TPACKET_REQ3.byteSize());
        assertEquals(16, Tpacket.PACKET_MREQ.byteSize());
        assertEquals(68, Tpacket.TPACKET3_HDRLEN);
        assertEquals(48, Tpacket.TX_DATA_OFFSET);
        assertEquals(8, Tpacket.BLOCK_STATUS);
        assertEquals(16, Tpacket.BLOCK_OFFSET_TO_FIRST_PKT);
        assertEquals(24, Tpacket.HDR_MAC);
        assertEquals(32, Tpacket.HDR_VLAN_TCI);
        assertEquals(36, Tpacket.HDR_VLAN_TPID);
        // struct virtio_net_hdr
        assertEquals(10, VirtioNetHeader.LENGTH);
        assertEquals(4, VirtioNetHeader.GSO_SIZE);
        assertEquals(6, VirtioNetHeader.CSUM_START);
        assertEquals(8, VirtioNetHeader.CSUM_OFFSET);
    }

    static PacketSocket open(final String interfaceName, final Consumer<PacketSocketOptions> customise)
    {
        final PacketSocketOptions options = new PacketSocketOptions().interfaceName(interfaceName)
            .rxBlockSizeBytes(1 << 16).rxBlockCount(16);
        customise.accept(options);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return PacketSocket.open(options);
        }
    }

    static boolean send(final PacketSocket socket, final byte[] frame)
    {
        return FanoutDelivery.send(socket, frame);
    }

    static byte[] poll(final PacketSocket socket)
    {
        return FanoutDelivery.poll(socket);
    }

    static byte[] pollFor(final PacketSocket socket, final int timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        do
        {
            socket.awaitReceive(1);
            final byte[] frame = poll(socket);
            if (frame != null && TestFrames.sequenceOf(frame, frame.length) >= 0)
            {
                return frame;
            }
        }
        while (System.nanoTime() - deadlineNs < 0);
        return null;
    }

    static byte[] awaitFrame(final PacketSocket socket)
    {
        final byte[] frame = pollFor(socket, 5000);
        if (frame == null)
        {
            throw new AssertionError("no frame within 5 s on " + socket);
        }
        return frame;
    }
}
