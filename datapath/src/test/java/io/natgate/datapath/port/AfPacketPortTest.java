package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.linux.LinuxException;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLabExtension;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AF_PACKET port on a veth pair in a namespace of the test's own.
 */
class AfPacketPortTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    @Test
    void shouldCarryFramesByteIdenticalBetweenPortsAcrossVethPairInBothDirections()
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> { });
            AfPacketPort b = open("b", LAB.lab().endB(), o -> { }))
        {
            final byte[][] aToB = FrameExchange.frames(b.macAddress(), a.macAddress(), 4000, 64, 1514, 60, 591);
            final byte[][] bToA = FrameExchange.frames(a.macAddress(), b.macAddress(), 4000, 1514, 64, 1000);

            assertEquals(4000, PortExchange.exchange(a, b, aToB, 256));
            assertEquals(4000, PortExchange.exchange(b, a, bToA, 256));

            final PortStats stats = b.stats(new PortStats());
            assertEquals(0, stats.rxDropped(), stats::toString);
            assertEquals(0, stats.txFailed(), stats::toString);
        }
    }

    @Test
    void shouldKeepHeldFramesInPlaceAcrossBlocksUntilReleased() throws InterruptedException
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> { });
            AfPacketPort b = open("b", LAB.lab().endB(), o -> o.rxBlockSizeBytes(1 << 14).rxBlockCount(8)))
        {
            assertTrue(b.holdsReceivedFrames());
            // 1400-byte frames: 11 fill a 16 KiB block, so 30 of them span three blocks.
            final byte[][] first = FrameExchange.frames(b.macAddress(), a.macAddress(), 30, 1400);
            send(a, first);
            final java.util.List<long[]> held = new java.util.ArrayList<>();
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (held.size() < first.length && System.nanoTime() - deadlineNs < 0)
            {
                b.receiveHeld((buffer, offset, length) ->
                {
                    if (TestFrames.sequenceOf(bytes(buffer, offset, length), length) >= 0)
                    {
                        held.add(new long[] {offset, length});
                    }
                    return true;
                }, 64);
                Thread.sleep(1);
            }
            assertEquals(first.length, held.size());

            // More traffic: had the earlier blocks gone back to the kernel, it would write over them.
            send(a, FrameExchange.frames(b.macAddress(), a.macAddress(), 40, 1400));
            Thread.sleep(50);
            final UnsafeBuffer ring = new UnsafeBuffer(b.socket().ring().address(), (int)b.socket().ring().byteSize());
            for (int i = 0; i < held.size(); i++)
            {
                assertArrayEquals(first[i], bytes(ring, (int)held.get(i)[0], (int)held.get(i)[1]), "held frame " + i);
            }

            b.releaseReceived();
            final int[] after = new int[1];
            final long againNs = System.nanoTime() + 5_000_000_000L;
            while (after[0] < 40 && System.nanoTime() - againNs < 0)
            {
                b.receive((buffer, offset, length) ->
                {
                    after[0] += TestFrames.sequenceOf(bytes(buffer, offset, length), length) >= 0 ? 1 : 0;
                    return true;
                }, 64);
                Thread.sleep(1);
            }
            assertEquals(40, after[0], "the frames that came after, once the held blocks were released");
        }
    }

    private static void send(final AfPacketPort port, final byte[][] frames)
    {
        for (final byte[] frame : frames)
        {
            assertTrue(port.transmit(new UnsafeBuffer(frame), 0, frame.length));
        }
        port.flush();
    }

    private static byte[] bytes(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return copy;
    }

    @Test
    void shouldTakeMacAddressAndMtuFromInterface()
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> { }))
        {
            assertEquals("a", a.name());
            assertEquals(LinkLayer.ETHERNET, a.linkLayer());
            assertEquals(LAB.lab().mac(LAB.lab().endA()), a.macAddress());
            assertEquals(1500, a.mtu());
        }
    }

    @Test
    void shouldRefuseFrameLongerThanMtuAllows()
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> { }))
        {
            final byte[] jumbo = TestFrames.udp(0x02_00_00_00_00_01L, a.macAddress(), 1, 1519);

            assertFalse(a.transmit(new UnsafeBuffer(jumbo), 0, jumbo.length));
        }
    }

    @Test
    void shouldRefuseFramesWhileTxRingIsFullAndTakeThemAgainAfterFlush() throws InterruptedException
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> o.txFrameCount(16).txBlockSizeBytes(4096));
            AfPacketPort b = open("b", LAB.lab().endB(), o -> { }))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(b.macAddress(), a.macAddress(), 1, 64));
            int accepted = 0;
            while (a.transmit(frame, 0, frame.capacity()))
            {
                accepted++;
            }
            assertEquals(16, accepted);

            assertEquals(16, a.flush());
            boolean acceptedAgain = false;
            for (int i = 0; i < 1000 && !acceptedAgain; i++)
            {
                acceptedAgain = a.transmit(frame, 0, frame.capacity());
                Thread.sleep(1);
            }
            assertTrue(acceptedAgain);
        }
    }

    @Test
    void shouldStopBurstWhenHandlerRefusesAndDeliverTheRestLater()
    {
        try (AfPacketPort a = open("a", LAB.lab().endA(), o -> { });
            AfPacketPort b = open("b", LAB.lab().endB(), o -> { }))
        {
            final byte[][] frames = FrameExchange.frames(b.macAddress(), a.macAddress(), 10, 100);
            for (final byte[] frame : frames)
            {
                assertTrue(a.transmit(new UnsafeBuffer(frame), 0, frame.length));
            }
            a.flush();

            final byte[][] seen = new byte[10][];
            final int[] count = new int[1];
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (count[0] < 3 && System.nanoTime() < deadlineNs)
            {
                b.receive((buffer, offset, length) ->
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    if (TestFrames.sequenceOf(copy, length) >= 0)
                    {
                        seen[count[0]++] = copy;
                    }
                    return count[0] < 3;
                }, 32);
            }
            assertEquals(3, count[0]);
            for (int i = 3; i < 10; i++)
            {
                byte[] next;
                do
                {
                    next = PortExchange.poll(b);
                }
                while (next == null || TestFrames.sequenceOf(next, next.length) < 0);
                seen[i] = next;
            }
            assertArrayEquals(frames, seen);
        }
    }

    @Test
    void shouldFailWithSystemTextForUnknownInterface()
    {
        final LinuxException ex = assertThrows(LinuxException.class, () -> open("x", "ngnosuch1", o -> { }));

        assertTrue(ex.getMessage().contains("No such device (ENODEV)"), ex.getMessage());
    }

    static AfPacketPort open(final String name, final String device, final Consumer<PacketSocketOptions> customise)
    {
        final PacketSocketOptions options = new PacketSocketOptions().interfaceName(device)
            .rxBlockSizeBytes(1 << 16).rxBlockCount(16);
        customise.accept(options);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return AfPacketPort.open(name, options);
        }
    }
}
