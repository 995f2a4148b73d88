package io.natgate.datapath.port;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port with no wire, for tests and the demo: frames {@link #offer offered} by any thread are
 * what the port receives; frames it transmits are captured and {@link #pollTransmitted polled}
 * by one thread. Each direction is an Agrona ring buffer bounded to a number of frames, so the
 * port is safe between the test's threads and the pipeline's agents, and a full capture makes
 * {@link #transmit} return false like a busy device. Like a real device it carries frames up to
 * its MTU plus link header (an Ethernet header with one VLAN tag) and refuses to transmit longer ones.
 */
public final class InMemoryPort implements Port
{
    /** Default number of frames each direction holds. */
    public static final int DEFAULT_CAPACITY_FRAMES = 1024;
    public static final int DEFAULT_MTU = 1500;

    private static final int MSG_TYPE_ID = 1;

    private final String name;
    private final LinkLayer linkLayer;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final int capacityFrames;
    private final RingBuffer received;
    private final RingBuffer transmitted;
    private final AtomicInteger receivedQueued = new AtomicInteger();
    private final AtomicInteger transmittedQueued = new AtomicInteger();
    private final FrameHandlerAdapter receiveAdapter = new FrameHandlerAdapter();
    private final FrameHandlerAdapter pollAdapter = new FrameHandlerAdapter();
    private volatile boolean closed;

    /**
     * @param macAddress     low 48 bits; must be 0 for a {@link LinkLayer#RAW_IP} port.
     * @param capacityFrames frames each direction holds before offers and transmits are refused.
     */
    public InMemoryPort(
        final String name, final LinkLayer linkLayer, final long macAddress, final int mtu, final int capacityFrames)
    {
        if (LinkLayer.RAW_IP == linkLayer && 0 != macAddress)
        {
            throw new IllegalArgumentException("a raw IP port has no MAC address");
        }
        if (0 != (macAddress >>> 48))
        {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(macAddress));
        }
        if (mtu < 68 || mtu > 0xFFFF)
        {
            throw new IllegalArgumentException("MTU outside 68..65535: " + mtu);
        }
        if (capacityFrames < 1)
        {
            throw new IllegalArgumentException("capacity below one frame: " + capacityFrames);
        }
        this.name = name;
        this.linkLayer = linkLayer;
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.maxFrameLength = linkLayer.maxFrameLength(mtu);
        this.capacityFrames = capacityFrames;
        final int ringCapacity = ringCapacity(capacityFrames, maxFrameLength);
        this.received = new ManyToOneRingBuffer(ringBuffer(ringCapacity));
        this.transmitted = new OneToOneRingBuffer(ringBuffer(ringCapacity));
    }

    /**
     * @return an Ethernet port with the default MTU and capacity.
     */
    public static InMemoryPort ethernet(final String name, final long macAddress)
    {
        return new InMemoryPort(name, LinkLayer.ETHERNET, macAddress, DEFAULT_MTU, DEFAULT_CAPACITY_FRAMES);
    }

    /**
     * @return a raw IP port with the default MTU and capacity.
     */
    public static InMemoryPort rawIp(final String name)
    {
        return new InMemoryPort(name, LinkLayer.RAW_IP, 0, DEFAULT_MTU, DEFAULT_CAPACITY_FRAMES);
    }

    /**
     * Queues a frame for the port to receive. Any thread.
     *
     * @return false when the receive queue is full (or the port closed).
     * @throws IllegalArgumentException when the frame is longer than {@link #maxFrameLength()}.
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxFrameLength)
        {
            throw new IllegalArgumentException(
                "frame of " + length + " bytes longer than " + name + " carries: " + maxFrameLength);
        }
        return !closed && enqueue(received, receivedQueued, buffer, offset, length);
    }

    /**
     * Queues a frame for the port to receive (allocates a wrapper: for tests). Any thread.
     *
     * @return false when the receive queue is full (or the port closed).
     */
    public boolean offer(final byte[] frame)
    {
        return offer(new UnsafeBuffer(frame), 0, frame.length);
    }

    /**
     * Hands up to {@code limit} transmitted frames to {@code handler}, oldest first. One thread.
     *
     * @return the number of frames handed over.
     */
    public int pollTransmitted(final FrameHandler handler, final int limit)
    {
        final int frames = pollAdapter.read(transmitted, handler, limit);
        transmittedQueued.addAndGet(-frames);
        return frames;
    }

    /**
     * The oldest transmitted frame as a new array (allocates: for tests). One thread.
     *
     * @return the frame, or null when none is waiting.
     */
    public byte[] pollTransmitted()
    {
        final byte[][] frame = new byte[1][];
        pollTransmitted(
            (buffer, offset, length) ->
            {
                frame[0] = new byte[length];
                buffer.getBytes(offset, frame[0]);
                return true;
            },
            1);
        return frame[0];
    }

    /**
     * @return offered frames not yet received.
     */
    public int receiveQueueSize()
    {
        return receivedQueued.get();
    }

    /**
     * @return transmitted frames not yet polled.
     */
    public int transmitQueueSize()
    {
        return transmittedQueued.get();
    }

    /**
     * @return frames each direction holds.
     */
    public int capacityFrames()
    {
        return capacityFrames;
    }

    /**
     * @return the longest frame the port carries: the MTU plus, for Ethernet, a header with one VLAN tag.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return linkLayer;
    }

    @Override
    public long macAddress()
    {
        return macAddress;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }
        final int frames = receiveAdapter.read(received, handler, limit);
        receivedQueued.addAndGet(-frames);
        return frames;
    }

    /**
     * @return false when the capture is full, the frame is longer than the MTU plus link header, or the port is closed.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        return !closed && length <= maxFrameLength && enqueue(transmitted, transmittedQueued, buffer, offset, length);
    }

    @Override
    public void close()
    {
        closed = true;
    }

    @Override
    public String toString()
    {
        return "InMemoryPort{" + name + ", " + linkLayer + ", mtu=" + mtu + '}';
    }

    private boolean enqueue(
        final RingBuffer ring, final AtomicInteger queued, final DirectBuffer buffer, final int offset, final int length)
    {
        if (queued.incrementAndGet() > capacityFrames)
        {
            queued.decrementAndGet();
            return false;
        }
        // The ring is sized so that it has room whenever the count does; checked all the same.
        if (!ring.write(MSG_TYPE_ID, buffer, offset, length))
        {
            queued.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * @return a ring capacity that holds {@code capacityFrames} frames of the longest length, even
     * after the padding a record can leave before the ring wraps, and takes a message of that length.
     */
    private static int ringCapacity(final int capacityFrames, final int maxFrameLength)
    {
        final long recordLength = BitUtil.align(maxFrameLength + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        final long bytes = Math.max((capacityFrames + 1L) * recordLength + RecordDescriptor.HEADER_LENGTH,
            8L * maxFrameLength);
        if (bytes > 1 << 30)
        {
            throw new IllegalArgumentException(capacityFrames + " frames of " + maxFrameLength + " bytes is too many");
        }
        return BitUtil.findNextPositivePowerOfTwo((int)bytes);
    }

    private static UnsafeBuffer ringBuffer(final int capacityBytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /**
     * Reads a ring into a {@link FrameHandler}, stopping after the frame for which it returns false.
     */
    private static final class FrameHandlerAdapter implements ControlledMessageHandler
    {
        private FrameHandler handler;

        int read(final RingBuffer ring, final FrameHandler handler, final int limit)
        {
            this.handler = handler;
            try
            {
                return ring.controlledRead(this, limit);
            }
            finally
            {
                this.handler = null;
            }
        }

        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            return handler.onFrame(buffer, index, length) ? Action.CONTINUE : Action.BREAK;
        }
    }
}
