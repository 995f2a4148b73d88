package io.natgate.datapath.port;

import org.agrona.DirectBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * A raw-IP port whose far end is a control-plane thread instead of a device: the interface of a
 * traversal provider registered with the Connectivity Platform, or the gateway's local port (the
 * forwarder's {@code ForwarderConfig.localPort}), through which the control plane receives the UDP
 * datagrams addressed to the gateway itself and sends its own. Frames the pipeline transmits wait
 * in a bounded queue for the consumer thread, which {@link #flush()} wakes once per burst
 * ({@link LockSupport#unpark}, no allocation); frames {@link #offer offered} by any thread are
 * what the port receives. The queues are an {@link InMemoryPort}'s, so a full queue is a
 * {@code false} return, counted by the pipeline as a refused frame, never a wait.
 */
public final class ProviderPort implements Port
{
    private final InMemoryPort queues;
    private volatile Thread consumer;
    private boolean transmittedSinceFlush;

    /**
     * @param capacityFrames frames each direction holds before transmits and offers are refused.
     */
    public ProviderPort(final String name, final int mtu, final int capacityFrames)
    {
        queues = new InMemoryPort(name, LinkLayer.RAW_IP, 0, mtu, capacityFrames);
    }

    /**
     * Names the thread that {@link #pollTransmitted polls} the transmitted frames; {@link #flush()}
     * unparks it after frames were transmitted. Null for none.
     */
    public void consumer(final Thread consumer)
    {
        this.consumer = consumer;
    }

    /**
     * Queues an IP packet for the pipeline to receive, as if it had arrived on this interface. Any thread.
     *
     * @return false when the receive queue is full (or the port closed).
     * @throws IllegalArgumentException when the packet is longer than the MTU.
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return queues.offer(buffer, offset, length);
    }

    /**
     * Hands up to {@code limit} transmitted packets to {@code handler}, oldest first. The consumer thread only.
     *
     * @return the number of packets handed over.
     */
    public int pollTransmitted(final FrameHandler handler, final int limit)
    {
        return queues.pollTransmitted(handler, limit);
    }

    /**
     * @return transmitted packets not yet polled.
     */
    public int transmitQueueSize()
    {
        return queues.transmitQueueSize();
    }

    /**
     * @return offered packets not yet received by the pipeline.
     */
    public int receiveQueueSize()
    {
        return queues.receiveQueueSize();
    }

    @Override
    public String name()
    {
        return queues.name();
    }

    @Override
    public LinkLayer linkLayer()
    {
        return LinkLayer.RAW_IP;
    }

    @Override
    public long macAddress()
    {
        return 0;
    }

    @Override
    public int mtu()
    {
        return queues.mtu();
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        return queues.receive(handler, limit);
    }

    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        final boolean queued = queues.transmit(buffer, offset, length);
        transmittedSinceFlush |= queued;
        return queued;
    }

    /**
     * Wakes the consumer when frames were transmitted since the last flush.
     *
     * @return 0: the frames are sent when the consumer polls them.
     */
    @Override
    public int flush()
    {
        if (transmittedSinceFlush)
        {
            transmittedSinceFlush = false;
            final Thread thread = consumer;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
        return 0;
    }

    @Override
    public void close()
    {
        queues.close();
        final Thread thread = consumer;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public String toString()
    {
        return "ProviderPort{" + name() + ", mtu=" + mtu() + '}';
    }
}
