package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.nat.NatCommands;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.natgate.datapath.pipeline.MessageLayout.FRAME_MSG_TYPE_ID;

/**
 * The worker: the single writer of the NAT tables. Each duty cycle it reads the clock once,
 * applies pending control commands stamped with that time (between bursts, so a command never
 * lands mid-burst; the target counts them applied or rejected by outcome),
 * gathers up to a burst of frames from every port's rx ring into a {@link FrameBurst},
 * hands them as one {@link FrameVector} to the {@link FrameProcessor}, then runs the processor's
 * timers. Frames the processor emits go to the egress port's tx ring; a full ring drops the frame as
 * {@link DropReason#TX_RING_FULL} on that port. A processor exception on one frame is reported
 * to the error handler and the rest of the burst goes on.
 */
public final class WorkerAgent implements Agent
{
    private final FrameProcessor processor;
    private final NatCommands commandTarget;
    private final NatCommandDecoder commandDecoder;
    private final RingBuffer[] rxRings;
    private final RingBuffer[] txRings;
    private final DatapathCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock clock;
    private final int burstSize;
    private final int commandLimit;
    private final FrameBurst burst;
    private final FrameVector frames;
    private final MessageHandler rxHandler = this::onRxFrame;
    private final FrameSink sink = this::send;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    private int currentIngressPort;

    private static final int TASK_LIMIT = 4;
    static final int TASK_QUEUE_CAPACITY = 64;

    /**
     * @param commandTarget what applies the commands read from {@code commandRing} (the NAT engine).
     * @param rxRings       per port index, the ring its rx agent writes.
     * @param txRings       per port index, the ring its tx agent reads.
     * @param errorHandler  receives exceptions thrown by the processor for a single frame.
     */
    public WorkerAgent(
        final PipelineConfig config,
        final FrameProcessor processor,
        final NatCommands commandTarget,
        final RingBuffer commandRing,
        final RingBuffer[] rxRings,
        final RingBuffer[] txRings,
        final DatapathCounters counters,
        final ErrorHandler errorHandler)
    {
        this(config, processor, commandTarget, commandRing, rxRings, txRings, counters, errorHandler,
            new ManyToOneConcurrentArrayQueue<>(TASK_QUEUE_CAPACITY));
    }

    /**
     * @param tasks control-plane work to run on this thread between bursts (reading the tables it
     *              owns, say); never on the fast path, at most a few per duty cycle.
     */
    public WorkerAgent(
        final PipelineConfig config,
        final FrameProcessor processor,
        final NatCommands commandTarget,
        final RingBuffer commandRing,
        final RingBuffer[] rxRings,
        final RingBuffer[] txRings,
        final DatapathCounters counters,
        final ErrorHandler errorHandler,
        final ManyToOneConcurrentArrayQueue<Runnable> tasks)
    {
        if (rxRings.length != txRings.length || rxRings.length > counters.portCount())
        {
            throw new IllegalArgumentException(
                rxRings.length + " rx rings, " + txRings.length + " tx rings, " + counters.portCount() + " ports counted");
        }
        this.tasks = tasks;
        this.processor = processor;
        this.commandTarget = commandTarget;
        this.commandDecoder = new NatCommandDecoder(commandRing);
        this.rxRings = rxRings.clone();
        this.txRings = txRings.clone();
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.clock = config.nanoClock();
        this.burstSize = config.burstSize();
        this.commandLimit = config.commandLimit();
        this.burst = new FrameBurst(burstSize * rxRings.length, config.maxFrameLength());
        this.frames = new FrameVector(burst.capacity());
    }

    /**
     * Lets the processor announce itself (gratuitous ARP) before the first frame.
     */
    @Override
    public void onStart()
    {
        processor.onStart(sink);
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();

        commandTarget.commandTimeNs(nowNs);
        int workCount = commandDecoder.poll(commandTarget, commandLimit);
        if (!tasks.isEmpty())
        {
            workCount += tasks.drain(Runnable::run, TASK_LIMIT);
        }
        workCount += gatherBurst();
        processBurst(nowNs);
        workCount += processor.onTimer(nowNs, sink);

        return workCount;
    }

    @Override
    public String roleName()
    {
        return "natgate-worker";
    }

    private int gatherBurst()
    {
        int frames = 0;
        for (int portIndex = 0; portIndex < rxRings.length; portIndex++)
        {
            currentIngressPort = portIndex;
            frames += Rings.read(rxRings[portIndex], rxHandler, burstSize);
        }
        return frames;
    }

    private void processBurst(final long nowNs)
    {
        final FrameBurst burst = this.burst;
        final FrameVector frames = this.frames;
        final int size = burst.size();
        if (size == 0)
        {
            return;
        }
        final MutableDirectBuffer buffer = burst.buffer();
        try
        {
            for (int slot = 0; slot < size; slot++)
            {
                frames.add(buffer, burst.frameOffset(slot), burst.frameLength(slot), burst.ingressPort(slot));
            }
            processor.processBurst(frames, nowNs, sink, errorHandler);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
        finally
        {
            frames.clear();
            burst.clear();
        }
    }

    private void onRxFrame(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        // Cannot fail: the burst has burstSize slots per port and rx agents drop frames longer than a slot.
        burst.add(buffer, index, length, currentIngressPort);
    }

    private boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
    {
        if (txRings[portIndex].write(FRAME_MSG_TYPE_ID, buffer, offset, length))
        {
            return true;
        }
        counters.drop(portIndex, DropReason.TX_RING_FULL);
        return false;
    }
}
