package io.natgate.datapath.pipeline;

import org.agrona.DirectBuffer;

/**
 * Where the frame processor puts frames to transmit: the transmit ring of a port.
 */
@FunctionalInterface
public interface FrameSink
{
    /**
     * @return false when the port's transmit ring is full; the frame is then dropped and counted.
     */
    boolean send(int portIndex, DirectBuffer buffer, int offset, int length);

    /**
     * Sends a frame with its {@link io.natgate.datapath.offload.Offload} state: the egress port
     * finishes a checksum-partial frame or an aggregate, or the worker does it in software for a
     * port that cannot. A sink that knows nothing of offloads sends the frame as it is.
     *
     * @return false when the port's transmit ring is full; the frame is then dropped and counted.
     */
    default boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length,
        final int offload)
    {
        return send(portIndex, buffer, offset, length);
    }

    /**
     * Hands a hairpinned IPv4 packet, its source translated, to the worker that owns its destination
     * ({@link io.natgate.datapath.nat.NatEngine#HANDOFF}); that worker's processor finishes it
     * ({@link FrameProcessor#processHandoff}). A sink of a single worker never hands off.
     *
     * @return false when the target's handoff ring is full (the caller counts the drop) or there is no such worker.
     */
    default boolean handoff(
        final int worker, final DirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final int offload)
    {
        return false;
    }
}
