package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.Allocations;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLabExtension;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ports' receive, transmit and flush allocate nothing once warm: frames are views of native
 * memory, never copies into new objects.
 */
class PortAllocationTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    private static final int BURST = 32;

    @TempDir
    Path directory;

    @Test
    void shouldNotAllocateOnAfPacketReceiveTransmitAndFlush()
    {
        try (AfPacketPort a = openAfPacket("a", LAB.lab().endA());
            AfPacketPort b = openAfPacket("b", LAB.lab().endB()))
        {
            assertEquals(0, bytesPerRound(a, b));
        }
    }

    @Test
    void shouldNotAllocateOnAfXdpReceiveTransmitAndFlush()
    {
        try (AfXdpPort a = AfXdpPortTest.open("a", LAB.lab(), LAB.lab().endA(), o -> { });
            AfXdpPort b = AfXdpPortTest.open("b", LAB.lab(), LAB.lab().endB(), o -> { }))
        {
            assertEquals(0, bytesPerRound(a, b));
        }
    }

    @Test
    void shouldNotAllocateOnPcapReceiveAndTransmit()
    {
        try (PcapPort a = openPcap("a", LAB.lab().endA());
            PcapPort b = openPcap("b", LAB.lab().endB()))
        {
            assertEquals(0, bytesPerRound(a, b));
        }
    }

    @Test
    void shouldNotAllocateWritingCaptureFile()
    {
        try (PcapFilePort port = PcapFilePort.open("out", null, directory.resolve("out.pcap"), LinkLayer.ETHERNET,
            0x02_00_00_00_00_01L, 1500, () -> 0L))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(2, 1, 1, 200));

            assertEquals(0, Allocations.bytesAllocatedAfterWarmUp(25, 25, () ->
            {
                for (int i = 0; i < 1000; i++)
                {
                    port.transmit(frame, 0, frame.capacity());
                }
                port.flush();
            }));
        }
    }

    /**
     * Sends bursts from {@code from} to {@code to} and receives them, warming up first.
     */
    private static long bytesPerRound(final Port from, final Port to)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(to.macAddress(), from.macAddress(), 1, 128));
        final Counter counter = new Counter();
        final Runnable round = () ->
        {
            for (int burst = 0; burst < 10; burst++)
            {
                for (int i = 0; i < BURST; i++)
                {
                    from.transmit(frame, 0, frame.capacity());
                }
                from.flush();
                final long deadlineNs = System.nanoTime() + 100_000_000L;
                counter.frames = 0;
                while (counter.frames < BURST && System.nanoTime() - deadlineNs < 0)
                {
                    to.receive(counter, BURST);
                }
            }
        };
        return Allocations.bytesAllocatedAfterWarmUp(100, 20, round);
    }

    private static AfPacketPort openAfPacket(final String name, final String device)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return AfPacketPort.open(name, new PacketSocketOptions().interfaceName(device).rxBlockSizeBytes(1 << 16)
                .rxBlockCount(16));
        }
    }

    private static PcapPort openPcap(final String name, final String device)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return PcapPort.open(name, PcapPort.defaultOptions(device, 1500).bufferSizeBytes(2 * 1024 * 1024), 0, 1500);
        }
    }

    private static final class Counter implements FrameHandler
    {
        int frames;

        @Override
        public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            frames++;
            return true;
        }
    }
}
