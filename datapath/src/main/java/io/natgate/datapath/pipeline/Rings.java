package io.natgate.datapath.pipeline;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * How the pipeline allocates and reads its Agrona rings.
 */
public final class Rings
{
    private Rings()
    {
    }

    /**
     * @param capacityBytes the ring's data capacity, a power of two; the trailer is added on top.
     * @return a cache-line aligned off-heap buffer for a ring.
     */
    public static UnsafeBuffer allocate(final int capacityBytes)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
    }

    /**
     * Reads up to {@code limit} messages. One Agrona read stops where the ring wraps (and reads
     * none when only the padding before the wrap is left), so a second read continues from the start.
     *
     * @return the number of messages read.
     */
    public static int read(final RingBuffer ring, final MessageHandler handler, final int limit)
    {
        final int read = ring.read(handler, limit);
        return read < limit ? read + ring.read(handler, limit - read) : read;
    }
}
