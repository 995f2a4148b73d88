package io.natgate.datapath.pipeline;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Rings and frames for pipeline tests.
 */
final class TestRings
{
    private TestRings()
    {
    }

    static RingBuffer oneToOne(final int capacityBytes)
    {
        return new OneToOneRingBuffer(Rings.allocate(capacityBytes));
    }

    static RingBuffer manyToOne(final int capacityBytes)
    {
        return new ManyToOneRingBuffer(Rings.allocate(capacityBytes));
    }

    /**
     * @return a frame of {@code length} bytes whose first 8 bytes are {@code sequence} and the rest a pattern of it.
     */
    static byte[] frame(final long sequence, final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)(sequence * 31 + i);
        }
        new UnsafeBuffer(frame).putLong(0, sequence);
        return frame;
    }

    static boolean write(final RingBuffer ring, final byte[] frame)
    {
        return ring.write(MessageLayout.FRAME_MSG_TYPE_ID, new UnsafeBuffer(frame), 0, frame.length);
    }

    /**
     * @return every frame on the ring, oldest first, consuming them.
     */
    static List<byte[]> drain(final RingBuffer ring)
    {
        final List<byte[]> frames = new ArrayList<>();
        final MessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(index, frame);
            frames.add(frame);
        };
        Rings.read(ring, handler, Integer.MAX_VALUE);
        return frames;
    }
}
