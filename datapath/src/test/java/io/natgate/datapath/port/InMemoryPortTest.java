package io.natgate.datapath.port;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryPortTest
{
    private static final long MAC = 0x02_00_00_00_00_01L;

    private final InMemoryPort port = new InMemoryPort("inside", LinkLayer.ETHERNET, MAC, 1500, 7);

    @Test
    void shouldDescribeItselfAsConfigured()
    {
        assertEquals("inside", port.name());
        assertEquals(LinkLayer.ETHERNET, port.linkLayer());
        assertEquals(MAC, port.macAddress());
        assertEquals(1500, port.mtu());
        final InMemoryPort raw = InMemoryPort.rawIp("tun");
        assertEquals(LinkLayer.RAW_IP, raw.linkLayer());
        assertEquals(0, raw.macAddress());
    }

    @Test
    void shouldReceiveOfferedFramesInOfferOrder()
    {
        assertTrue(port.offer(bytes(1, 60)));
        assertTrue(port.offer(bytes(2, 70)));
        final List<byte[]> received = new ArrayList<>();

        assertEquals(2, port.receive(collectInto(received), 10));

        assertArrayEquals(bytes(1, 60), received.get(0));
        assertArrayEquals(bytes(2, 70), received.get(1));
        assertEquals(0, port.receiveQueueSize());
        assertEquals(0, port.receive(collectInto(received), 10));
    }

    @Test
    void shouldReceiveAtMostLimitFrames()
    {
        for (int i = 0; i < 5; i++)
        {
            port.offer(bytes(i, 60));
        }
        final List<byte[]> received = new ArrayList<>();

        assertEquals(2, port.receive(collectInto(received), 2));
        assertEquals(3, port.receive(collectInto(received), 10));
        assertArrayEquals(bytes(4, 60), received.get(4));
    }

    @Test
    void shouldConsumeFrameAndEndBurstWhenHandlerReturnsFalse()
    {
        port.offer(bytes(1, 60));
        port.offer(bytes(2, 60));
        port.offer(bytes(3, 60));
        final List<byte[]> received = new ArrayList<>();

        assertEquals(1, port.receive(
            (buffer, offset, length) ->
            {
                collectInto(received).onFrame(buffer, offset, length);
                return false;
            },
            10));

        assertEquals(2, port.receive(collectInto(received), 10));
        assertArrayEquals(bytes(2, 60), received.get(1));
    }

    @Test
    void shouldRefuseOfferWhenReceiveQueueIsFull()
    {
        int offered = 0;
        while (port.offer(bytes(offered, 1518)))
        {
            offered++;
        }
        assertEquals(7, offered);
        assertEquals(7, port.receiveQueueSize());

        port.receive((buffer, offset, length) -> true, 1);
        assertTrue(port.offer(bytes(99, 1518)));
    }

    @Test
    void shouldCaptureTransmittedFramesForPollingInOrder()
    {
        final byte[] first = bytes(1, 60);
        final byte[] second = bytes(2, 1518);
        assertTrue(port.transmit(new UnsafeBuffer(first), 0, first.length));
        final UnsafeBuffer offsetBuffer = new UnsafeBuffer(new byte[2000]);
        offsetBuffer.putBytes(100, second);
        assertTrue(port.transmit(offsetBuffer, 100, second.length));

        assertArrayEquals(first, port.pollTransmitted());
        assertArrayEquals(second, port.pollTransmitted());
        assertNull(port.pollTransmitted());
        assertEquals(0, port.transmitQueueSize());
    }

    @Test
    void shouldRefuseTransmitWhenCaptureIsFull()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(bytes(1, 1518));
        for (int i = 0; i < 7; i++)
        {
            assertTrue(port.transmit(frame, 0, 60 + i * 200));
        }

        assertFalse(port.transmit(frame, 0, 60));
        assertEquals(7, port.transmitQueueSize());

        assertEquals(1, port.pollTransmitted((buffer, offset, length) -> true, 1));
        assertTrue(port.transmit(frame, 0, 1518));
    }

    @Test
    void shouldRefuseTransmitLongerThanMtuPlusLinkHeader()
    {
        final InMemoryPort ethernet = InMemoryPort.ethernet("eth", MAC);
        final InMemoryPort raw = InMemoryPort.rawIp("tun");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2000]);

        assertTrue(ethernet.transmit(frame, 0, 1500 + 18));
        assertFalse(ethernet.transmit(frame, 0, 1500 + 19));
        assertTrue(raw.transmit(frame, 0, 1500));
        assertFalse(raw.transmit(frame, 0, 1501));
    }

    @Test
    void shouldRejectOfferLongerThanThePortCarries()
    {
        assertThrows(IllegalArgumentException.class, () -> port.offer(new byte[1519]));
        final InMemoryPort jumbo = new InMemoryPort("jumbo", LinkLayer.ETHERNET, MAC, 9000, 4);
        assertTrue(jumbo.offer(new byte[9018]));
    }

    @Test
    void shouldRejectMacAddressOnRawIpPortAndMacWiderThan48Bits()
    {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryPort("tun", LinkLayer.RAW_IP, MAC, 1500, 8));
        assertThrows(
            IllegalArgumentException.class, () -> new InMemoryPort("eth", LinkLayer.ETHERNET, 1L << 48, 1500, 8));
    }

    @Test
    void shouldNeitherReceiveNorTransmitAfterClose()
    {
        port.offer(bytes(1, 60));
        port.close();

        assertEquals(0, port.receive((buffer, offset, length) -> true, 10));
        assertFalse(port.offer(bytes(2, 60)));
        assertFalse(port.transmit(new UnsafeBuffer(bytes(3, 60)), 0, 60));
    }

    @Test
    void shouldReceiveEveryFrameOfferedByManyThreads() throws InterruptedException
    {
        final InMemoryPort shared = new InMemoryPort("shared", LinkLayer.ETHERNET, MAC, 1500, 1024);
        final int threads = 4;
        final int framesPerThread = 20_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int producer = t;
            final Thread thread = new Thread(() ->
            {
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
                awaitQuietly(start);
                for (int seq = 0; seq < framesPerThread; seq++)
                {
                    frame.putInt(0, producer);
                    frame.putInt(4, seq);
                    while (!shared.offer(frame, 0, 64))
                    {
                        Thread.onSpinWait();
                    }
                }
            });
            thread.start();
            producers.add(thread);
        }
        final int[] nextSeq = new int[threads];
        final int[] outOfOrder = new int[1];
        final FrameHandler check = (buffer, offset, length) ->
        {
            final int producer = buffer.getInt(offset);
            if (buffer.getInt(offset + 4) != nextSeq[producer]++)
            {
                outOfOrder[0]++;
            }
            return true;
        };

        start.countDown();
        int received = 0;
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (received < threads * framesPerThread && System.nanoTime() - deadlineNs < 0)
        {
            final int frames = shared.receive(check, 256);
            if (0 == frames)
            {
                Thread.yield();
            }
            received += frames;
        }
        for (final Thread thread : producers)
        {
            thread.join();
        }

        assertEquals(threads * framesPerThread, received);
        assertEquals(0, outOfOrder[0]);
        for (int t = 0; t < threads; t++)
        {
            assertEquals(framesPerThread, nextSeq[t]);
        }
    }

    private static FrameHandler collectInto(final List<byte[]> frames)
    {
        return (buffer, offset, length) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            frames.add(frame);
            return true;
        };
    }

    private static byte[] bytes(final int seed, final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)(seed * 13 + i);
        }
        return frame;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
