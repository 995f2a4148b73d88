package io.natgate.datapath.port;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.util.List;

/**
 * One gateway port on several queues of an interface: an {@link AfXdpPort} (one AF_XDP socket) per
 * queue, all on the UMEM they were opened on. A multi-queue NIC spreads flows over its queues (RSS),
 * and a frame arrives only on the socket of its queue, so every queue needs one. Received frames
 * come from each queue in turn, a burst at most from all together, and stay held until
 * {@link #releaseReceived()} as {@link AfXdpPort} holds them; what is transmitted leaves on the
 * first queue's socket. A worker of the many-worker design owns one queue: {@link #queues()} gives
 * them to it.
 */
public final class AfXdpQueues implements Port
{
    private final String name;
    private final AfXdpPort[] queues;
    private final AfXdpPort transmitter;
    private int nextQueue;
    private boolean closed;

    /**
     * @param queues the sockets on the interface's queues, opened together with
     *               {@link AfXdpPort#openShared}; closed with this port.
     */
    public AfXdpQueues(final String name, final List<AfXdpPort> queues)
    {
        if (queues.isEmpty())
        {
            throw new IllegalArgumentException("port " + name + ": no queues");
        }
        this.name = name;
        this.queues = queues.toArray(AfXdpPort[]::new);
        this.transmitter = this.queues[0];
        for (final AfXdpPort queue : this.queues)
        {
            if (!queue.socket().interfaceName().equals(transmitter.socket().interfaceName()))
            {
                throw new IllegalArgumentException("port " + name + ": queues of one interface, not " +
                    transmitter.socket().interfaceName() + " and " + queue.socket().interfaceName());
            }
        }
    }

    /**
     * @return the sockets, one per queue, in the order given.
     */
    public List<AfXdpPort> queues()
    {
        return List.of(queues);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return LinkLayer.ETHERNET;
    }

    @Override
    public long macAddress()
    {
        return transmitter.macAddress();
    }

    @Override
    public int mtu()
    {
        return transmitter.mtu();
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        final int received = receiveHeld(handler, limit);
        releaseReceived();
        return received;
    }

    @Override
    public boolean holdsReceivedFrames()
    {
        return true;
    }

    /**
     * Up to {@code limit} frames from the queues together, starting each call one queue further on so
     * that a busy queue does not starve the others.
     */
    @Override
    public int receiveHeld(final FrameHandler handler, final int limit)
    {
        final AfXdpPort[] queues = this.queues;
        final int count = queues.length;
        final int start = nextQueue;
        nextQueue = start + 1 == count ? 0 : start + 1;
        int received = 0;
        for (int i = 0; i < count && received < limit; i++)
        {
            final int queue = start + i < count ? start + i : start + i - count;
            received += queues[queue].receiveHeld(handler, limit - received);
        }
        return received;
    }

    @Override
    public void releaseReceived()
    {
        for (final AfXdpPort queue : queues)
        {
            queue.releaseReceived();
        }
    }

    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        return transmitter.transmit(buffer, offset, length);
    }

    @Override
    public int flush()
    {
        return transmitter.flush();
    }

    /**
     * The queues' {@code XDP_STATISTICS} summed.
     */
    @Override
    public PortStats stats(final PortStats into)
    {
        long rxDropped = 0;
        long txFailed = 0;
        for (final AfXdpPort queue : queues)
        {
            queue.stats(into);
            rxDropped += into.rxDropped();
            txFailed += into.txFailed();
        }
        return into.set(rxDropped, 0, txFailed);
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.closeAll(queues);
        }
    }

    @Override
    public String toString()
    {
        return "AfXdpQueues{" + name + " on " + transmitter.socket().interfaceName() + ", " + queues.length +
            " queues}";
    }
}
