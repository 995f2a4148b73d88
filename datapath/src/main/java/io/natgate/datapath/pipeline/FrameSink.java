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
}
