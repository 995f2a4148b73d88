package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.offload.ReceiveOffloads;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Receives bursts from one port into that port's rx ring to the worker. Never blocks and
 * never throws for traffic: a frame larger than the pipeline's slots is dropped as
 * {@link DropReason#FRAME_TOO_LARGE}; when the ring is full the frame is dropped as
 * {@link DropReason#RX_RING_FULL} and the burst stops, leaving later frames in the port's own
 * buffer until the worker catches up. A frame's offload state rides in its message type id; an
 * aggregate of a kind the datapath cannot translate is dropped as {@link DropReason#OFFLOAD_UNSUPPORTED}.
 * Writes the port's rx counters and those drop reasons.
 */
public final class RxAgent implements Agent
{
    private final Port port;
    private final int portIndex;
    private final RingBuffer rxRing;
    private final DatapathCounters counters;
    private final int burstSize;
    private final int maxFrameLength;
    private final String roleName;
    private final FrameHandler handler = this::onFrame;
    private long burstBytes;

    public RxAgent(
        final PipelineConfig config,
        final Port port,
        final int portIndex,
        final RingBuffer rxRing,
        final DatapathCounters counters)
    {
        this.port = port;
        this.portIndex = portIndex;
        this.rxRing = rxRing;
        this.counters = counters;
        this.burstSize = config.burstSize();
        this.maxFrameLength = config.maxFrameLength();
        this.roleName = "natgate-rx-" + port.name();
    }

    @Override
    public int doWork()
    {
        burstBytes = 0;
        final int frames = port.receive(handler, burstSize);
        if (frames > 0)
        {
            counters.add(portIndex, PortCounter.RX_FRAMES, frames);
            counters.add(portIndex, PortCounter.RX_BYTES, burstBytes);
        }
        return frames;
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
        if (!rxRing.write(MessageLayout.frameMsgTypeId(offload), buffer, offset, length))
        {
            counters.drop(portIndex, DropReason.RX_RING_FULL);
            return false;
        }
        return true;
    }
}
