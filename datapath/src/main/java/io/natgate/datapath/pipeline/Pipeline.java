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
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.List;

/**
 * The datapath's threads and rings: per port an rx agent and a tx agent, {@link PipelineConfig#workers()}
 * workers between them (an rx and a tx ring per worker and port, single writer each), per worker a command
 * ring in, an event ring out and (several workers) a handoff ring for hairpins, placed on threads as the
 * {@link ThreadingMode} says. Made in two steps so the frame processor can be built with the
 * pipeline's event sink and counters: construct, build the processor from
 * {@link #workerEvents()} and {@link #counters()}, then {@link #start}. Closing stops every
 * agent; it does not close the ports, which belong to the caller and must outlive the pipeline.
 */
public final class Pipeline implements AutoCloseable
{
    private final PipelineConfig config;
    private final Port[] ports;
    private final Port[][] workerPorts;
    private final int workers;
    private final DatapathCounters[] counters;
    private final DatapathCounters steeringCounters;
    private final RingBuffer[][] rxRings;
    private final RingBuffer[][] txRings;
    private final RingBuffer[] commandRings;
    private final RingBuffer[] eventRings;
    private final RingBuffer[] handoffRings;
    private final NatEventEncoder[] workerEvents;
    private final NatEventDecoder[] eventDecoders;
    private final CountingErrorHandler errorHandler;
    private final ManyToOneConcurrentArrayQueue<Runnable>[] workerTasks;
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
     *                 With several workers this is worker 0's (and the rx and tx agents'); the others count on
     *                 counters of their own on the heap ({@link #counters(int)}).
     * @throws ConfigurationException when the configuration does not validate, or a port's MTU makes frames
     *                                longer than the pipeline's {@link PipelineConfig#maxFrameLength()}.
     */
    public Pipeline(final PipelineConfig config, final List<? extends Port> ports, final DatapathCounters counters)
    {
        this(config, ports, withWorkerCounters(config.workers(), counters, ports.size()));
    }

    /**
     * @param counters per worker, where it counts (and, for worker 0, the rx and tx agents); each set on its
     *                 own memory so no two workers write one cache line. As many as {@link PipelineConfig#workers()}.
     *                 With several workers the steering counts on a set of its own on the heap.
     * @throws ConfigurationException when the configuration does not validate, or a port's MTU makes frames
     *                                longer than the pipeline's {@link PipelineConfig#maxFrameLength()}.
     */
    public Pipeline(final PipelineConfig config, final List<? extends Port> ports, final DatapathCounters[] counters)
    {
        this(config, ports, counters, config.workers() > 1 ? new DatapathCounters(ports.size()) : null);
    }

    /**
     * @param counters         per worker, where it counts (and, for worker 0, the rx and tx agents); each set on
     *                         its own memory so no two workers write one cache line. As many as
     *                         {@link PipelineConfig#workers()}.
     * @param steeringCounters with several workers, where the rx agents' steering counts (e.g. the counters
     *                         file's steering set); null with one worker.
     * @throws ConfigurationException when the configuration does not validate, or a port's MTU makes frames
     *                                longer than the pipeline's {@link PipelineConfig#maxFrameLength()}.
     */
    public Pipeline(
        final PipelineConfig config,
        final List<? extends Port> ports,
        final DatapathCounters[] counters,
        final DatapathCounters steeringCounters)
    {
        this(config, ports, counters, steeringCounters, null);
    }

    /**
     * @param workerPorts several workers running to completion: per worker, the ports it drives by index (worker
     *                    0's are {@code ports}; another's are its own sockets on each device, in the kernel's
     *                    fanout group, and null for a port only worker 0 drives); null otherwise.
     * @throws ConfigurationException when the configuration does not validate, or a port's MTU makes frames
     *                                longer than the pipeline's {@link PipelineConfig#maxFrameLength()}.
     */
    @SuppressWarnings("unchecked")
    public Pipeline(
        final PipelineConfig config,
        final List<? extends Port> ports,
        final DatapathCounters[] counters,
        final DatapathCounters steeringCounters,
        final List<? extends List<? extends Port>> workerPorts)
    {
        this.config = config.validate();
        this.workers = config.workers();
        if (counters.length != workers)
        {
            throw new IllegalArgumentException(counters.length + " counter sets for " + workers + " workers");
        }
        if ((workers > 1) != (steeringCounters != null) ||
            (steeringCounters != null && ports.size() > steeringCounters.portCount()))
        {
            throw new IllegalArgumentException("steering counters " +
                (steeringCounters == null ? "missing" : "for " + steeringCounters.portCount() + " ports") + " with " +
                workers + " workers and " + ports.size() + " ports; they are for several workers only");
        }
        for (final DatapathCounters workerCounters : counters)
        {
            if (ports.isEmpty() || ports.size() > workerCounters.portCount())
            {
                throw new IllegalArgumentException(
                    ports.size() + " ports with counters for " + workerCounters.portCount());
            }
        }
        this.ports = ports.toArray(new Port[0]);
        this.workerPorts = runToCompletionPorts(config, this.ports, workerPorts);
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
        this.counters = counters.clone();
        this.steeringCounters = steeringCounters;

        rxRings = new RingBuffer[workers][this.ports.length];
        txRings = new RingBuffer[workers][this.ports.length];
        commandRings = new RingBuffer[workers];
        eventRings = new RingBuffer[workers];
        handoffRings = workers > 1 ? new RingBuffer[workers] : null;
        workerEvents = new NatEventEncoder[workers];
        eventDecoders = new NatEventDecoder[workers];
        workerTasks = new ManyToOneConcurrentArrayQueue[workers];
        for (int worker = 0; worker < workers; worker++)
        {
            for (int portIndex = 0; portIndex < this.ports.length; portIndex++)
            {
                rxRings[worker][portIndex] = new OneToOneRingBuffer(Rings.allocate(config.rxRingCapacity()));
                txRings[worker][portIndex] = new OneToOneRingBuffer(Rings.allocate(config.txRingCapacity()));
            }
            commandRings[worker] = new ManyToOneRingBuffer(Rings.allocate(config.commandRingCapacity()));
            eventRings[worker] = new OneToOneRingBuffer(Rings.allocate(config.eventRingCapacity()));
            workerEvents[worker] = new NatEventEncoder(eventRings[worker], counters[worker]);
            eventDecoders[worker] = new NatEventDecoder(eventRings[worker]);
            workerTasks[worker] = new ManyToOneConcurrentArrayQueue<>(WorkerAgent.TASK_QUEUE_CAPACITY);
            if (handoffRings != null)
            {
                handoffRings[worker] = new ManyToOneRingBuffer(Rings.allocate(config.rxRingCapacity()));
            }
        }
        errorHandler = new CountingErrorHandler(counters[0], config.errorHandler());
    }

    private static Port[][] runToCompletionPorts(
        final PipelineConfig config, final Port[] ports, final List<? extends List<? extends Port>> workerPorts)
    {
        final int workers = config.workers();
        if (config.threadingMode() != ThreadingMode.RUN_TO_COMPLETION || workers == 1)
        {
            if (workerPorts != null)
            {
                throw new IllegalArgumentException("ports per worker are for several workers running to completion");
            }
            return null;
        }
        if (workerPorts == null || workerPorts.size() != workers)
        {
            throw new IllegalArgumentException(workers + " workers running to completion need ports of their own: " +
                (workerPorts == null ? "none" : workerPorts.size()) + " sets given");
        }
        final Port[][] all = new Port[workers][];
        for (int worker = 0; worker < workers; worker++)
        {
            final List<? extends Port> own = workerPorts.get(worker);
            if (own.size() != ports.length || (worker == 0 && !own.equals(List.of(ports))))
            {
                throw new IllegalArgumentException("worker " + worker + "'s ports " + own + " for the pipeline's " +
                    List.of(ports) + ": as many, worker 0's the same");
            }
            all[worker] = own.toArray(new Port[0]);
        }
        return all;
    }

    private static DatapathCounters[] withWorkerCounters(
        final int workers, final DatapathCounters first, final int portCount)
    {
        final DatapathCounters[] all = new DatapathCounters[Math.max(1, workers)];
        all[0] = first;
        for (int worker = 1; worker < all.length; worker++)
        {
            all[worker] = new DatapathCounters(Math.max(portCount, first.portCount()));
        }
        return all;
    }

    /**
     * Builds the agents around {@code processor} and starts them as the threading mode says (in
     * {@link ThreadingMode#INVOKER} mode nothing runs until the caller invokes {@link #invoker()}). One worker only.
     *
     * @param commandTarget what applies the control plane's commands on the worker thread (the NAT engine).
     */
    public void start(final FrameProcessor processor, final NatCommands commandTarget)
    {
        start(new FrameProcessor[]{processor}, new NatCommands[]{commandTarget}, null);
    }

    /**
     * Builds the agents around one processor per worker and starts them as the threading mode says.
     *
     * @param processors     per worker, its frame processor (built from {@link #workerEvents(int)} and
     *                       {@link #counters(int)}).
     * @param commandTargets per worker, what applies its commands (its NAT engine).
     * @param steering       with several workers, makes each rx agent's own steering (counting on
     *                       {@link #steeringCounters()}), or each run-to-completion worker's per port (counting on
     *                       the worker's counters); null with one.
     */
    public synchronized void start(
        final FrameProcessor[] processors, final NatCommands[] commandTargets, final SteeringFactory steering)
    {
        if (closed || started)
        {
            throw new IllegalStateException(closed ? "pipeline closed" : "pipeline already started");
        }
        if (processors.length != workers || commandTargets.length != workers || (workers > 1 && steering == null))
        {
            throw new IllegalArgumentException(processors.length + " processors and " + commandTargets.length +
                " command targets for " + workers + " workers" + (steering == null ? ", no steering" : ""));
        }
        started = true;

        final List<Agent> rxAgents = new ArrayList<>();
        final List<Agent> txAgents = new ArrayList<>();
        for (int portIndex = 0; portIndex < ports.length; portIndex++)
        {
            final RingBuffer[] toWorkers = new RingBuffer[workers];
            final RingBuffer[] fromWorkers = new RingBuffer[workers];
            for (int worker = 0; worker < workers; worker++)
            {
                toWorkers[worker] = rxRings[worker][portIndex];
                fromWorkers[worker] = txRings[worker][portIndex];
            }
            rxAgents.add(new RxAgent(config, ports[portIndex], portIndex, toWorkers,
                workers > 1 ? steering.newSteering(portIndex, steeringCounters) : null, counters[0]));
            txAgents.add(new TxAgent(config, ports[portIndex], portIndex, fromWorkers, counters[0]));
        }
        final boolean runToCompletion = config.threadingMode() == ThreadingMode.RUN_TO_COMPLETION;
        final List<Agent> workerAgents = new ArrayList<>();
        for (int worker = 0; worker < workers; worker++)
        {
            FrameSteering[] ownSteering = null;
            if (workerPorts != null)
            {
                ownSteering = new FrameSteering[ports.length];
                for (int portIndex = 0; portIndex < ports.length; portIndex++)
                {
                    ownSteering[portIndex] = workerPorts[worker][portIndex] == null ? null :
                        steering.newSteering(portIndex, counters[worker]);
                }
            }
            workerAgents.add(new WorkerAgent(config, processors[worker], commandTargets[worker], commandRings[worker],
                rxRings[worker], txRings[worker], counters[worker],
                worker == 0 ? errorHandler : new CountingErrorHandler(counters[worker], config.errorHandler()),
                workerTasks[worker], ports, runToCompletion, worker, handoffRings,
                workerPorts == null ? ports : workerPorts[worker], ownSteering));
        }

        final List<Agent> all = new ArrayList<>(rxAgents);
        all.addAll(workerAgents);
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
                for (final Agent worker : workerAgents)
                {
                    startRunner(worker);
                }
                startRunner(new CompositeAgent(network));
            }
            case SHARED -> startRunner(new CompositeAgent(all));
            case RUN_TO_COMPLETION ->
            {
                for (final Agent worker : workerAgents)
                {
                    startRunner(worker);
                }
            }
            case INVOKER ->
            {
                invoker = new AgentInvoker(errorHandler, null, new CompositeAgent(all));
                invoker.start();
            }
        }
    }

    /**
     * Makes a steering of its own for each agent that steers a port's frames between workers (it holds later
     * fragments, so none is shared between threads).
     */
    @FunctionalInterface
    public interface SteeringFactory
    {
        /**
         * @param counters where the steering counts the fragments it holds or drops, on the agent's own thread.
         */
        FrameSteering newSteering(int portIndex, DatapathCounters counters);
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
     * Runs a task on worker 0's thread and waits for its result; see {@link #callOnWorker(int, Supplier, long)}.
     */
    public <T> T callOnWorker(final Supplier<T> task, final long timeoutNs)
    {
        return callOnWorker(0, task, timeoutNs);
    }

    /**
     * Runs a task on a worker's thread and waits for its result: the control plane's way to read or
     * change what the worker alone owns. Not from the thread that drives an invoker-mode pipeline.
     *
     * @throws IllegalStateException when the queue stays full, the worker does not answer within
     *                               {@code timeoutNs}, or the task throws (its exception is the cause).
     */
    public <T> T callOnWorker(final int worker, final Supplier<T> task, final long timeoutNs)
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
        while (!workerTasks[worker].offer(run))
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
     * Runs {@code task} on every worker's thread in turn, given the worker's index (each changes what it alone
     * owns: its forwarder's routes, its engine's policy), waiting for each: what all workers must agree on.
     *
     * @return worker 0's result (the workers were built alike and get the same changes, so they answer alike).
     * @throws IllegalStateException as {@link #callOnWorker(int, Supplier, long)}, for the first worker that fails.
     */
    public <T> T callOnEveryWorker(final IntFunction<T> task, final long timeoutNs)
    {
        T first = null;
        for (int worker = 0; worker < workers; worker++)
        {
            final int index = worker;
            final T result = callOnWorker(worker, () -> task.apply(index), timeoutNs);
            first = worker == 0 ? result : first;
        }
        return first;
    }

    /**
     * @return a new encoder of commands onto worker 0's command ring; one per control-plane thread.
     */
    public NatCommandEncoder newCommandEncoder()
    {
        return newCommandEncoder(0);
    }

    /**
     * @return a new encoder of commands onto a worker's command ring; one per control-plane thread and worker.
     */
    public NatCommandEncoder newCommandEncoder(final int worker)
    {
        return new NatCommandEncoder(commandRings[worker]);
    }

    /**
     * Hands up to {@code limit} events from the workers to {@code listener}, up to {@code limit} from each in
     * turn. Only one thread may drain events (the journal agent); it may instead make its own
     * {@link NatEventDecoder} over {@link #eventRing(int)}, but not both.
     *
     * @return the number of events handed over.
     */
    public int drainEvents(final NatEventListener listener, final int limit)
    {
        int drained = 0;
        for (final NatEventDecoder decoder : eventDecoders)
        {
            drained += decoder.drain(listener, limit);
        }
        return drained;
    }

    /**
     * @return where worker 0's frame processor reports NAT events; to be used on that worker's thread only.
     */
    public NatEventListener workerEvents()
    {
        return workerEvents[0];
    }

    /**
     * @return where a worker's frame processor reports NAT events; to be used on that worker's thread only.
     */
    public NatEventListener workerEvents(final int worker)
    {
        return workerEvents[worker];
    }

    /**
     * @return worker 0's ring from a port's rx agent; its {@code size()} may be read from any thread.
     */
    public RingBuffer rxRing(final int portIndex)
    {
        return rxRings[0][portIndex];
    }

    /**
     * @return a worker's ring from a port's rx agent; its {@code size()} may be read from any thread.
     */
    public RingBuffer rxRing(final int worker, final int portIndex)
    {
        return rxRings[worker][portIndex];
    }

    /**
     * @return worker 0's ring to a port's tx agent; its {@code size()} may be read from any thread.
     */
    public RingBuffer txRing(final int portIndex)
    {
        return txRings[0][portIndex];
    }

    /**
     * @return a worker's ring to a port's tx agent; its {@code size()} may be read from any thread.
     */
    public RingBuffer txRing(final int worker, final int portIndex)
    {
        return txRings[worker][portIndex];
    }

    /**
     * @return the ring other workers hand hairpins to a worker on; null with one worker.
     */
    public RingBuffer handoffRing(final int worker)
    {
        return handoffRings == null ? null : handoffRings[worker];
    }

    public RingBuffer commandRing()
    {
        return commandRings[0];
    }

    public RingBuffer commandRing(final int worker)
    {
        return commandRings[worker];
    }

    public RingBuffer eventRing()
    {
        return eventRings[0];
    }

    public RingBuffer eventRing(final int worker)
    {
        return eventRings[worker];
    }

    /**
     * @return worker 0's counters, which the rx and tx agents write too (with one worker: all of them).
     */
    public DatapathCounters counters()
    {
        return counters[0];
    }

    /**
     * @return a worker's counters; sum them over {@link #workers()} (and {@link #steeringCounters()}) for the gateway's.
     */
    public DatapathCounters counters(final int worker)
    {
        return counters[worker];
    }

    /**
     * @return where the rx agents' steering counts fragments it holds or drops; null with one worker.
     */
    public DatapathCounters steeringCounters()
    {
        return steeringCounters;
    }

    public int workers()
    {
        return workers;
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
