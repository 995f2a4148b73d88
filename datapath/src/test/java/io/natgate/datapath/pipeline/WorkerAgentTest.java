package io.natgate.datapath.pipeline;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.nat.NatCommands;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.pipeline.TestRings.drain;
import static io.natgate.datapath.pipeline.TestRings.frame;
import static io.natgate.datapath.pipeline.TestRings.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerAgentTest
{
    private static final int PORTS = 2;
    private static final int BURST = 4;
    private static final int FRAME_LENGTH = 120;

    private final TestClock clock = new TestClock(1_000_000_000L);
    private final PipelineConfig config = new PipelineConfig()
        .burstSize(BURST)
        .maxFrameLength(256)
        .commandLimit(64)
        .nanoClock(clock)
        .validate();
    private final DatapathCounters counters = new DatapathCounters(PORTS);
    private final RingBuffer commandRing = TestRings.manyToOne(4096);
    private final RingBuffer[] rxRings = { TestRings.oneToOne(4096), TestRings.oneToOne(4096) };
    // 1024 bytes hold 7 frames of 120 bytes: 128 with the record header, and the ring keeps 8 bytes spare.
    private final RingBuffer[] txRings = { TestRings.oneToOne(4096), TestRings.oneToOne(1024) };
    private final List<Throwable> errors = new ArrayList<>();
    private final RecordingNat nat = new RecordingNat();
    private ForwardingProcessor processor = new ForwardingProcessor(1, 0);
    private WorkerAgent worker;

    @BeforeEach
    void setUp()
    {
        worker = newWorker(processor, nat);
    }

    @Test
    void shouldForwardFramesFromIngressRxRingToEgressTxRingUnchangedAndInOrder()
    {
        final byte[][] frames = { frame(1, 60), frame(2, 100), frame(3, FRAME_LENGTH) };
        for (final byte[] frame : frames)
        {
            assertTrue(write(rxRings[0], frame));
        }

        assertEquals(3, worker.doWork());

        final List<byte[]> out = drain(txRings[1]);
        assertEquals(3, out.size());
        for (int i = 0; i < frames.length; i++)
        {
            assertArrayEquals(frames[i], out.get(i));
        }
        assertTrue(drain(txRings[0]).isEmpty());
    }

    @Test
    void shouldTakeAtMostBurstSizeFramesFromEachRxRingPerDutyCycle()
    {
        for (int i = 0; i < 10; i++)
        {
            write(rxRings[0], frame(i, 64));
            write(rxRings[1], frame(100 + i, 64));
        }

        assertEquals(2 * BURST, worker.doWork());
        assertEquals(BURST, processor.framesByIngress[0]);
        assertEquals(BURST, processor.framesByIngress[1]);
        assertEquals(BURST, drain(txRings[1]).size());
        assertEquals(BURST, drain(txRings[0]).size());

        assertEquals(2 * BURST, worker.doWork());
        assertEquals(4, worker.doWork());
        assertEquals(0, worker.doWork());
        assertEquals(10, processor.framesByIngress[0]);
        assertEquals(10, processor.framesByIngress[1]);
    }

    @Test
    void shouldGiveProcessorHeadroomToPrependALinkHeaderWithoutCopying()
    {
        final byte[] header = new byte[FrameProcessor.HEADROOM];
        for (int i = 0; i < header.length; i++)
        {
            header[i] = (byte)(0xA0 + i);
        }
        processor = ForwardingProcessor.doing(
            (buffer, offset, length, ingressPort, sink) ->
            {
                buffer.putBytes(offset - FrameProcessor.HEADROOM, header);
                sink.send(0, buffer, offset - FrameProcessor.HEADROOM, length + FrameProcessor.HEADROOM);
            });
        worker = newWorker(processor, nat);
        final byte[] first = frame(7, 100);
        final byte[] second = frame(8, 256);
        write(rxRings[0], first);
        write(rxRings[0], second);

        worker.doWork();

        final List<byte[]> out = drain(txRings[0]);
        assertEquals(2, out.size());
        assertArrayEquals(concat(header, first), out.get(0));
        assertArrayEquals(concat(header, second), out.get(1));
    }

    @Test
    void shouldReadClockOncePerDutyCycleAndGiveThatTimeToFramesAndTimers()
    {
        write(rxRings[0], frame(1, 64));
        write(rxRings[1], frame(2, 64));
        clock.timeNs = 5_000L;
        clock.reads = 0;

        worker.doWork();

        assertEquals(1, clock.reads);
        assertEquals(5_000L, processor.lastFrameNowNs);
        assertEquals(5_000L, processor.lastTimerNowNs);

        clock.timeNs = 6_000L;
        worker.doWork();
        assertEquals(2, clock.reads);
        assertEquals(6_000L, processor.lastTimerNowNs);
    }

    @Test
    void shouldLetProcessorAnnounceItselfOnceWhenTheWorkerStarts()
    {
        worker.onStart();
        worker.doWork();
        assertEquals(1, processor.startCalls);
    }

    @Test
    void shouldRunControlPlaneTasksOnTheWorkerThreadAFewPerDutyCycle()
    {
        final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<Runnable> tasks =
            new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(16);
        worker = new WorkerAgent(config, processor, nat, commandRing, rxRings, txRings, counters, errors::add, tasks);
        final List<Thread> ranOn = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            assertTrue(tasks.offer(() -> ranOn.add(Thread.currentThread())));
        }

        assertEquals(4, worker.doWork());
        assertEquals(4, ranOn.size());
        worker.doWork();
        assertEquals(6, ranOn.size());
        assertTrue(ranOn.stream().allMatch(thread -> thread == Thread.currentThread()));
    }

    @Test
    void shouldRunTimersEveryDutyCycleAndReportNoWorkWhenIdle()
    {
        assertEquals(0, worker.doWork());
        assertEquals(0, worker.doWork());
        assertEquals(2, processor.timerCalls);
    }

    @Test
    void shouldCountTimerWorkInDutyCycleWork()
    {
        processor.timerWork = 3;
        worker = newWorker(processor, nat);

        assertEquals(3, worker.doWork());
    }

    @Test
    void shouldCountTxRingFullAsDropOnEgressPortAndKeepForwarding()
    {
        for (int i = 0; i < 10; i++)
        {
            write(rxRings[0], frame(i, FRAME_LENGTH));
        }
        worker.doWork();
        worker.doWork();
        worker.doWork();

        assertEquals(10, processor.framesProcessed);
        assertEquals(3, counters.get(1, DropReason.TX_RING_FULL));
        assertEquals(0, counters.get(0, DropReason.TX_RING_FULL));
        final List<byte[]> out = drain(txRings[1]);
        assertEquals(7, out.size());
        assertArrayEquals(frame(6, FRAME_LENGTH), out.get(6));

        write(rxRings[0], frame(42, FRAME_LENGTH));
        worker.doWork();
        final List<byte[]> after = drain(txRings[1]);
        assertEquals(1, after.size());
        assertArrayEquals(frame(42, FRAME_LENGTH), after.get(0));
        assertEquals(3, counters.get(1, DropReason.TX_RING_FULL));
    }

    @Test
    void shouldReportFalseToProcessorWhenTxRingIsFull()
    {
        final List<Boolean> results = new ArrayList<>();
        processor = ForwardingProcessor.doing(
            (buffer, offset, length, ingressPort, sink) -> results.add(sink.send(1, buffer, offset, length)));
        worker = newWorker(processor, nat);
        for (int i = 0; i < 8; i++)
        {
            write(rxRings[0], frame(i, FRAME_LENGTH));
        }

        worker.doWork();
        worker.doWork();

        assertEquals(List.of(true, true, true, true, true, true, true, false), results);
    }

    @Test
    void shouldApplyCommandsStampedWithTheCycleTimeBeforeFramesOfTheSameCycle()
    {
        final List<String> order = new ArrayList<>();
        final RecordingNat target = new RecordingNat()
        {
            @Override
            public void commandTimeNs(final long nowNs)
            {
                order.add("time " + nowNs);
            }

            @Override
            public void closeInboundMapping(
                final long correlationId, final int protocol, final int insideAddress, final int insidePort)
            {
                order.add("command " + correlationId);
            }
        };
        processor = ForwardingProcessor.doing((buffer, offset, length, ingressPort, sink) -> order.add("frame"));
        worker = newWorker(processor, target);
        write(rxRings[0], frame(1, 64));
        final NatCommandEncoder encoder = new NatCommandEncoder(commandRing);
        assertTrue(encoder.offerCloseInboundMapping(1, 6, 10, 1000));
        assertTrue(encoder.offerCloseInboundMapping(2, 6, 10, 1001));
        clock.timeNs = 77L;

        assertEquals(3, worker.doWork());

        assertEquals(List.of("time 77", "command 1", "command 2", "frame"), order);
    }

    @Test
    void shouldApplyAtMostCommandLimitCommandsPerDutyCycle()
    {
        final PipelineConfig limited = new PipelineConfig().burstSize(BURST).maxFrameLength(256).commandLimit(2)
            .nanoClock(clock).validate();
        worker = new WorkerAgent(limited, processor, nat, commandRing, rxRings, txRings, counters, errors::add);
        final NatCommandEncoder encoder = new NatCommandEncoder(commandRing);
        for (int i = 0; i < 5; i++)
        {
            assertTrue(encoder.offerRemoveStaticMapping(i, 17, 1, 2));
        }

        assertEquals(2, worker.doWork());
        assertEquals(2, nat.calls.size());
        assertEquals(2, worker.doWork());
        assertEquals(1, worker.doWork());
        assertEquals(5, nat.calls.size());
    }

    @Test
    void shouldReportProcessorExceptionAndProcessTheRestOfTheBurst()
    {
        final IllegalStateException failure = new IllegalStateException("bad frame");
        processor = ForwardingProcessor.doing(
            (buffer, offset, length, ingressPort, sink) ->
            {
                if (buffer.getLong(offset) == 2)
                {
                    throw failure;
                }
                sink.send(1, buffer, offset, length);
            });
        worker = newWorker(processor, nat);
        write(rxRings[0], frame(1, 64));
        write(rxRings[0], frame(2, 64));
        write(rxRings[0], frame(3, 64));

        assertEquals(3, worker.doWork());

        assertEquals(1, errors.size());
        assertSame(failure, errors.get(0));
        final List<byte[]> out = drain(txRings[1]);
        assertEquals(2, out.size());
        assertArrayEquals(frame(3, 64), out.get(1));
    }

    @Test
    void shouldKeepForwardingWhenEventRingIsFullAndCountEventsDropped()
    {
        final RingBuffer eventRing = TestRings.oneToOne(1024);
        processor = new ForwardingProcessor(1, 0).emitEventsTo(new NatEventEncoder(eventRing, counters));
        worker = newWorker(processor, nat);
        final int frames = 100;

        int forwarded = 0;
        for (int i = 0; i < frames; i++)
        {
            write(rxRings[0], frame(i, 64));
            worker.doWork();
            forwarded += drain(txRings[1]).size();
        }

        assertEquals(frames, forwarded);
        // 1024 bytes hold 25 mapping events of 32 bytes plus an 8-byte record header.
        assertEquals(frames - 25, counters.get(GlobalCounter.EVENTS_DROPPED));
        final RecordingNat journal = new RecordingNat();
        assertEquals(25, new NatEventDecoder(eventRing).drain(journal, Integer.MAX_VALUE));
        assertEquals("onMappingCreated 1000000000 17 0 25 0 0 0", journal.calls.get(24));
    }

    @Test
    void shouldNotAllocateInSteadyStateDutyCycles()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(frame(1, FRAME_LENGTH));
        final NatCommandEncoder encoder = new NatCommandEncoder(commandRing);
        final RingBuffer eventRing = TestRings.oneToOne(64 * 1024);
        final NatEventDecoder eventDecoder = new NatEventDecoder(eventRing);
        final CountingNat nat = new CountingNat();
        final MessageHandler discard = (msgTypeId, buffer, index, length) -> {};
        processor = new ForwardingProcessor(1, 0).emitEventsTo(new NatEventEncoder(eventRing, counters));
        worker = newWorker(processor, nat);
        final int cycles = 20_000;
        final long[] rounds = new long[1];

        final long bytes = Allocations.bytesAllocatedAfterWarmUp(5, 5, () ->
        {
            rounds[0]++;
            for (int i = 0; i < cycles; i++)
            {
                rxRings[0].write(MessageLayout.FRAME_MSG_TYPE_ID, frame, 0, FRAME_LENGTH);
                rxRings[1].write(MessageLayout.FRAME_MSG_TYPE_ID, frame, 0, FRAME_LENGTH);
                encoder.offerOpenInboundMapping(i, 6, 1, 2, 3, 4, 5L);
                worker.doWork();
                txRings[0].read(discard, BURST);
                txRings[1].read(discard, BURST);
                eventDecoder.drain(nat, Integer.MAX_VALUE);
            }
        });

        assertEquals(0, bytes, "bytes allocated by 5 x " + cycles + " warm duty cycles");
        assertEquals(rounds[0] * cycles, nat.commands);
        assertEquals(2L * rounds[0] * cycles, nat.events);
    }

    private WorkerAgent newWorker(final FrameProcessor processor, final NatCommands target)
    {
        return new WorkerAgent(config, processor, target, commandRing, rxRings, txRings, counters, errors::add);
    }

    /**
     * Counts commands and events without allocating.
     */
    private static final class CountingNat extends RecordingNat
    {
        long commands;
        long events;

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
            commands++;
        }

        @Override
        public void onMappingCreated(
            final long timeNs,
            final int protocol,
            final int insideAddress,
            final int insidePort,
            final int publicAddress,
            final int publicPort,
            final int kind)
        {
            events++;
        }
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] result = new byte[a.length + b.length];
        System.arraycopy(a, 0, result, 0, a.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }
}
