package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatEngine;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Delivers a port's received frames to the workers {@link FrameSteering} names, the loop the rx agents and
 * the run-to-completion workers share: a frame to its worker, an ARP reply to every worker, a later fragment
 * held until its first is steered and then delivered (behind that frame's link header) where the first went,
 * one that can be neither steered nor held dropped with the steering's reason on the port.
 */
final class SteeredDelivery
{
    /**
     * Where a steered frame goes.
     */
    @FunctionalInterface
    interface Destination
    {
        /**
         * @param copied true for a frame that does not lie where it was received (a released fragment, in a
         *               scratch buffer overwritten by the next): keep it only by copying it.
         * @return false when it could not be delivered (counted by the destination).
         */
        boolean deliver(int worker, MutableDirectBuffer buffer, int offset, int length, int offload, boolean copied);
    }

    private final FrameSteering steering;
    private final int portIndex;
    private final boolean rawIp;
    private final int workers;
    private final DatapathCounters counters;
    private final Destination destination;
    private final UnsafeBuffer released;

    /**
     * @param counters where drops the steering decides are counted, on {@code portIndex}.
     */
    SteeredDelivery(
        final FrameSteering steering,
        final int portIndex,
        final boolean rawIp,
        final int workers,
        final int maxFrameLength,
        final DatapathCounters counters,
        final Destination destination)
    {
        this.steering = steering;
        this.portIndex = portIndex;
        this.rawIp = rawIp;
        this.workers = workers;
        this.counters = counters;
        this.destination = destination;
        this.released = new UnsafeBuffer(new byte[maxFrameLength + EthernetHeaders.MAX_LENGTH]);
    }

    /**
     * Steers a received frame and delivers it, and the later fragments it released.
     *
     * @return false when its worker could not take it.
     */
    boolean deliver(
        final MutableDirectBuffer buffer, final int offset, final int length, final int offload, final long nowNs)
    {
        return steer(buffer, offset, length, offload, false, nowNs);
    }

    /**
     * Drops held fragments past their time.
     *
     * @return the amount of work done.
     */
    int expire(final long nowNs)
    {
        return steering.expire(nowNs);
    }

    private boolean steer(
        final MutableDirectBuffer buffer, final int offset, final int length, final int offload, final boolean copied,
        final long nowNs)
    {
        final int worker = steering.worker(buffer, offset, length, portIndex, rawIp, nowNs);
        if (worker >= 0)
        {
            final boolean delivered = destination.deliver(worker, buffer, offset, length, offload, copied);
            if (!copied && delivered && steering.hasReleased())
            {
                deliverReleased(buffer, offset, nowNs);
            }
            return delivered;
        }
        if (worker == FrameSteering.ALL_WORKERS)
        {
            boolean delivered = true;
            for (int each = 0; each < workers; each++)
            {
                delivered &= destination.deliver(each, buffer, offset, length, offload, copied);
            }
            return delivered;
        }
        if (worker != FrameSteering.HELD)
        {
            counters.drop(portIndex, NatEngine.dropReason(worker));
        }
        return true;
    }

    /**
     * The later fragments that waited for the one just steered, each behind that frame's link header.
     */
    private void deliverReleased(final MutableDirectBuffer frame, final int offset, final long nowNs)
    {
        final int linkLength = rawIp ? 0 : EthernetHeaders.length(frame, offset);
        final UnsafeBuffer released = this.released;
        released.putBytes(0, frame, offset, linkLength);
        int ipLength;
        while ((ipLength = steering.pollReleased(released, linkLength)) > 0)
        {
            steer(released, 0, linkLength + ipLength, 0, true, nowNs);
        }
    }
}
