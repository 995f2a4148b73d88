package io.natgate.datapath.port;

import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.linux.LinuxException;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLab;
import io.natgate.bindings.testing.VethLabExtension;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One socket per queue, on a veth pair made with several queues. On veth a frame sent on the peer's
 * tx queue k arrives on rx queue k, so AF_XDP senders bound to each of the peer's queues put frames
 * on a queue of the test's choosing.
 */
@Timeout(120)
class AfXdpQueuesTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    private static final int QUEUES = 4;
    private static final int FRAMES_PER_QUEUE = 1000;

    private String senderEnd;
    private String portEnd;

    @BeforeEach
    void makeMultiQueueVethPair()
    {
        final String pid = Long.toString(ProcessHandle.current().pid());
        senderEnd = "ngm" + pid;
        portEnd = "ngn" + pid;
        LAB.lab().addPair(senderEnd, portEnd, QUEUES);
    }

    @AfterEach
    void deleteVethPair()
    {
        LAB.lab().exec("ip", "link", "del", senderEnd);
    }

    @Test
    void shouldReceiveEachQueuesFramesOnThatQueuesSocketAndAllOfThemThroughThePort()
    {
        final VethLab lab = LAB.lab();
        try (AfXdpQueues port = new AfXdpQueues("lan", openQueues(lab, portEnd, 0, 1, 2, 3));
            AfXdpQueues senders = new AfXdpQueues("senders", openQueues(lab, senderEnd, 0, 1, 2, 3)))
        {
            assertEquals(QUEUES, port.queues().size());
            for (int queue = 0; queue < QUEUES; queue++)
            {
                assertEquals(queue, port.queues().get(queue).socket().queueId());
            }

            // each queue's frames, sent on that queue, arrive on the port's socket of the same queue
            for (int queue = 0; queue < QUEUES; queue++)
            {
                final byte[][] frames = FrameExchange.frames(port.macAddress(), senders.macAddress(), FRAMES_PER_QUEUE,
                    64, 1514, 333 + queue);
                assertEquals(FRAMES_PER_QUEUE, PortExchange.exchange(senders.queues().get(queue),
                    port.queues().get(queue), frames, 128), "queue " + queue);
            }

            // the port takes them from every queue together
            final List<byte[]> sent = new ArrayList<>();
            for (int queue = 0; queue < QUEUES; queue++)
            {
                final AfXdpPort sender = senders.queues().get(queue);
                for (int i = 0; i < 100; i++)
                {
                    final byte[] frame = TestFrames.udp(port.macAddress(), senders.macAddress(), queue * 100 + i, 200);
                    sent.add(frame);
                    assertTrue(sender.transmit(new UnsafeBuffer(frame), 0, frame.length));
                }
                sender.flush();
            }
            final byte[][] received = new byte[sent.size()][];
            int count = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (count < sent.size() && System.nanoTime() - deadlineNs < 0)
            {
                final int[] counter = {count};
                port.receive((buffer, offset, length) ->
                {
                    final byte[] frame = new byte[length];
                    buffer.getBytes(offset, frame);
                    final int sequence = TestFrames.sequenceOf(frame, length);
                    if (sequence >= 0 && sequence < received.length && received[sequence] == null)
                    {
                        received[sequence] = frame;
                        counter[0]++;
                    }
                    return true;
                }, 32);
                count = counter[0];
            }
            for (int i = 0; i < sent.size(); i++)
            {
                assertArrayEquals(sent.get(i), received[i], "frame " + i);
            }

            // what the port sends leaves on its first queue
            final byte[][] back = FrameExchange.frames(senders.macAddress(), port.macAddress(), 500, 64, 1514);
            assertEquals(500, PortExchange.exchange(port, senders.queues().getFirst(), back, 64));
            final PortStats stats = port.stats(new PortStats());
            assertEquals(0, stats.rxDropped(), stats::toString);
        }
        assertFalse(lab.exec("ip", "link", "show", "dev", portEnd).contains("prog/xdp"),
            "the XDP program leaves with the last queue's socket");
    }

    @Test
    void shouldRefuseQueueTheInterfaceDoesNotHaveNamingTheQueue()
    {
        final LinuxException ex = assertThrows(LinuxException.class, () -> openQueues(LAB.lab(), portEnd, 0, QUEUES));

        assertTrue(ex.getMessage().contains("queue " + QUEUES), ex.getMessage());
        assertFalse(LAB.lab().exec("ip", "link", "show", "dev", portEnd).contains("prog/xdp"),
            "nothing left behind by the queues that did open");
    }

    private static List<AfXdpPort> openQueues(final VethLab lab, final String device, final int... queueIds)
    {
        final List<String> names = new ArrayList<>();
        final List<XdpSocketOptions> options = new ArrayList<>();
        for (final int queue : queueIds)
        {
            names.add(device + "/" + queue);
            options.add(new XdpSocketOptions().interfaceName(device).queueId(queue).umemFrameCount(1024)
                .fillRingSize(256).txRingSize(256).rxRingSize(256).completionRingSize(256));
        }
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            return AfXdpPort.openShared(names, options);
        }
    }
}
