package io.natgate.datapath.forward;

import io.natgate.datapath.pipeline.FrameVector;
import org.agrona.MutableDirectBuffer;

/**
 * What the forwarding passes know of each frame of a burst between passes: the next stage it goes
 * to ({@link Next}), where its network header starts and how long that packet is, and the port it
 * leaves by once known.
 */
final class BurstState
{
    final FrameVector frames;
    final int[] next;
    final int[] ipOffset;
    final int[] ipLength;
    final int[] egressPort;

    BurstState(final FrameVector frames)
    {
        this.frames = frames;
        final int capacity = frames.capacity();
        next = new int[capacity];
        ipOffset = new int[capacity];
        ipLength = new int[capacity];
        egressPort = new int[capacity];
    }

    int size()
    {
        return frames.size();
    }

    MutableDirectBuffer buffer(final int i)
    {
        return frames.buffer(i);
    }

    int ingressPort(final int i)
    {
        return frames.ingressPort(i);
    }
}
