package io.natgate.datapath.port;

import io.natgate.bindings.testing.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderPortTest
{
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[100]);

    @Test
    void shouldBeRawIpWithNoMac()
    {
        try (ProviderPort port = new ProviderPort("cp0", 1400, 8))
        {
            assertEquals(LinkLayer.RAW_IP, port.linkLayer());
            assertEquals(0, port.macAddress());
            assertEquals(1400, port.mtu());
            assertEquals("cp0", port.name());
        }
    }

    @Test
    void shouldHandTransmittedPacketsToConsumerAndOfferedOnesToReceive()
    {
        try (ProviderPort port = new ProviderPort("cp0", 1400, 8))
        {
            assertTrue(port.transmit(packet, 0, 60));
            final int[] lengths = new int[1];
            assertEquals(1, port.pollTransmitted((buffer, offset, length) -> (lengths[0] = length) > 0, 10));
            assertEquals(60, lengths[0]);

            assertTrue(port.offer(packet, 0, 40));
            assertEquals(1, port.receive((buffer, offset, length) -> (lengths[0] = length) > 0, 10));
            assertEquals(40, lengths[0]);
        }
    }

    @Test
    void shouldRefuseTransmitWhenQueueIsFull()
    {
        try (ProviderPort port = new ProviderPort("cp0", 1400, 2))
        {
            assertTrue(port.transmit(packet, 0, 60));
            assertTrue(port.transmit(packet, 0, 60));
            assertFalse(port.transmit(packet, 0, 60));
            assertEquals(2, port.transmitQueueSize());
        }
    }

    @Test
    void shouldWakeConsumerOnFlushAfterTransmit() throws InterruptedException
    {
        try (ProviderPort port = new ProviderPort("cp0", 1400, 8))
        {
            final int[] polled = new int[1];
            final Thread consumer = new Thread(() ->
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (polled[0] == 0 && System.nanoTime() - deadlineNs < 0)
                {
                    LockSupport.park();
                    polled[0] = port.pollTransmitted((buffer, offset, length) -> true, 10);
                }
            });
            port.consumer(consumer);
            consumer.start();
            port.transmit(packet, 0, 60);
            port.flush();
            consumer.join(10_000);
            assertFalse(consumer.isAlive());
            assertEquals(1, polled[0]);
        }
    }

    @Test
    void shouldNotAllocateOnTransmitFlushAndReceive()
    {
        try (ProviderPort port = new ProviderPort("cp0", 1400, 64))
        {
            port.consumer(Thread.currentThread());
            final FrameHandler drop = (buffer, offset, length) -> true;
            assertEquals(0, Allocations.bytesAllocatedAfterWarmUp(25, 25, () ->
            {
                for (int i = 0; i < 32; i++)
                {
                    port.transmit(packet, 0, 100);
                    port.offer(packet, 0, 100);
                }
                port.flush();
                port.pollTransmitted(drop, 32);
                port.receive(drop, 32);
            }));
        }
    }
}
