package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.SoftwareOffloads;
import io.natgate.datapath.offload.ReceiveOffloads;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;



/**
 * The worker: the single writer of the NAT tables. Each duty cycle it reads the clock once,
 * applies pending control commands stamped with that time (between bursts, so a command never
 * lands mid-burst; the target counts them applied or rejected by outcome),
 * gathers up to a burst of frames from every port's rx ring into a {@link FrameBurst},
 * hands them as one {@link FrameVector} to the {@link FrameProcessor}, then runs the processor's
 * timers. Frames the processor emits go to the egress port's tx ring; a full ring drops the frame as
 * {@link DropReason#TX_RING_FULL} on that port. A processor exception on one frame is reported
 * to the error handler and the rest of the burst goes on.
 * <p>
 * Offloads: each frame's {@link Offload} state goes to the processor with the frame (in the
 * {@link FrameVector}). When the processor sends a frame on with its state, the state goes with it
 * onto the egress tx ring if the egress port carries offloads; otherwise the frame's partial
 * checksum is completed here and an aggregate is cut into its segments ({@link SoftwareOffloads}),
 * so nothing leaves incomplete or truncated.
 * <p>
 * Run to completion ({@link ThreadingMode#RUN_TO_COMPLETION}): the worker drives the ports itself,
 * with no rings between. A port that {@link Port#holdsReceivedFrames() holds} its received frames
 * (AF_PACKET) has them processed where they lie; another port's frames are copied into the burst.
 * Each forwarded frame is written once, by {@link Port#transmit}, into the egress port's slot, and
 * every port written to is flushed once per duty cycle. The worker then writes the ports' rx and tx
 * counters and their drop reasons as the rx and tx agents otherwise do.
 * <p>
 * Several workers ({@link PipelineConfig#workers()}): each reads its own rx ring per port and writes its
 * own tx ring per port. A hairpinned packet whose destination another worker owns goes, source translated,
 * onto that worker's handoff ring ({@link FrameSink#handoff}, a many-to-one ring: any worker may write it);
 * each worker drains its handoff ring after its burst into {@link FrameProcessor#processHandoff}.
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
    private final FrameSink sink = new FrameSink()
    {
        public boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
        {
            return WorkerAgent.this.send(portIndex, buffer, offset, length, 0);
        }

        public boolean send(
            final int portIndex, final DirectBuffer buffer, final int offset, final int length, final int offload)
        {
            return WorkerAgent.this.send(portIndex, buffer, offset, length, offload);
        }

        public boolean handoff(
            final int worker, final DirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
            final int offload)
        {
            return WorkerAgent.this.handoff(worker, buffer, ipOffset, ipLength, ingressPort, offload);
        }
    };
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    private final boolean[] egressOffloads;
    private final boolean[] egressRawIp;
    private final boolean processorAcceptsOffloads;
    private final SoftwareOffloads softwareOffloads = new SoftwareOffloads();
    private final SoftwareOffloads.SegmentSink segmentSink = this::sendSegment;
    private int currentIngressPort;
    private int segmentPort;
    private final Port[] directPorts;
    private final boolean[] holdsFrames;
    private final boolean[] written;
    private final long[] txFrames;
    private final long[] txBytes;
    private final int maxFrameLength;
    private final FrameHandler heldHandler = this::onHeldFrame;
    private final FrameHandler copyHandler = this::onCopiedFrame;
    private final String roleName;
    private final boolean quiet;
    private final RingBuffer[] handoffRings;
    private final RingBuffer handoffRing;
    private final UnsafeBuffer handoffScratch;
    private final MessageHandler handoffHandler = this::onHandoff;
    private long rxBytes;
    private long burstNowNs;

    /** Where a handed-off record's ingress port sits; the IP packet follows it. */
    private static final int HANDOFF_PORT_OFFSET = 0;
    private static final int HANDOFF_PACKET_OFFSET = 8;

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
        this(config, processor, commandTarget, commandRing, rxRings, txRings, counters, errorHandler, tasks, null);
    }

    /**
     * @param ports the ports by index, read here once for their link layer and whether they carry
     *              offloads; null for Ethernet ports that carry none.
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
        final ManyToOneConcurrentArrayQueue<Runnable> tasks,
        final Port[] ports)
    {
        this(config, processor, commandTarget, commandRing, rxRings, txRings, counters, errorHandler, tasks, ports,
            false, 0, null);
    }

    /**
     * @param runToCompletion true to drive {@code ports} directly (receive, transmit, flush) instead
     *                        of the rings, which are then left unused.
     * @param worker       this worker's index among the pipeline's workers.
     * @param handoffRings per worker, its handoff ring (this worker reads its own and writes the others');
     *                     null with one worker.
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
        final ManyToOneConcurrentArrayQueue<Runnable> tasks,
        final Port[] ports,
        final boolean runToCompletion,
        final int worker,
        final RingBuffer[] handoffRings)
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
        this.egressOffloads = new boolean[txRings.length];
        this.egressRawIp = new boolean[txRings.length];
        for (int portIndex = 0; ports != null && portIndex < txRings.length; portIndex++)
        {
            egressOffloads[portIndex] = ports[portIndex].carriesOffloads();
            egressRawIp[portIndex] = ports[portIndex].linkLayer() == LinkLayer.RAW_IP;
        }
        this.processorAcceptsOffloads = processor.acceptsOffloads();
        if (runToCompletion && (ports == null || ports.length != txRings.length))
        {
            throw new IllegalArgumentException("run to completion needs a port per ring");
        }
        this.directPorts = runToCompletion ? ports.clone() : null;
        this.holdsFrames = new boolean[txRings.length];
        for (int portIndex = 0; runToCompletion && portIndex < txRings.length; portIndex++)
        {
            holdsFrames[portIndex] = ports[portIndex].holdsReceivedFrames();
        }
        this.written = new boolean[txRings.length];
        this.txFrames = new long[txRings.length];
        this.txBytes = new long[txRings.length];
        this.maxFrameLength = config.maxFrameLength();
        this.quiet = worker != 0;
        this.roleName = handoffRings == null ? "natgate-worker" : "natgate-worker-" + worker;
        this.handoffRings = handoffRings == null ? null : handoffRings.clone();
        this.handoffRing = handoffRings == null ? null : handoffRings[worker];
        this.handoffScratch = handoffRings == null ? null :
            new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + config.maxFrameLength()]);
    }

    /**
     * Lets the processor announce itself (gratuitous ARP) before the first frame: worker 0's only, so
     * several workers announce the gateway once.
     */
    @Override
    public void onStart()
    {
        if (!quiet)
        {
            processor.onStart(sink);
        }
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
        if (handoffRing != null)
        {
            burstNowNs = nowNs;
            workCount += Rings.read(handoffRing, handoffHandler, burstSize);
        }
        workCount += processor.onTimer(nowNs, sink);
        if (directPorts != null)
        {
            flushPorts();
        }

        return workCount;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onClose()
    {
        if (directPorts != null)
        {
            flushPorts();
        }
    }

    private int gatherBurst()
    {
        if (directPorts != null)
        {
            return receiveFromPorts();
        }
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
        final int size = directPorts != null ? frames.size() : burst.size();
        if (size == 0)
        {
            return;
        }
        final MutableDirectBuffer buffer = burst.buffer();
        try
        {
            for (int slot = 0; directPorts == null && slot < size; slot++)
            {
                final int offset = burst.frameOffset(slot);
                int offload = burst.offload(slot);
                if (Offload.needsWork(offload) && !processorAcceptsOffloads)
                {
                    SoftwareOffloads.completeChecksum(buffer, offset + EthernetHeaders.length(buffer, offset));
                    offload = Offload.CHECKSUM_VERIFIED;
                }
                frames.add(buffer, offset, burst.frameLength(slot), burst.ingressPort(slot), offload);
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
            for (int portIndex = 0; directPorts != null && portIndex < directPorts.length; portIndex++)
            {
                if (holdsFrames[portIndex])
                {
                    directPorts[portIndex].releaseReceived();
                }
            }
        }
    }

    /**
     * Run to completion: a burst from each port, into the frame vector where the frames lie (ports
     * that hold them) or copied into the burst (the others).
     */
    private int receiveFromPorts()
    {
        int total = 0;
        for (int portIndex = 0; portIndex < directPorts.length; portIndex++)
        {
            currentIngressPort = portIndex;
            rxBytes = 0;
            final Port port = directPorts[portIndex];
            final int received = holdsFrames[portIndex] ?
                port.receiveHeld(heldHandler, burstSize) : port.receive(copyHandler, burstSize);
            if (received > 0)
            {
                counters.add(portIndex, PortCounter.RX_FRAMES, received);
                counters.add(portIndex, PortCounter.RX_BYTES, rxBytes);
                total += received;
            }
        }
        return total;
    }

    private boolean onHeldFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int offload = receivedOffload(length);
        if (offload != ReceiveOffloads.UNSUPPORTED)
        {
            frames.add((MutableDirectBuffer)buffer, offset, length, currentIngressPort, offload);
        }
        return true;
    }

    private boolean onCopiedFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int offload = receivedOffload(length);
        if (offload != ReceiveOffloads.UNSUPPORTED)
        {
            final int slot = burst.size();
            burst.add(buffer, offset, length, currentIngressPort, offload);
            frames.add(burst.buffer(), burst.frameOffset(slot), length, currentIngressPort, offload);
        }
        return true;
    }

    /**
     * @return the received frame's offload state, completed if the processor takes none, or
     * {@link ReceiveOffloads#UNSUPPORTED} for a frame dropped here (counted as the rx agent would).
     */
    private int receivedOffload(final int length)
    {
        rxBytes += length;
        if (length > maxFrameLength)
        {
            counters.drop(currentIngressPort, DropReason.FRAME_TOO_LARGE);
            return ReceiveOffloads.UNSUPPORTED;
        }
        final int offload = directPorts[currentIngressPort].frameOffload();
        if (offload == ReceiveOffloads.UNSUPPORTED)
        {
            counters.drop(currentIngressPort, DropReason.OFFLOAD_UNSUPPORTED);
        }
        return offload;
    }

    private void flushPorts()
    {
        for (int portIndex = 0; portIndex < directPorts.length; portIndex++)
        {
            if (written[portIndex])
            {
                written[portIndex] = false;
                directPorts[portIndex].flush();
                counters.add(portIndex, PortCounter.TX_FRAMES, txFrames[portIndex]);
                counters.add(portIndex, PortCounter.TX_BYTES, txBytes[portIndex]);
                txFrames[portIndex] = 0;
                txBytes[portIndex] = 0;
            }
        }
    }

    private void onRxFrame(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        // Cannot fail: the burst has burstSize slots per port and rx agents drop frames longer than a slot.
        burst.add(buffer, index, length, currentIngressPort, MessageLayout.frameOffload(msgTypeId));
    }

    private boolean handoff(
        final int worker, final DirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final int offload)
    {
        if (handoffRings == null || worker < 0 || worker >= handoffRings.length)
        {
            return false;
        }
        final RingBuffer ring = handoffRings[worker];
        if (HANDOFF_PACKET_OFFSET + ipLength > ring.maxMsgLength())
        {
            return false; // a raw-IP port's largest packet and the record's header: counted as a full ring
        }
        final int index = ring.tryClaim(MessageLayout.frameMsgTypeId(offload), HANDOFF_PACKET_OFFSET + ipLength);
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer record = ring.buffer();
        record.putInt(index + HANDOFF_PORT_OFFSET, ingressPort);
        record.putBytes(index + HANDOFF_PACKET_OFFSET, buffer, ipOffset, ipLength);
        ring.commit(index);
        return true;
    }

    private void onHandoff(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int ipLength = length - HANDOFF_PACKET_OFFSET;
        final UnsafeBuffer scratch = handoffScratch;
        scratch.putBytes(FrameProcessor.HEADROOM, buffer, index + HANDOFF_PACKET_OFFSET, ipLength);
        try
        {
            processor.processHandoff(scratch, FrameProcessor.HEADROOM, ipLength,
                buffer.getInt(index + HANDOFF_PORT_OFFSET), MessageLayout.frameOffload(msgTypeId), burstNowNs, sink);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private boolean send(
        final int portIndex, final DirectBuffer buffer, final int offset, final int length, final int offload)
    {
        final int carried = Offload.needsWork(offload) ? offload : 0;
        if (carried != 0 && !egressOffloads[portIndex])
        {
            return sendInSoftware(portIndex, (MutableDirectBuffer)buffer, offset, length, carried);
        }
        return emit(portIndex, buffer, offset, length, carried);
    }

    /**
     * Puts a frame on its way: onto the port's tx ring, or (run to completion) straight into the
     * port's transmit slot, flushing once and retrying when the port is full.
     */
    private boolean emit(
        final int portIndex, final DirectBuffer buffer, final int offset, final int length, final int offload)
    {
        if (directPorts == null)
        {
            if (txRings[portIndex].write(MessageLayout.frameMsgTypeId(offload), buffer, offset, length))
            {
                return true;
            }
            counters.drop(portIndex, DropReason.TX_RING_FULL);
            return false;
        }
        final Port port = directPorts[portIndex];
        boolean sent = port.transmit(buffer, offset, length, offload);
        if (!sent)
        {
            port.flush();
            sent = port.transmit(buffer, offset, length, offload);
        }
        if (!sent)
        {
            counters.drop(portIndex, DropReason.TX_PORT_REFUSED);
            return false;
        }
        written[portIndex] = true;
        txFrames[portIndex]++;
        txBytes[portIndex] += length;
        return true;
    }

    /**
     * The egress cannot take offload metadata: complete the checksum in place, or send the
     * aggregate's segments one by one.
     */
    private boolean sendInSoftware(
        final int portIndex, final MutableDirectBuffer buffer, final int offset, final int length, final int offload)
    {
        final int linkLength = egressRawIp[portIndex] ? 0 : EthernetHeaders.length(buffer, offset);
        if (Offload.isGso(offload))
        {
            segmentPort = portIndex;
            final int sent = softwareOffloads.segment(offload, buffer, offset, linkLength, segmentSink);
            return sent > 0;
        }
        SoftwareOffloads.completeChecksum(buffer, offset + linkLength);
        return emit(portIndex, buffer, offset, length, 0);
    }

    private boolean sendSegment(final DirectBuffer buffer, final int offset, final int length)
    {
        return emit(segmentPort, buffer, offset, length, 0);
    }

}
