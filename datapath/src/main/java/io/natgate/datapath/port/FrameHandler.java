package io.natgate.datapath.port;

import org.agrona.DirectBuffer;

/**
 * Receives frames from a port. The buffer is only valid during the call; a handler that
 * keeps a frame copies it.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @return false to stop the port's current receive burst (e.g. the ring downstream is full);
     * the frame passed in this call has been consumed either way.
     */
    boolean onFrame(DirectBuffer buffer, int offset, int length);
}
