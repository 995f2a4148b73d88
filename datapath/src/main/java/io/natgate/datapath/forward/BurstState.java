package io.natgate.datapath.forward;

import io.natgate.datapath.pipeline.FrameVector;
import org.agrona.MutableDirectBuffer;

/**
 * What the forwarding passes know of each frame of a burst between passes: the next stage it goes
 * to ({@link Next}), where its network header starts and how long that packet is, and the port it
 * leaves by once known; the flow hash of a frame to translate, so it is hashed once.
 */
final class BurstState
{
    final FrameVector frames;
    final int[] next;
    final int[] ipOffset;
    final int[] ipLength;
    final int[] egressPort;
    /** The flow hash the prefetch computed for a frame to translate, or {@link io.natgate.datapath.nat.NatEngine#NO_FLOW_HASH}. */
    final long[] flowHash;

    BurstState(final FrameVector frames)
    {
        this.frames = frames;
        final int capacity = frames.capacity();
        next = new int[capacity];
        ipOffset = new int[capacity];
        ipLength = new int[capacity];
        egressPort = new int[capacity];
        flowHash = new long[capacity];
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
