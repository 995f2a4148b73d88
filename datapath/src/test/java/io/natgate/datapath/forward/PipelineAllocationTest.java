package io.natgate.datapath.forward;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.pipeline.WorkerAgent;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.Port;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.natgate.datapath.forward.TestGateway.CLIENT;
import static io.natgate.datapath.forward.TestGateway.GW_IN;
import static io.natgate.datapath.forward.TestGateway.GW_OUT;
import static io.natgate.datapath.forward.TestGateway.INSIDE;
import static io.natgate.datapath.forward.TestGateway.OUTSIDE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worker path as the gateway runs it, with the real {@link Forwarder} and {@link NatEngine} on
 * real frames: rx agents, worker and tx agents of a {@link Pipeline} over in-memory ports, and a
 * run-to-completion {@link WorkerAgent} driving the same ports itself. Once warm, a duty cycle that
 * receives, translates and transmits a burst of established flows both ways allocates nothing:
 * every byte the measured cycles allocate together counts (com.sun.management.ThreadMXBean).
 */
class PipelineAllocationTest
{
    private static final int FLOWS = 12;
    private static final int WARM_UP_CYCLES = 20_000;
    private static final int CYCLES = 20_000;

    private final TestGateway gateway = new TestGateway();
    private final InMemoryPort lan = InMemoryPort.ethernet("lan", GW_IN);
    private final InMemoryPort wan = InMemoryPort.ethernet("wan", GW_OUT);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final long[] nowNs = {1_000_000_000L};
    private final NanoClock clock = () -> nowNs[0];
    private final List<UnsafeBuffer> frames = new ArrayList<>();
    private final List<InMemoryPort> ingress = new ArrayList<>();
    private long transmitted;
    private final FrameHandler countTransmitted = (buffer, offset, length) ->
    {
        transmitted++;
        return true;
    };

    @Test
    void shouldNotAllocateInSteadyStateDutyCyclesOfRxAgentsWorkerAndTxAgents()
    {
        prepare();
        final PipelineConfig config = new PipelineConfig().threadingMode(ThreadingMode.INVOKER).nanoClock(clock)
            .errorHandler(errors::add);
        try (Pipeline pipeline = new Pipeline(config, List.of(lan, wan), gateway.counters))
        {
            pipeline.start(gateway.forwarder, gateway.engine);
            final AgentInvoker invoker = pipeline.invoker();
            assertNoAllocationPerCycle(invoker::invoke);
        }
    }

    @Test
    void shouldNotAllocateInSteadyStateDutyCyclesRunToCompletion()
    {
        prepare();
        final PipelineConfig config = new PipelineConfig().threadingMode(ThreadingMode.RUN_TO_COMPLETION)
            .nanoClock(clock).validate();
        final RingBuffer[] unused = {ring(), ring()};
        final Port[] ports = {lan, wan};
        final WorkerAgent worker = new WorkerAgent(config, gateway.forwarder, gateway.engine, ring(), unused, unused,
            gateway.counters, errors::add, new ManyToOneConcurrentArrayQueue<>(4), ports, true, 0, null, ports, null);
        worker.onStart();
        assertNoAllocationPerCycle(worker::doWork);
    }

    /**
     * Both neighbours learned, and the frames of {@link #FLOWS} flows each way (UDP and TCP) and a ping out.
     */
    private void prepare()
    {
        gateway.resolveBoth(new Frames.RecordingSink());
        TestGateway.establishedFlowFrames(FLOWS, (frame, port) -> add(port == INSIDE ? lan : wan, frame));
        add(lan, Frames.ipv4(GW_IN, CLIENT,
            Packets.icmpEcho("10.0.0.2", "198.51.100.7", IcmpMessage.ECHO_REQUEST, 9, 1)));
    }

    private void add(final InMemoryPort port, final byte[] frame)
    {
        frames.add(new UnsafeBuffer(frame));
        ingress.add(port);
    }

    /**
     * Runs duty cycles of {@code cycle}, each after offering every frame and followed by taking what
     * was transmitted; the first makes the sessions, the warm-up settles the JIT, then every byte
     * the measured cycles allocate counts.
     */
    private void assertNoAllocationPerCycle(final Runnable cycle)
    {
        final Runnable round = () ->
        {
            for (int i = 0; i < frames.size(); i++)
            {
                final UnsafeBuffer frame = frames.get(i);
                ingress.get(i).offer(frame, 0, frame.capacity());
            }
            nowNs[0] += 1_000_000L;
            cycle.run();
            lan.pollTransmitted(countTransmitted, Integer.MAX_VALUE);
            wan.pollTransmitted(countTransmitted, Integer.MAX_VALUE);
        };
        round.run(); // makes the sessions; the inbound frames before their session are dropped
        final long translatedBefore = translated();
        final long transmittedBefore = transmitted;

        final long[] cycles = new long[1];
        final long bytes = Allocations.bytesAllocatedAfterWarmUp(WARM_UP_CYCLES, CYCLES, () ->
        {
            round.run();
            cycles[0]++;
        });

        assertEquals(0, bytes, "bytes allocated by " + CYCLES + " duty cycles of " + frames.size() + " frames");
        assertEquals(List.of(), errors);
        assertEquals(FLOWS + 1, gateway.engine.sessionCount());
        assertEquals((2L * FLOWS + 1) * cycles[0], translated() - translatedBefore,
            "every flow translated both ways, and the ping out, in every cycle");
        assertEquals((2L * FLOWS + 1) * cycles[0], transmitted - transmittedBefore, "every frame transmitted");
    }

    private long translated()
    {
        return gateway.counters.get(INSIDE, PortCounter.TRANSLATED_OUT) +
            gateway.counters.get(OUTSIDE, PortCounter.TRANSLATED_IN);
    }

    private static RingBuffer ring()
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(new byte[4096 + RingBufferDescriptor.TRAILER_LENGTH]));
    }
}
