package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.offload.ReceiveOffloads;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Receives bursts from one port into that port's rx ring to the worker. Never blocks and
 * never throws for traffic: a frame larger than the pipeline's slots is dropped as
 * {@link DropReason#FRAME_TOO_LARGE}; when the ring is full the frame is dropped as
 * {@link DropReason#RX_RING_FULL} and the burst stops, leaving later frames in the port's own
 * buffer until the worker catches up. A frame's offload state rides in its message type id; an
 * aggregate of a kind the datapath cannot translate is dropped as {@link DropReason#OFFLOAD_UNSUPPORTED}.
 * Writes the port's rx counters and those drop reasons.
 * <p>
 * With several workers each frame goes into the ring of the worker {@link FrameSteering} names (an ARP
 * reply into every worker's); a full ring is the same counted drop. A later fragment from the outside
 * that came before its first is held by the steering and written, behind the first fragment's link
 * header, into its worker's ring once the first fragment has been steered; one the steering could
 * neither steer nor hold is dropped with the steering's reason.
 */
public final class RxAgent implements Agent
{
    private final Port port;
    private final int portIndex;
    private final RingBuffer[] workerRings;
    private final SteeredDelivery steering;
    private final NanoClock clock;
    private final DatapathCounters counters;
    private final int burstSize;
    private final int maxFrameLength;
    private final String roleName;
    private final FrameHandler handler = this::onFrame;
    private long burstBytes;
    private long nowNs;

    /**
     * One worker: every frame into {@code rxRing}.
     */
    public RxAgent(
        final PipelineConfig config,
        final Port port,
        final int portIndex,
        final RingBuffer rxRing,
        final DatapathCounters counters)
    {
        this(config, port, portIndex, new RingBuffer[]{rxRing}, null, counters);
    }

    /**
     * @param workerRings per worker, the ring from this port to it.
     * @param steering    this agent's own steering (it holds fragments); null with one worker.
     */
    public RxAgent(
        final PipelineConfig config,
        final Port port,
        final int portIndex,
        final RingBuffer[] workerRings,
        final FrameSteering steering,
        final DatapathCounters counters)
    {
        if (workerRings.length > 1 && steering == null)
        {
            throw new IllegalArgumentException(workerRings.length + " workers need a steering");
        }
        this.port = port;
        this.portIndex = portIndex;
        this.workerRings = workerRings.clone();
        this.steering = workerRings.length > 1 ? new SteeredDelivery(steering, portIndex,
            port.linkLayer() == LinkLayer.RAW_IP, workerRings.length, config.maxFrameLength(), counters, this::write) :
            null;
        this.clock = config.nanoClock();
        this.counters = counters;
        this.burstSize = config.burstSize();
        this.maxFrameLength = config.maxFrameLength();
        this.roleName = "natgate-rx-" + port.name();
    }

    @Override
    public int doWork()
    {
        burstBytes = 0;
        int work = 0;
        if (steering != null)
        {
            nowNs = clock.nanoTime();
            work += steering.expire(nowNs);
        }
        final int frames = port.receive(handler, burstSize);
        if (frames > 0)
        {
            counters.add(portIndex, PortCounter.RX_FRAMES, frames);
            counters.add(portIndex, PortCounter.RX_BYTES, burstBytes);
        }
        return frames + work;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    private boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        burstBytes += length;
        if (length > maxFrameLength)
        {
            counters.drop(portIndex, DropReason.FRAME_TOO_LARGE);
            return true;
        }
        final int offload = port.frameOffload();
        if (offload == ReceiveOffloads.UNSUPPORTED)
        {
            counters.drop(portIndex, DropReason.OFFLOAD_UNSUPPORTED);
            return true;
        }
        if (steering == null)
        {
            return write(workerRings[0], offload, buffer, offset, length);
        }
        return steering.deliver((MutableDirectBuffer)buffer, offset, length, offload, nowNs);
    }

    private boolean write(
        final int worker, final MutableDirectBuffer buffer, final int offset, final int length, final int offload,
        final boolean copied)
    {
        return write(workerRings[worker], offload, buffer, offset, length);
    }

    private boolean write(
        final RingBuffer ring, final int offload, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!ring.write(MessageLayout.frameMsgTypeId(offload), buffer, offset, length))
        {
            counters.drop(portIndex, DropReason.RX_RING_FULL);
            return false;
        }
        return true;
    }
}
