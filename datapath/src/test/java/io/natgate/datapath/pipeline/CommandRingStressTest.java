package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatCommands;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Several control-plane threads offer commands on one small command ring while the worker runs
 * on its own thread: every command must arrive once, intact, in its producer's order.
 */
class CommandRingStressTest
{
    private static final int PRODUCERS = 4;
    private static final int COMMANDS_PER_PRODUCER = 100_000;
    private static final long TIMEOUT_NS = 60_000_000_000L;

    @Test
    void shouldDeliverEveryCommandExactlyOnceInProducerOrderWhileWorkerRuns() throws InterruptedException
    {
        final RingBuffer commandRing = TestRings.manyToOne(4096);
        final RingBuffer[] rxRings = { TestRings.oneToOne(64 * 1024) };
        final RingBuffer[] txRings = { TestRings.oneToOne(64 * 1024) };
        final DatapathCounters counters = new DatapathCounters(1);
        final VerifyingTarget target = new VerifyingTarget();
        final List<Throwable> errors = new ArrayList<>();
        final WorkerAgent worker = new WorkerAgent(
            new PipelineConfig().maxFrameLength(1024).validate(), new ForwardingProcessor(0), target, commandRing,
            rxRings, txRings, counters, errors::add);
        final CountDownLatch start = new CountDownLatch(1);

        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            final NatCommandEncoder encoder = new NatCommandEncoder(commandRing);
            final Thread thread = new Thread(() ->
            {
                awaitQuietly(start);
                for (int seq = 0; seq < COMMANDS_PER_PRODUCER; seq++)
                {
                    while (!offer(encoder, producer, seq))
                    {
                        Thread.yield();
                    }
                }
            }, "producer-" + p);
            thread.start();
            producers.add(thread);
        }

        try (AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), errors::add, null, worker))
        {
            AgentRunner.startOnThread(runner);
            start.countDown();
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (target.delivered < (long)PRODUCERS * COMMANDS_PER_PRODUCER && System.nanoTime() - deadlineNs < 0 &&
                null == target.failure)
            {
                Thread.sleep(1);
            }
            for (final Thread thread : producers)
            {
                thread.join();
            }
        }

        assertNull(target.failure);
        assertEquals(List.of(), errors);
        assertEquals((long)PRODUCERS * COMMANDS_PER_PRODUCER, target.delivered);
        for (int p = 0; p < PRODUCERS; p++)
        {
            assertEquals(COMMANDS_PER_PRODUCER, target.nextSeq[p], "commands of producer " + p);
        }
    }

    private static boolean offer(final NatCommandEncoder encoder, final int producer, final int seq)
    {
        final long correlationId = correlationId(producer, seq);
        return switch (seq & 3)
        {
            case 0 -> encoder.offerAddStaticMapping(correlationId, 6, seq, producer, ~seq, seq & 0xFFFF);
            case 1 -> encoder.offerRemoveStaticMapping(correlationId, 17, ~seq, seq & 0xFFFF);
            case 2 -> encoder.offerOpenInboundMapping(correlationId, 1, seq, producer, seq & 0xFFFF, -seq, seq * 1000L);
            default -> encoder.offerCloseInboundMapping(correlationId, 6, seq, producer);
        };
    }

    private static long correlationId(final int producer, final int seq)
    {
        return ((long)producer << 32) | seq;
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

    /**
     * Checks each command on the worker thread against what its producer must have sent next.
     */
    private static final class VerifyingTarget implements NatCommands
    {
        final int[] nextSeq = new int[PRODUCERS];
        volatile long delivered;
        volatile String failure;

        @Override
        public void addStaticMapping(
            final long correlationId,
            final int protocol,
            final int insideAddress,
            final int insidePort,
            final int publicAddress,
            final int publicPort)
        {
            final int seq = next(correlationId, 0);
            check(protocol == 6 && insideAddress == seq && insidePort == producer(correlationId) &&
                publicAddress == ~seq && publicPort == (seq & 0xFFFF), correlationId);
        }

        @Override
        public void removeStaticMapping(
            final long correlationId, final int protocol, final int publicAddress, final int publicPort)
        {
            final int seq = next(correlationId, 1);
            check(protocol == 17 && publicAddress == ~seq && publicPort == (seq & 0xFFFF), correlationId);
        }

        @Override
        public void openInboundMapping(
            final long correlationId,
            final int protocol,
            final int insideAddress,
            final int insidePort,
            final int publicPort,
            final int remoteAddress,
            final long lifetimeNs)
        {
            final int seq = next(correlationId, 2);
            check(protocol == 1 && insideAddress == seq && insidePort == producer(correlationId) &&
                publicPort == (seq & 0xFFFF) && remoteAddress == -seq && lifetimeNs == seq * 1000L, correlationId);
        }

        @Override
        public void closeInboundMapping(
            final long correlationId, final int protocol, final int insideAddress, final int insidePort)
        {
            final int seq = next(correlationId, 3);
            check(protocol == 6 && insideAddress == seq && insidePort == producer(correlationId), correlationId);
        }

        @Override
        public void removeSession(
            final long correlationId, final int protocol, final int insideAddress, final int insidePort,
            final int remoteAddress, final int remotePort)
        {
            check(false, correlationId);
        }

        private static int producer(final long correlationId)
        {
            return (int)(correlationId >>> 32);
        }

        private int next(final long correlationId, final int kind)
        {
            final int producer = producer(correlationId);
            final int seq = (int)correlationId;
            check(producer >= 0 && producer < PRODUCERS, correlationId);
            if (null == failure)
            {
                check(seq == nextSeq[producer] && (seq & 3) == kind, correlationId);
                nextSeq[producer]++;
            }
            delivered = delivered + 1;
            return seq;
        }

        private void check(final boolean condition, final long correlationId)
        {
            if (!condition && null == failure)
            {
                failure = "bad command " + Long.toHexString(correlationId) + " after " + delivered + " delivered";
            }
        }
    }
}
