package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.port.Port;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Drains one port's tx ring in bursts into {@link Port#transmit}, then flushes the port. A
 * frame the port refuses is retried once after a flush (a bursting port may only be full of
 * queued frames), then dropped as {@link DropReason#TX_PORT_REFUSED}. Writes the port's tx
 * counters and that drop reason.
 * <p>
 * With several workers each writes its own ring to the port (single writer, no compare-and-swap on the
 * fast path; a flow's frames come from one worker, so they stay in order), and this agent reads a burst
 * from each in turn.
 */
public final class TxAgent implements Agent
{
    private final Port port;
    private final int portIndex;
    private final RingBuffer[] txRings;
    private final DatapathCounters counters;
    private final int burstSize;
    private final String roleName;
    private final MessageHandler handler = this::onFrame;
    private long burstFrames;
    private long burstBytes;

    public TxAgent(
        final PipelineConfig config,
        final Port port,
        final int portIndex,
        final RingBuffer txRing,
        final DatapathCounters counters)
    {
        this(config, port, portIndex, new RingBuffer[]{txRing}, counters);
    }

    /**
     * @param txRings per worker, its ring to this port.
     */
    public TxAgent(
        final PipelineConfig config,
        final Port port,
        final int portIndex,
        final RingBuffer[] txRings,
        final DatapathCounters counters)
    {
        this.port = port;
        this.portIndex = portIndex;
        this.txRings = txRings.clone();
        this.counters = counters;
        this.burstSize = config.burstSize();
        this.roleName = "natgate-tx-" + port.name();
    }

    @Override
    public int doWork()
    {
        burstFrames = 0;
        burstBytes = 0;
        int frames = 0;
        for (final RingBuffer txRing : txRings)
        {
            frames += Rings.read(txRing, handler, burstSize);
        }
        if (frames > 0)
        {
            port.flush();
            if (burstFrames > 0)
            {
                counters.add(portIndex, PortCounter.TX_FRAMES, burstFrames);
                counters.add(portIndex, PortCounter.TX_BYTES, burstBytes);
            }
        }
        return frames;
    }

    @Override
    public void onClose()
    {
        port.flush();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    private void onFrame(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int offload = MessageLayout.frameOffload(msgTypeId);
        boolean sent = port.transmit(buffer, index, length, offload);
        if (!sent)
        {
            port.flush();
            sent = port.transmit(buffer, index, length, offload);
        }

        if (sent)
        {
            burstFrames++;
            burstBytes += length;
        }
        else
        {
            counters.drop(portIndex, DropReason.TX_PORT_REFUSED);
        }
    }
}
