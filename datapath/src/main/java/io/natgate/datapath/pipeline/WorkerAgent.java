package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
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

import java.util.Arrays;

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
 * <p>
 * Several workers run to completion: each drives ports of its own (its sockets in the kernel's fanout group
 * on each device, which steers most frames to their owner already) and steers every frame it receives
 * itself ({@link FrameSteering}): its own are processed where they lie, another worker's are copied onto that
 * worker's handoff ring as received frames (counted as {@link GlobalCounter#WORKER_HANDOFFS}) and processed
 * in a burst of their own when it drains the ring. A port only worker 0 drives (an in-memory port: a
 * provider's interface, the local port) is read by worker 0 alone; what another worker sends to it goes onto
 * worker 0's handoff ring to be transmitted there.
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
    private final int worker;
    private final SteeredDelivery[] steered;
    private final SteeredDelivery.Destination steeredDestination = this::deliverSteered;
    private long rxBytes;
    private long burstNowNs;

    /** Where a handed-off record's port sits (ingress, or egress for {@link #HANDOFF_TRANSMIT}). */
    private static final int HANDOFF_PORT_OFFSET = 0;
    /** Where a handed-off record's kind sits; its packet or frame follows at {@link #HANDOFF_PACKET_OFFSET}. */
    private static final int HANDOFF_KIND_OFFSET = 4;
    private static final int HANDOFF_PACKET_OFFSET = 8;
    /** A hairpinned IP packet, source translated, for {@link FrameProcessor#processHandoff}. */
    private static final int HANDOFF_HAIRPIN = 0;
    /** A frame another run-to-completion worker received, link header and all, to process as received. */
    private static final int HANDOFF_RECEIVED = 1;
    /** A frame for a port only worker 0 drives, to transmit there. */
    private static final int HANDOFF_TRANSMIT = 2;

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
            false, 0, null, ports, null);
    }

    /**
     * @param ports           the pipeline's ports by index (worker 0's), read for their link layer and offloads.
     * @param runToCompletion true to drive {@code ownPorts} directly (receive, transmit, flush) instead
     *                        of the rings, which are then left unused.
     * @param worker          this worker's index among the pipeline's workers.
     * @param handoffRings    per worker, its handoff ring (this worker reads its own and writes the others');
     *                        null with one worker.
     * @param ownPorts     run to completion, the ports this worker drives, by index: {@code ports} for worker 0; for
     *                     another, its own socket on each device and null for a port only worker 0 drives.
     * @param steering     several workers run to completion: per port index this worker reads, its own steering
     *                     (counting on {@code counters}); null otherwise.
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
        final RingBuffer[] handoffRings,
        final Port[] ownPorts,
        final FrameSteering[] steering)
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
        if (runToCompletion && (ports == null || ports.length != txRings.length || ownPorts == null ||
            ownPorts.length != txRings.length || (steering == null) != (handoffRings == null) ||
            (worker == 0 && Arrays.asList(ownPorts).contains(null))))
        {
            throw new IllegalArgumentException("run to completion needs a port per ring (worker 0 every port), " +
                "and with several workers a steering and a handoff ring each");
        }
        this.directPorts = runToCompletion ? ownPorts.clone() : null;
        this.holdsFrames = new boolean[txRings.length];
        for (int portIndex = 0; runToCompletion && portIndex < txRings.length; portIndex++)
        {
            holdsFrames[portIndex] = ownPorts[portIndex] != null && ownPorts[portIndex].holdsReceivedFrames();
        }
        this.worker = worker;
        this.steered = runToCompletion && steering != null ? new SteeredDelivery[txRings.length] : null;
        for (int portIndex = 0; steered != null && portIndex < txRings.length; portIndex++)
        {
            steered[portIndex] = ownPorts[portIndex] == null ? null : new SteeredDelivery(steering[portIndex],
                portIndex, egressRawIp[portIndex], handoffRings.length, config.maxFrameLength(), counters,
                steeredDestination);
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
        burstNowNs = nowNs;
        workCount += gatherBurst();
        processBurst(nowNs, true);
        if (handoffRing != null)
        {
            workCount += Rings.read(handoffRing, handoffHandler, burstSize);
            processBurst(nowNs, false); // the frames other workers received for this one
        }
        for (int portIndex = 0; steered != null && portIndex < steered.length; portIndex++)
        {
            workCount += steered[portIndex] == null ? 0 : steered[portIndex].expire(nowNs);
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

    /**
     * @param releasePorts true after a burst from the ports: hand back what the ports hold.
     */
    private void processBurst(final long nowNs, final boolean releasePorts)
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
            for (int portIndex = 0; releasePorts && directPorts != null && portIndex < directPorts.length;
                portIndex++)
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
            if (port == null)
            {
                continue; // worker 0 drives it
            }
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
        if (offload == ReceiveOffloads.UNSUPPORTED)
        {
            return true;
        }
        if (steered != null)
        {
            steered[currentIngressPort].deliver((MutableDirectBuffer)buffer, offset, length, offload, burstNowNs);
            return true;
        }
        frames.add((MutableDirectBuffer)buffer, offset, length, currentIngressPort, offload);
        return true;
    }

    private boolean onCopiedFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int offload = receivedOffload(length);
        if (offload == ReceiveOffloads.UNSUPPORTED)
        {
            return true;
        }
        if (steered != null)
        {
            steered[currentIngressPort].deliver((MutableDirectBuffer)buffer, offset, length, offload, burstNowNs);
            return true;
        }
        copyIntoBurst(buffer, offset, length, currentIngressPort, offload);
        return true;
    }

    /**
     * @return false when the burst is full (a port's released fragments beyond it, counted).
     */
    private boolean copyIntoBurst(
        final DirectBuffer buffer, final int offset, final int length, final int ingressPort, final int offload)
    {
        final int slot = burst.size();
        if (slot == burst.capacity() || frames.size() == burst.capacity())
        {
            counters.drop(ingressPort, DropReason.RX_RING_FULL);
            return false;
        }
        burst.add(buffer, offset, length, ingressPort, offload);
        frames.add(burst.buffer(), burst.frameOffset(slot), length, ingressPort, offload);
        return true;
    }

    /**
     * Where this run-to-completion worker's steering sends a frame it received: its own into the burst (where
     * it lies if the port holds it), another worker's onto that worker's handoff ring.
     */
    private boolean deliverSteered(
        final int target, final MutableDirectBuffer buffer, final int offset, final int length, final int offload,
        final boolean copied)
    {
        if (target == worker)
        {
            if (copied || !holdsFrames[currentIngressPort])
            {
                return copyIntoBurst(buffer, offset, length, currentIngressPort, offload);
            }
            frames.add(buffer, offset, length, currentIngressPort, offload);
            return true;
        }
        if (writeHandoff(target, HANDOFF_RECEIVED, currentIngressPort, offload, buffer, offset, length))
        {
            counters.increment(GlobalCounter.WORKER_HANDOFFS);
            return true;
        }
        counters.drop(currentIngressPort, DropReason.RX_RING_FULL); // the owner's handoff ring is full
        return false;
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
        return writeHandoff(worker, HANDOFF_HAIRPIN, ingressPort, offload, buffer, ipOffset, ipLength);
    }

    /**
     * @return false when the record does not fit the ring (a raw-IP port's largest packet and the record's
     * header: counted by the caller as a full ring) or the ring is full.
     */
    private boolean writeHandoff(
        final int target, final int kind, final int port, final int offload, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final RingBuffer ring = handoffRings[target];
        if (HANDOFF_PACKET_OFFSET + length > ring.maxMsgLength())
        {
            return false;
        }
        final int index = ring.tryClaim(MessageLayout.frameMsgTypeId(offload), HANDOFF_PACKET_OFFSET + length);
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer record = ring.buffer();
        record.putInt(index + HANDOFF_PORT_OFFSET, port);
        record.putInt(index + HANDOFF_KIND_OFFSET, kind);
        record.putBytes(index + HANDOFF_PACKET_OFFSET, buffer, offset, length);
        ring.commit(index);
        return true;
    }

    private void onHandoff(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int kind = buffer.getInt(index + HANDOFF_KIND_OFFSET);
        final int port = buffer.getInt(index + HANDOFF_PORT_OFFSET);
        final int offload = MessageLayout.frameOffload(msgTypeId);
        if (kind == HANDOFF_RECEIVED)
        {
            copyIntoBurst(buffer, index + HANDOFF_PACKET_OFFSET, length - HANDOFF_PACKET_OFFSET, port, offload);
            return;
        }
        if (kind == HANDOFF_TRANSMIT)
        {
            emit(port, buffer, index + HANDOFF_PACKET_OFFSET, length - HANDOFF_PACKET_OFFSET, offload);
            return;
        }
        final int ipLength = length - HANDOFF_PACKET_OFFSET;
        final UnsafeBuffer scratch = handoffScratch;
        scratch.putBytes(FrameProcessor.HEADROOM, buffer, index + HANDOFF_PACKET_OFFSET, ipLength);
        try
        {
            processor.processHandoff(scratch, FrameProcessor.HEADROOM, ipLength, port, offload, burstNowNs, sink);
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
        if (port == null)
        {
            if (writeHandoff(0, HANDOFF_TRANSMIT, portIndex, offload, buffer, offset, length))
            {
                return true;
            }
            counters.drop(portIndex, DropReason.TX_RING_FULL); // worker 0's handoff ring is full
            return false;
        }
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
