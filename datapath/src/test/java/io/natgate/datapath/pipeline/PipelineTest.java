package io.natgate.datapath.pipeline;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static io.natgate.datapath.pipeline.TestRings.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PipelineTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final long TIMEOUT_NS = 60_000_000_000L;

    private final InMemoryPort inside = InMemoryPort.ethernet("inside", 0x02_00_00_00_00_01L);
    private final InMemoryPort outside = InMemoryPort.ethernet("outside", 0x02_00_00_00_00_02L);
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final PipelineConfig config = newConfig();

    private PipelineConfig newConfig()
    {
        return new PipelineConfig()
            .rxRingCapacity(256 * 1024)
            .txRingCapacity(256 * 1024)
            .threadFactory(runnable ->
            {
                final Thread thread = new Thread(runnable);
                threads.add(thread);
                return thread;
            })
            .errorHandler(errors::add);
    }

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = { "DEDICATED", "SHARED_NETWORK", "SHARED", "RUN_TO_COMPLETION" })
    void shouldMove100kFramesThroughInMemoryPortsWithNoLossAtAPacedRate(final ThreadingMode mode)
    {
        final int frames = 100_000;
        final int window = 256;
        final int frameLength = 128;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[frameLength]);
        final SequenceChecker checker = new SequenceChecker();

        try (Pipeline pipeline = new Pipeline(config.threadingMode(mode), List.of(inside, outside)))
        {
            pipeline.start(new ForwardingProcessor(OUTSIDE, INSIDE), new RecordingNat());

            long sent = 0;
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (checker.received < frames)
            {
                boolean progressed = false;
                while (sent < frames && sent - checker.received < window)
                {
                    frame.putLong(0, sent);
                    frame.putLong(frameLength - Long.BYTES, ~sent);
                    assertTrue(inside.offer(frame, 0, frameLength), "paced offer refused");
                    sent++;
                    progressed = true;
                }
                progressed |= outside.pollTransmitted(checker, window) > 0;
                if (!progressed)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        fail(mode + ": " + checker.received + " of " + frames + " frames arrived; " + describe(pipeline));
                    }
                    Thread.yield();
                }
            }

            assertEquals(0, checker.errors, "frames out of order or corrupted");
            final DatapathCounters counters = pipeline.counters();
            assertEquals(frames, counters.get(INSIDE, PortCounter.RX_FRAMES));
            assertEquals((long)frames * frameLength, counters.get(INSIDE, PortCounter.RX_BYTES));
            assertEquals(frames, counters.get(OUTSIDE, PortCounter.TX_FRAMES));
            assertEquals((long)frames * frameLength, counters.get(OUTSIDE, PortCounter.TX_BYTES));
            assertEquals(0, counters.totalDrops(INSIDE));
            assertEquals(0, counters.totalDrops(OUTSIDE));
            assertEquals(0, counters.get(GlobalCounter.WORKER_ERRORS));
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void shouldApplyCommandsAndHandBackTheirOutcomesAsEventsWhileRunning()
    {
        try (Pipeline pipeline = new Pipeline(config, List.of(inside, outside)))
        {
            final NatEventListener events = pipeline.workerEvents();
            final RecordingNat engine = new RecordingNat()
            {
                private long timeNs;

                @Override
                public void commandTimeNs(final long nowNs)
                {
                    timeNs = nowNs;
                }

                @Override
                public void addStaticMapping(
                    final long correlationId,
                    final int protocol,
                    final int insideAddress,
                    final int insidePort,
                    final int publicAddress,
                    final int publicPort)
                {
                    events.onCommandCompleted(timeNs, correlationId, CommandStatus.OK.id(), publicAddress, publicPort);
                }
            };
            pipeline.start(new ForwardingProcessor(OUTSIDE, INSIDE), engine);
            final NatCommandEncoder commands = pipeline.newCommandEncoder();
            final Set<Long> sent = new HashSet<>();
            for (int i = 0; i < 100; i++)
            {
                final long correlationId = commands.nextCorrelationId();
                assertTrue(commands.offerAddStaticMapping(correlationId, 6, 0x0A00_0002, 8000 + i, 0xCB00_7101, 8000 + i));
                sent.add(correlationId);
            }

            final Set<Long> completed = new HashSet<>();
            final RecordingNat journal = new RecordingNat()
            {
                @Override
                public void onCommandCompleted(
                    final long timeNs,
                    final long correlationId,
                    final int status,
                    final int publicAddress,
                    final int publicPort)
                {
                    assertEquals(CommandStatus.OK.id(), status);
                    assertTrue(timeNs > 0);
                    completed.add(correlationId);
                }
            };
            awaitTrue(() ->
            {
                pipeline.drainEvents(journal, 16);
                return completed.size() == sent.size();
            });

            assertEquals(sent, completed);
        }
    }

    @Test
    void shouldDriveEveryAgentFromTheCallerInInvokerMode()
    {
        try (Pipeline pipeline = new Pipeline(config.threadingMode(ThreadingMode.INVOKER), List.of(inside, outside)))
        {
            pipeline.start(new ForwardingProcessor(OUTSIDE, INSIDE), new RecordingNat());
            final AgentInvoker invoker = pipeline.invoker();
            assertTrue(inside.offer(frame(1, 100)));
            assertTrue(outside.offer(frame(2, 60)));

            assertTrue(invoker.invoke() > 0);

            assertArrayEquals(frame(1, 100), outside.pollTransmitted());
            assertArrayEquals(frame(2, 60), inside.pollTransmitted());
            assertEquals(List.of(), threads);
        }
    }

    @Test
    void shouldNotAllocateInSteadyStateDutyCyclesOfEveryAgent()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(frame(1, 128));
        final FrameHandler discard = (buffer, offset, length) -> true;
        final int cycles = 20_000;

        try (Pipeline pipeline = new Pipeline(config.threadingMode(ThreadingMode.INVOKER), List.of(inside, outside)))
        {
            pipeline.start(new ForwardingProcessor(OUTSIDE, INSIDE), new RecordingNat());
            final AgentInvoker invoker = pipeline.invoker();

            final long[] offeredEachWay = new long[1];
            final long bytes = Allocations.bytesAllocatedAfterWarmUp(5, 5, () ->
            {
                offeredEachWay[0] += cycles;
                for (int i = 0; i < cycles; i++)
                {
                    inside.offer(frame, 0, 128);
                    outside.offer(frame, 0, 128);
                    invoker.invoke();
                    inside.pollTransmitted(discard, 16);
                    outside.pollTransmitted(discard, 16);
                }
            });

            assertEquals(0, bytes, "bytes allocated by 5 x " + cycles + " warm duty cycles");
            assertEquals(offeredEachWay[0], pipeline.counters().get(OUTSIDE, PortCounter.TX_FRAMES));
            assertEquals(0, pipeline.counters().totalDrops(INSIDE) + pipeline.counters().totalDrops(OUTSIDE));
        }
    }

    @Test
    void shouldRefuseInvokerUnlessStartedInInvokerMode()
    {
        try (Pipeline pipeline = new Pipeline(config, List.of(inside, outside)))
        {
            assertThrows(IllegalStateException.class, pipeline::invoker);
        }
    }

    @Test
    void shouldCountAgentErrorsAndKeepForwarding()
    {
        final FailingOncePort failingInside = new FailingOncePort(inside);
        final ForwardingProcessor processor = ForwardingProcessor.doing(
            (buffer, offset, length, ingressPort, sink) ->
            {
                if (buffer.getLong(offset) == 13)
                {
                    throw new IllegalStateException("processor bug on frame 13");
                }
                sink.send(OUTSIDE, buffer, offset, length);
            });

        try (Pipeline pipeline = new Pipeline(config, List.of(failingInside, outside)))
        {
            pipeline.start(processor, new RecordingNat());
            for (int i = 0; i < 20; i++)
            {
                assertTrue(inside.offer(frame(i, 64)));
            }

            final List<byte[]> received = new ArrayList<>();
            awaitTrue(() ->
            {
                final byte[] frame = outside.pollTransmitted();
                if (null != frame)
                {
                    received.add(frame);
                }
                return received.size() == 19;
            });

            assertEquals(2, pipeline.counters().get(GlobalCounter.WORKER_ERRORS));
            assertEquals(2, errors.size());
            assertTrue(errors.stream().anyMatch(e -> e.getMessage().equals("port failed once")));
            assertTrue(errors.stream().anyMatch(e -> e.getMessage().equals("processor bug on frame 13")));
        }
    }

    @Test
    void shouldStopEveryAgentThreadOnCloseAndNotStartAgain()
    {
        final Pipeline pipeline = new Pipeline(config, List.of(inside, outside));
        pipeline.start(new ForwardingProcessor(OUTSIDE, INSIDE), new RecordingNat());
        assertEquals(5, threads.size(), "an rx and a tx thread per port and a worker");
        assertThrows(IllegalStateException.class, () -> pipeline.start(new ForwardingProcessor(1, 0), new RecordingNat()));

        pipeline.close();
        pipeline.close();

        for (final Thread thread : threads)
        {
            assertFalse(thread.isAlive(), thread.getName());
        }
        assertTrue(threads.stream().anyMatch(t -> t.getName().equals("natgate-worker")));
        assertTrue(threads.stream().anyMatch(t -> t.getName().equals("natgate-rx-inside")));
        assertTrue(threads.stream().anyMatch(t -> t.getName().equals("natgate-tx-outside")));
        assertThrows(IllegalStateException.class, () -> pipeline.start(new ForwardingProcessor(1, 0), new RecordingNat()));
    }

    @Test
    void shouldRejectInvalidConfigurationWhenBuilt()
    {
        assertThrows(
            ConfigurationException.class, () -> new Pipeline(config.burstSize(0), List.of(inside, outside)));
    }

    @Test
    void shouldRejectPortWhoseFramesAreLongerThanThePipelineCarries()
    {
        final InMemoryPort jumbo = new InMemoryPort("jumbo", LinkLayer.ETHERNET, 0x02_00_00_00_00_03L, 9000, 4);

        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new Pipeline(config, List.of(inside, jumbo)));

        assertEquals(PipelineConfig.MAX_FRAME_LENGTH_PROP_NAME, ex.key());
        assertTrue(ex.getMessage().contains("port jumbo carries frames of up to 9018 bytes"), ex.getMessage());
        new Pipeline(newConfig().maxFrameLength(9018).rxRingCapacity(128 * 1024).txRingCapacity(128 * 1024),
            List.of(inside, jumbo)).close();
    }

    @Test
    void shouldCountTheSteeringOnTheSetItIsGivenAndOnlyWithSeveralWorkers()
    {
        final DatapathCounters[] two = {new DatapathCounters(2), new DatapathCounters(2)};
        final DatapathCounters steering = new DatapathCounters(2);
        try (Pipeline pipeline = new Pipeline(newConfig().workers(2), List.of(inside, outside), two, steering))
        {
            assertSame(steering, pipeline.steeringCounters());
            assertSame(two[1], pipeline.counters(1));
        }
        assertThrows(IllegalArgumentException.class,
            () -> new Pipeline(newConfig().workers(2), List.of(inside, outside), two, null));
        assertThrows(IllegalArgumentException.class,
            () -> new Pipeline(config, List.of(inside, outside), new DatapathCounters[]{two[0]}, steering));
        assertThrows(IllegalArgumentException.class, () -> new Pipeline(newConfig().workers(2),
            List.of(inside, outside), two, new DatapathCounters(1)));
    }

    private static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("condition not met in time");
            }
            Thread.yield();
        }
    }

    private static String describe(final Pipeline pipeline)
    {
        final DatapathCounters counters = pipeline.counters();
        return "rx " + counters.get(INSIDE, PortCounter.RX_FRAMES) + ", tx " + counters.get(OUTSIDE, PortCounter.TX_FRAMES) +
            ", drops " + counters.totalDrops(INSIDE) + "/" + counters.totalDrops(OUTSIDE) +
            ", errors " + counters.get(GlobalCounter.WORKER_ERRORS);
    }

    /**
     * Checks that frames arrive in sequence and intact.
     */
    private static final class SequenceChecker implements FrameHandler
    {
        long received;
        long errors;

        @Override
        public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = buffer.getLong(offset);
            if (sequence != received || buffer.getLong(offset + length - Long.BYTES) != ~sequence)
            {
                errors++;
            }
            received++;
            return true;
        }
    }

    /**
     * A port whose first receive throws, as a native port might on a transient error.
     */
    private static final class FailingOncePort implements Port
    {
        private final InMemoryPort delegate;
        private boolean failed;

        FailingOncePort(final InMemoryPort delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public String name()
        {
            return delegate.name();
        }

        @Override
        public LinkLayer linkLayer()
        {
            return delegate.linkLayer();
        }

        @Override
        public long macAddress()
        {
            return delegate.macAddress();
        }

        @Override
        public int mtu()
        {
            return delegate.mtu();
        }

        @Override
        public int receive(final FrameHandler handler, final int limit)
        {
            if (!failed)
            {
                failed = true;
                throw new IllegalStateException("port failed once");
            }
            return delegate.receive(handler, limit);
        }

        @Override
        public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
        {
            return delegate.transmit(buffer, offset, length);
        }

        @Override
        public void close()
        {
            delegate.close();
        }
    }
}
