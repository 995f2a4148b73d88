package io.natgate.datapath.pipeline;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.port.Port;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.List;

/**
 * The datapath's threads and rings: per port an rx agent and a tx agent, one worker between
 * them, a command ring into the worker and an event ring out of it, placed on threads as the
 * {@link ThreadingMode} says. Made in two steps so the frame processor can be built with the
 * pipeline's event sink and counters: construct, build the processor from
 * {@link #workerEvents()} and {@link #counters()}, then {@link #start}. Closing stops every
 * agent; it does not close the ports, which belong to the caller and must outlive the pipeline.
 */
public final class Pipeline implements AutoCloseable
{
    private final PipelineConfig config;
    private final Port[] ports;
    private final DatapathCounters counters;
    private final RingBuffer[] rxRings;
    private final RingBuffer[] txRings;
    private final RingBuffer commandRing;
    private final RingBuffer eventRing;
    private final NatEventEncoder workerEvents;
    private final NatEventDecoder eventDecoder;
    private final CountingErrorHandler errorHandler;
    private final ManyToOneConcurrentArrayQueue<Runnable> workerTasks =
        new ManyToOneConcurrentArrayQueue<>(WorkerAgent.TASK_QUEUE_CAPACITY);
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private AgentInvoker invoker;
    private boolean started;
    private boolean closed;

    /**
     * A pipeline with its own counters on the heap.
     *
     * @param ports the ports in port-index order.
     */
    public Pipeline(final PipelineConfig config, final List<? extends Port> ports)
    {
        this(config, ports, new DatapathCounters(ports.size()));
    }

    /**
     * @param ports    the ports in port-index order.
     * @param counters where the agents count, e.g. over a memory-mapped file; at least one slot set per port.
     * @throws ConfigurationException when the configuration does not validate, or a port's MTU makes frames
     *                                longer than the pipeline's {@link PipelineConfig#maxFrameLength()}.
     */
    public Pipeline(final PipelineConfig config, final List<? extends Port> ports, final DatapathCounters counters)
    {
        if (ports.isEmpty() || ports.size() > counters.portCount())
        {
            throw new IllegalArgumentException(ports.size() + " ports with counters for " + counters.portCount());
        }
        this.config = config.validate();
        this.ports = ports.toArray(new Port[0]);
        for (final Port port : this.ports)
        {
            final int portMaxFrameLength = port.maxReceiveFrameLength();
            if (portMaxFrameLength > config.maxFrameLength())
            {
                throw new ConfigurationException(
                    PipelineConfig.MAX_FRAME_LENGTH_PROP_NAME,
                    Integer.toString(config.maxFrameLength()),
                    "port " + port.name() + " carries frames of up to " + portMaxFrameLength + " bytes (MTU " +
                    port.mtu() + (port.carriesOffloads() ? ", GSO aggregates of 64 KiB" : "") +
                    "), which would all be dropped");
            }
        }
        this.counters = counters;

        rxRings = new RingBuffer[this.ports.length];
        txRings = new RingBuffer[this.ports.length];
        for (int portIndex = 0; portIndex < this.ports.length; portIndex++)
        {
            rxRings[portIndex] = new OneToOneRingBuffer(Rings.allocate(config.rxRingCapacity()));
            txRings[portIndex] = new OneToOneRingBuffer(Rings.allocate(config.txRingCapacity()));
        }
        commandRing = new ManyToOneRingBuffer(Rings.allocate(config.commandRingCapacity()));
        eventRing = new OneToOneRingBuffer(Rings.allocate(config.eventRingCapacity()));
        workerEvents = new NatEventEncoder(eventRing, counters);
        eventDecoder = new NatEventDecoder(eventRing);
        errorHandler = new CountingErrorHandler(counters, config.errorHandler());
    }

    /**
     * Builds the agents around {@code processor} and starts them as the threading mode says (in
     * {@link ThreadingMode#INVOKER} mode nothing runs until the caller invokes {@link #invoker()}).
     *
     * @param commandTarget what applies the control plane's commands on the worker thread (the NAT engine).
     */
    public synchronized void start(final FrameProcessor processor, final NatCommands commandTarget)
    {
        if (closed || started)
        {
            throw new IllegalStateException(closed ? "pipeline closed" : "pipeline already started");
        }
        started = true;

        final List<Agent> rxAgents = new ArrayList<>();
        final List<Agent> txAgents = new ArrayList<>();
        for (int portIndex = 0; portIndex < ports.length; portIndex++)
        {
            rxAgents.add(new RxAgent(config, ports[portIndex], portIndex, rxRings[portIndex], counters));
            txAgents.add(new TxAgent(config, ports[portIndex], portIndex, txRings[portIndex], counters));
        }
        final boolean runToCompletion = config.threadingMode() == ThreadingMode.RUN_TO_COMPLETION;
        final WorkerAgent worker = new WorkerAgent(config, processor, commandTarget, commandRing, rxRings, txRings,
            counters, errorHandler, workerTasks, ports, runToCompletion);

        final List<Agent> all = new ArrayList<>(rxAgents);
        all.add(worker);
        all.addAll(txAgents);

        switch (config.threadingMode())
        {
            case DEDICATED ->
            {
                for (final Agent agent : all)
                {
                    startRunner(agent);
                }
            }
            case SHARED_NETWORK ->
            {
                final List<Agent> network = new ArrayList<>(rxAgents);
                network.addAll(txAgents);
                startRunner(worker);
                startRunner(new CompositeAgent(network));
            }
            case SHARED -> startRunner(new CompositeAgent(all));
            case RUN_TO_COMPLETION -> startRunner(worker);
            case INVOKER ->
            {
                invoker = new AgentInvoker(errorHandler, null, new CompositeAgent(all));
                invoker.start();
            }
        }
    }

    /**
     * @return the invoker that runs one duty cycle of every agent per {@link AgentInvoker#invoke()}.
     * @throws IllegalStateException unless started in {@link ThreadingMode#INVOKER} mode.
     */
    public synchronized AgentInvoker invoker()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("no invoker: threading mode " + config.threadingMode() +
                (started ? "" : ", not started"));
        }
        return invoker;
    }

    /**
     * Runs a task on the worker thread and waits for its result: the control plane's way to read or
     * change what the worker alone owns. Not from the thread that drives an invoker-mode pipeline.
     *
     * @throws IllegalStateException when the queue stays full, the worker does not answer within
     *                               {@code timeoutNs}, or the task throws (its exception is the cause).
     */
    public <T> T callOnWorker(final Supplier<T> task, final long timeoutNs)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final Runnable run = () ->
        {
            try
            {
                result.complete(task.get());
            }
            catch (final RuntimeException ex)
            {
                result.completeExceptionally(ex);
            }
        };
        while (!workerTasks.offer(run))
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("worker task queue full for " + timeoutNs / 1_000_000 + " ms");
            }
            LockSupport.parkNanos(100_000);
        }
        try
        {
            return result.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the worker", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("worker task failed: " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("worker did not answer within " + timeoutNs / 1_000_000 + " ms", ex);
        }
    }

    /**
     * @return a new encoder of commands onto the worker's command ring; one per control-plane thread.
     */
    public NatCommandEncoder newCommandEncoder()
    {
        return new NatCommandEncoder(commandRing);
    }

    /**
     * Hands up to {@code limit} events from the worker to {@code listener}. Only one thread may
     * drain events (the journal agent); it may instead make its own {@link NatEventDecoder} over
     * {@link #eventRing()}, but not both.
     *
     * @return the number of events handed over.
     */
    public int drainEvents(final NatEventListener listener, final int limit)
    {
        return eventDecoder.drain(listener, limit);
    }

    /**
     * @return where the frame processor reports NAT events; to be used on the worker thread only.
     */
    public NatEventListener workerEvents()
    {
        return workerEvents;
    }

    /**
     * @return the ring the rx agent of a port fills; its {@code size()} may be read from any thread.
     */
    public RingBuffer rxRing(final int portIndex)
    {
        return rxRings[portIndex];
    }

    /**
     * @return the ring the tx agent of a port drains; its {@code size()} may be read from any thread.
     */
    public RingBuffer txRing(final int portIndex)
    {
        return txRings[portIndex];
    }

    public RingBuffer commandRing()
    {
        return commandRing;
    }

    public RingBuffer eventRing()
    {
        return eventRing;
    }

    public DatapathCounters counters()
    {
        return counters;
    }

    public PipelineConfig config()
    {
        return config;
    }

    public int portCount()
    {
        return ports.length;
    }

    public Port port(final int portIndex)
    {
        return ports[portIndex];
    }

    /**
     * Stops every agent, receive side first, and waits for their threads to end. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(runners);
        CloseHelper.close(invoker);
        // A runner's close returns once its agent has closed; its thread may still be on its way out.
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void startRunner(final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(config.newIdleStrategy(), errorHandler, null, agent);
        runners.add(runner);
        threads.add(AgentRunner.startOnThread(runner, config.threadFactory()));
    }
}
