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
}
