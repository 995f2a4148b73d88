package io.natgate.datapath.pipeline;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.afxdp.XskRing;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.VethLab;
import io.natgate.bindings.testing.VethLabExtension;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.port.AfPacketPort;
import io.natgate.datapath.port.AfXdpPort;
import io.natgate.datapath.port.PortExchange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run-to-completion worker between two AF_XDP ports on one UMEM, on veth pairs: the frames it
 * forwards leave from the very UMEM addresses they arrived at. AF_PACKET ports on the far ends
 * send and witness the frames.
 */
@Timeout(120)
class AfXdpRunToCompletionTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    private static final int FRAMES = 3000;

    @Test
    void shouldForwardFramesBetweenAfXdpPortsOnOneUmemWithoutCopyingThem()
    {
        final VethLab lab = LAB.lab();
        final String pid = Long.toString(ProcessHandle.current().pid());
        final String outsideEnd = "ngr" + pid;
        final String receiverEnd = "ngs" + pid;
        lab.addPair(outsideEnd, receiverEnd, 1);
        final List<AfXdpPort> shared;
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            shared = AfXdpPort.openShared(List.of("in", "out"), List.of(
                new XdpSocketOptions().interfaceName(lab.endB()), new XdpSocketOptions().interfaceName(outsideEnd)));
        }
        final long umemBase = shared.getFirst().socket().umem().area().address();
        // UMEM addresses of the frames the worker was handed, in the order it sent them on
        final long[] receivedAt = new long[FRAMES * 2];
        final int[] handed = new int[1];
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ForwardingProcessor processor = ForwardingProcessor.doing((buffer, offset, length, ingressPort, sink) ->
        {
            if (handed[0] < receivedAt.length)
            {
                receivedAt[handed[0]++] = buffer.addressOffset() + offset - umemBase;
            }
            sink.send(1, buffer, offset, length);
        });
        try (AfXdpPort in = shared.get(0); AfXdpPort out = shared.get(1);
            AfPacketPort sender = openAfPacket(lab, lab.endA());
            AfPacketPort receiver = openAfPacket(lab, receiverEnd))
        {
            final byte[][] frames = FrameExchange.frames(receiver.macAddress(), sender.macAddress(), FRAMES, 64, 1514, 400);
            final int arrived;
            final long txFrames;
            try (Pipeline pipeline = new Pipeline(new PipelineConfig().threadingMode(ThreadingMode.RUN_TO_COMPLETION)
                .errorHandler(errors::add), List.of(in, out)))
            {
                pipeline.start(processor, new RecordingNat());
                arrived = FrameExchange.exchange(
                    frame -> sender.transmit(new UnsafeBuffer(frame), 0, frame.length), sender::flush,
                    () -> PortExchange.poll(receiver), frames, 64);
                txFrames = pipeline.counters().get(1, PortCounter.TX_FRAMES);
            }

            assertEquals(FRAMES, arrived);
            assertEquals(List.of(), errors);
            assertEquals(0, out.copied(), "frames copied into a chunk of out's own");
            assertEquals(txFrames, out.forwardedInPlace());
            // The tx ring's descriptors (index i: the i-th frame sent) point where the frames were received.
            final XskRing tx = out.socket().tx();
            final int sent = handed[0];
            assertTrue(sent >= FRAMES, () -> "handed " + sent);
            for (int i = Math.max(0, sent - tx.size()); i < sent; i++)
            {
                assertEquals(receivedAt[i], tx.descriptorAddress(i), "tx descriptor " + i);
            }
        }
        finally
        {
            lab.exec("ip", "link", "del", outsideEnd);
        }
    }

    private static AfPacketPort openAfPacket(final VethLab lab, final String device)
    {
        final PacketSocketOptions options = new PacketSocketOptions().interfaceName(device)
            .rxBlockSizeBytes(1 << 16).rxBlockCount(16);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            return AfPacketPort.open(device, options);
        }
    }
}
