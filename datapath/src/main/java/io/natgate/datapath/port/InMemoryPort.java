package io.natgate.datapath.port;

import io.natgate.datapath.frame.EthernetFrame;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * A port with no wire, for tests and the demo: frames {@link #offer offered} by any thread are
 * what the port receives; frames it transmits are captured and {@link #pollTransmitted polled}
 * by one thread. Both directions are bounded Agrona ring buffers, so the port is safe between
 * the test's threads and the pipeline's agents, and a full capture makes {@link #transmit}
 * return false like a busy device. Like a real device it refuses to transmit a frame longer
 * than its MTU plus link header.
 */
public final class InMemoryPort implements Port
{
    /** Default bytes of frames each direction holds. */
    public static final int DEFAULT_CAPACITY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MTU = 1500;

    private static final int MSG_TYPE_ID = 1;

    private final String name;
    private final LinkLayer linkLayer;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final RingBuffer received;
    private final RingBuffer transmitted;
    private final FrameHandlerAdapter receiveAdapter = new FrameHandlerAdapter();
    private final FrameHandlerAdapter pollAdapter = new FrameHandlerAdapter();
    private volatile boolean closed;

    /**
     * @param macAddress    low 48 bits; must be 0 for a {@link LinkLayer#RAW_IP} port.
     * @param capacityBytes bytes of frames each direction holds (8 bytes of record header each, 8-byte aligned);
     *                      a power of two of at least 1024.
     */
    public InMemoryPort(
        final String name, final LinkLayer linkLayer, final long macAddress, final int mtu, final int capacityBytes)
    {
        if (LinkLayer.RAW_IP == linkLayer && 0 != macAddress)
        {
            throw new IllegalArgumentException("a raw IP port has no MAC address");
        }
        if (0 != (macAddress >>> 48))
        {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(macAddress));
        }
        if (mtu < 68)
        {
            throw new IllegalArgumentException("MTU below the IPv4 minimum of 68: " + mtu);
        }
        this.name = name;
        this.linkLayer = linkLayer;
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.maxFrameLength = mtu +
            (LinkLayer.ETHERNET == linkLayer ? EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH : 0);
        this.received = new ManyToOneRingBuffer(ringBuffer(capacityBytes));
        this.transmitted = new OneToOneRingBuffer(ringBuffer(capacityBytes));
    }

    /**
     * @return an Ethernet port with the default MTU and capacity.
     */
    public static InMemoryPort ethernet(final String name, final long macAddress)
    {
        return new InMemoryPort(name, LinkLayer.ETHERNET, macAddress, DEFAULT_MTU, DEFAULT_CAPACITY_BYTES);
    }

    /**
     * @return a raw IP port with the default MTU and capacity.
     */
    public static InMemoryPort rawIp(final String name)
    {
        return new InMemoryPort(name, LinkLayer.RAW_IP, 0, DEFAULT_MTU, DEFAULT_CAPACITY_BYTES);
    }

    /**
     * Queues a frame for the port to receive. Any thread.
     *
     * @return false when the receive queue is full (or the port closed).
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return !closed && received.write(MSG_TYPE_ID, buffer, offset, length);
    }

    /**
     * Queues a frame for the port to receive. Any thread.
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
        return pollAdapter.read(transmitted, handler, limit);
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
     * @return true when no offered frame is waiting to be received.
     */
    public boolean isReceiveQueueEmpty()
    {
        return 0 == received.size();
    }

    /**
     * @return true when no transmitted frame is waiting to be polled.
     */
    public boolean isTransmitQueueEmpty()
    {
        return 0 == transmitted.size();
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
        return closed ? 0 : receiveAdapter.read(received, handler, limit);
    }

    /**
     * @return false when the capture is full, the frame is longer than the MTU plus link header, or the port is closed.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        return !closed && length <= maxFrameLength && transmitted.write(MSG_TYPE_ID, buffer, offset, length);
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
