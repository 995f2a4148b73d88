package io.natgate.datapath.port;

import io.natgate.bindings.afxdp.XdpSocket;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.afxdp.XdpUmem;
import io.natgate.bindings.afxdp.XskRing;
import io.natgate.datapath.frame.PartialChecksum;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * An Ethernet port on one queue of a Linux interface through an AF_XDP socket (libxdp), the
 * kernel-bypass backend. Frames are received where the kernel (copy mode) or the NIC (zero-copy
 * mode) put them in the UMEM and handed over in place, with the kernel's 256 bytes of headroom
 * before each; {@link #receiveHeld} keeps their chunks until {@link #releaseReceived()} gives them
 * back to the fill ring, so a run-to-completion worker processes a whole burst where it lies.
 * AF_XDP carries no checksum metadata, so a TCP/UDP checksum that a local sender with checksum
 * offload (a veth peer) left partial is completed in place first ({@link PartialChecksum}): without
 * it the frame would leave natgate with a checksum its receiver refuses. A transmitted frame is
 * copied once into a free chunk and its descriptor queued on the tx ring; {@link #flush()}
 * publishes the burst and kicks the kernel. A full tx ring or no free chunk makes
 * {@link #transmit} return false.
 * <p>
 * Ports opened together with {@link #openShared} share one UMEM. A frame one of them holds is then
 * sent on another (or on itself) by passing its UMEM address from the first's rx ring to the
 * second's tx ring, with no copy in natgate: the sender gives the receiver a free chunk of its own,
 * which goes to the receiver's fill ring in the frame's place on release, and gets the frame's
 * chunk back from its completion ring. That needs the receive of one and the transmit of the other
 * on the same thread (run-to-completion), which is how a held frame can be transmitted at all;
 * anything else is copied. {@link #forwardedInPlace()} and {@link #copied()} count the two.
 * <p>
 * Each port keeps {@code fillRingSize} chunks for receiving and {@code txRingSize} for sending. One
 * thread receives (rx and fill rings) and one transmits (tx and completion rings).
 */
public final class AfXdpPort implements Port
{
    /** Copy mode sends a batch (32 frames) per kick; this bounds one flush's system calls. */
    private static final int MAX_KICKS_PER_FLUSH = 64;

    private final String name;
    private final XdpSocket socket;
    private final Shared shared;
    private final UnsafeBuffer umem;
    private final long umemAddress;
    private final long umemBytes;
    private final long chunkMask;
    private final int chunkShift;
    private final int frameSizeBytes;
    private final int maxFrameLength;
    private final XskRing rx;
    private final XskRing fill;
    private final XskRing tx;
    private final XskRing completion;
    private final long[] txFree;
    private int txFreeCount;
    /** Chunks of the frames {@link #receiveHeld} handed over and not yet released, in order. */
    private final long[] held;
    private int heldCount;
    private int txPending;
    private long framesReceived;
    private long forwardedInPlace;
    private long copied;
    private long checksumsCompleted;
    private boolean closed;

    /** A chunk no port holds as a received frame. */
    private static final long NOT_HELD = -2;
    /** A chunk a port holds as a received frame, to go back to its fill ring on release. */
    private static final long HELD = -1;

    /**
     * What ports on one UMEM share: the UMEM, and per chunk whether a port holds it as a received
     * frame ({@link #HELD}), the chunk a sending port gave in exchange for it (>= 0), or
     * {@link #NOT_HELD}. An entry is written only by the thread that receives into that chunk and,
     * for a frame sent in place, by the transmit it calls (the same thread).
     */
    private static final class Shared
    {
        private final XdpUmem umem;
        private final long[] exchange;
        private int openPorts;

        Shared(final XdpUmem umem)
        {
            this.umem = umem;
            this.exchange = new long[umem.frameCount()];
            java.util.Arrays.fill(exchange, NOT_HELD);
        }
    }

    private AfXdpPort(final String name, final XdpSocket socket, final Shared shared, final UnsafeBuffer umem,
        final XdpSocketOptions options, final long firstChunk)
    {
        this.name = name;
        this.socket = socket;
        this.shared = shared;
        this.umem = umem;
        this.umemAddress = umem.addressOffset();
        this.umemBytes = umem.capacity();
        this.frameSizeBytes = options.frameSizeBytes();
        this.chunkMask = ~((long)frameSizeBytes - 1);
        this.chunkShift = Integer.numberOfTrailingZeros(frameSizeBytes);
        this.maxFrameLength = Math.min(LinkLayer.ETHERNET.maxFrameLength(socket.mtu()), options.maxFrameLength());
        this.rx = socket.rx();
        this.fill = socket.fill();
        this.tx = socket.tx();
        this.completion = socket.completion();

        long chunk = firstChunk;
        final long first = fill.reserve(options.fillRingSize());
        for (int i = 0; i < options.fillRingSize(); i++)
        {
            fill.putAddress(first + i, chunk);
            chunk += frameSizeBytes;
        }
        fill.submit();
        this.held = new long[options.fillRingSize()];
        this.txFree = new long[options.txRingSize()];
        for (int i = 0; i < txFree.length; i++)
        {
            txFree[txFreeCount++] = chunk;
            chunk += frameSizeBytes;
        }
    }

    /**
     * Opens a port with a UMEM of its own; MAC address and MTU are the interface's. Open it in the
     * interface's network namespace.
     *
     * @throws io.natgate.bindings.linux.LinuxException with the system's text (EPERM, ENODEV, ...).
     * @throws IllegalArgumentException for bad settings, naming the setting.
     * @throws io.natgate.bindings.NativeLibraryUnavailableException saying what to install.
     */
    public static AfXdpPort open(final String name, final XdpSocketOptions options)
    {
        return openShared(List.of(name), List.of(options)).getFirst();
    }

    /**
     * Opens ports (an interface's queues among them, one socket each) that share one UMEM, so frames
     * pass between them without a copy when one thread drives them all. The UMEM has the chunks of
     * every port's {@code umemFrameCount} together.
     *
     * @param options one per port, all with the same frame size.
     */
    public static List<AfXdpPort> openShared(final List<String> names, final List<XdpSocketOptions> options)
    {
        if (names.isEmpty() || names.size() != options.size())
        {
            throw new IllegalArgumentException("one XdpSocketOptions per port name: " + names.size() + " names, " +
                options.size() + " options");
        }
        long frames = 0;
        for (final XdpSocketOptions portOptions : options)
        {
            if (portOptions.frameSizeBytes() != options.getFirst().frameSizeBytes())
            {
                throw new IllegalArgumentException("ports sharing a UMEM need one frameSizeBytes " +
                    options.getFirst().frameSizeBytes() + ": frameSizeBytes=" + portOptions.frameSizeBytes());
            }
            frames += portOptions.umemFrameCount();
        }
        final XdpUmem umem = XdpUmem.create(options.getFirst().copy()
            .umemFrameCount((int)Math.min(Integer.MAX_VALUE, frames)), 1);
        final Shared shared = new Shared(umem);
        final UnsafeBuffer view = new UnsafeBuffer(umem.area().address(), (int)umem.area().byteSize());
        final List<AfXdpPort> ports = new ArrayList<>(names.size());
        long nextChunk = 0;
        try
        {
            for (int i = 0; i < names.size(); i++)
            {
                final XdpSocketOptions portOptions = options.get(i);
                final long needed = nextChunk + (long)portOptions.framesPerSocket() * umem.frameSizeBytes();
                if (needed > umem.area().byteSize())
                {
                    throw new IllegalArgumentException("umemFrameCount must hold fillRingSize + txRingSize frames of " +
                        "every port sharing it: umemFrameCount=" + umem.frameCount());
                }
                final XdpSocket socket = XdpSocket.open(umem, portOptions);
                shared.openPorts++;
                ports.add(new AfXdpPort(names.get(i), socket, shared, view, portOptions, nextChunk));
                nextChunk = needed;
            }
            return ports;
        }
        catch (final RuntimeException ex)
        {
            ports.forEach(AfXdpPort::close);
            if (shared.openPorts == 0)
            {
                umem.close();
            }
            throw ex;
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return LinkLayer.ETHERNET;
    }

    @Override
    public long macAddress()
    {
        return socket.macAddress();
    }

    @Override
    public int mtu()
    {
        return socket.mtu();
    }

    /**
     * Hands up to {@code limit} received frames to {@code handler} where they lie in the UMEM, then
     * gives their chunks (or the chunks given in exchange for frames sent on in place) back to the
     * fill ring.
     */
    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        final int received = receiveHeld(handler, limit);
        releaseReceived();
        return received;
    }

    @Override
    public boolean holdsReceivedFrames()
    {
        return true;
    }

    /**
     * Hands up to {@code limit} received frames to {@code handler} where they lie in the UMEM; their
     * chunks stay this port's, the frames valid and writable (with the kernel's headroom before
     * each), until {@link #releaseReceived()}.
     */
    @Override
    public int receiveHeld(final FrameHandler handler, final int limit)
    {
        final int available = rx.peek(Math.min(limit, held.length - heldCount));
        if (available == 0)
        {
            if (fill.needsWakeup())
            {
                socket.wakeFill();
            }
            return 0;
        }
        final long first = rx.peekIndex();
        final long[] exchange = shared.exchange;
        int received = 0;
        while (received < available)
        {
            final long index = first + received;
            final long address = rx.descriptorAddress(index);
            final int length = rx.descriptorLength(index);
            received++;
            final long chunk = address & chunkMask;
            held[heldCount++] = chunk;
            exchange[(int)(chunk >>> chunkShift)] = HELD;
            if (PartialChecksum.complete(umem, (int)address, length))
            {
                checksumsCompleted++;
            }
            if (!handler.onFrame(umem, (int)address, length))
            {
                break;
            }
        }
        rx.release(received); // the descriptors are read; the chunks stay held
        framesReceived += received;
        return received;
    }

    /**
     * Gives the held frames' chunks back to the fill ring: a frame sent on in place stays where it
     * is, on the sender's tx ring, and the chunk the sender gave for it goes in its stead.
     */
    @Override
    public void releaseReceived()
    {
        final int count = heldCount;
        if (count == 0)
        {
            return;
        }
        // Cannot fail: this port's fill ring, rx ring and held frames hold fillRingSize chunks between them.
        final long slot = fill.reserve(count);
        final long[] exchange = shared.exchange;
        for (int i = 0; i < count; i++)
        {
            final long chunk = held[i];
            final int chunkIndex = (int)(chunk >>> chunkShift);
            final long given = exchange[chunkIndex];
            fill.putAddress(slot + i, given >= 0 ? given : chunk);
            exchange[chunkIndex] = NOT_HELD;
        }
        heldCount = 0;
        fill.submit();
        if (fill.needsWakeup())
        {
            socket.wakeFill();
        }
    }

    /**
     * Queues one frame on the tx ring: in place when it is a frame a port on the same UMEM holds now
     * (received on this thread and not yet released) and not already sent, else copied into a free
     * chunk. It leaves with the next {@link #flush()}.
     *
     * @return false when the tx ring is full, no chunk is free, or the frame is longer than the MTU allows.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxFrameLength || length <= 0)
        {
            return false;
        }
        final long chunk = popFreeChunk();
        if (chunk < 0)
        {
            return false;
        }
        final long slot = tx.reserve(1);
        if (slot < 0)
        {
            txFree[txFreeCount++] = chunk;
            return false;
        }
        final long umemOffset = buffer.addressOffset() + offset - umemAddress;
        final int chunkIndex = (int)(umemOffset >>> chunkShift);
        if (umemOffset >= 0 && umemOffset < umemBytes && buffer.byteArray() == null &&
            shared.exchange[chunkIndex] == HELD && ((umemOffset + length - 1) & chunkMask) == (umemOffset & chunkMask))
        {
            // The frame stays where it was received; the port holding it refills with our chunk.
            shared.exchange[chunkIndex] = chunk;
            tx.putDescriptor(slot, umemOffset, length);
            forwardedInPlace++;
        }
        else
        {
            umem.putBytes((int)chunk, buffer, offset, length);
            tx.putDescriptor(slot, chunk, length);
            copied++;
        }
        txPending++;
        return true;
    }

    /**
     * Publishes the queued frames to the kernel, kicks it when it asks (in copy mode it sends a batch
     * per kick, so it is kicked until it has taken the tx ring or answers busy), and takes back the
     * chunks of frames it has sent.
     *
     * @return the frames published by this call.
     */
    @Override
    public int flush()
    {
        final int published = txPending;
        if (published > 0)
        {
            tx.submit();
            txPending = 0;
        }
        int outstanding = tx.outstanding();
        for (int kicks = 0; kicks < MAX_KICKS_PER_FLUSH && outstanding > 0 && tx.needsWakeup(); kicks++)
        {
            final boolean accepted = socket.kickTx();
            final int before = outstanding;
            outstanding = tx.outstanding();
            if (!accepted && outstanding == before)
            {
                break;
            }
        }
        reapCompletions();
        return published;
    }

    /**
     * XDP_STATISTICS: frames dropped because the rx or fill ring was full or empty, or that did not
     * fit a chunk; tx descriptors the kernel refused.
     */
    @Override
    public PortStats stats(final PortStats into)
    {
        socket.updateStatistics();
        return into.set(socket.rxRingFull() + socket.rxFillRingEmpty() + socket.rxDropped(), 0,
            socket.txInvalidDescriptors());
    }

    /**
     * @return frames this socket has received.
     */
    public long received()
    {
        return framesReceived;
    }

    /**
     * @return frames sent on from another port's rx ring without a copy.
     */
    public long forwardedInPlace()
    {
        return forwardedInPlace;
    }

    /**
     * @return received frames whose partial TCP/UDP checksum (a local sender's checksum offload) was completed.
     */
    public long checksumsCompleted()
    {
        return checksumsCompleted;
    }

    /**
     * @return frames copied into a chunk to be sent.
     */
    public long copied()
    {
        return copied;
    }

    public XdpSocket socket()
    {
        return socket;
    }

    /**
     * Deletes the socket; the last port of a UMEM frees it, and the interface's last socket takes
     * the XDP program away.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            socket.close();
        }
        finally
        {
            if (--shared.openPorts == 0)
            {
                shared.umem.close();
            }
        }
    }

    /**
     * @return how the socket is bound, for the log: queue, copy or zero-copy, where the program runs,
     * and the id of a program an earlier run left that opening replaced.
     */
    public String describe()
    {
        final int replaced = socket.replacedProgramId();
        return "queue " + socket.queueId() + ", " + (socket.isZeroCopy() ? "zero-copy" : "copy") + " mode, XDP program " +
            socket.attached().configName() + (replaced == 0 ? "" : ", replaced XDP program id " + replaced +
            " left by an earlier run");
    }

    @Override
    public String toString()
    {
        return "AfXdpPort{" + name + " on " + socket.interfaceName() + ", " + describe() + '}';
    }

    private long popFreeChunk()
    {
        if (txFreeCount == 0)
        {
            reapCompletions();
            if (txFreeCount == 0)
            {
                return -1;
            }
        }
        return txFree[--txFreeCount];
    }

    private void reapCompletions()
    {
        final int done = completion.peek(txFree.length - txFreeCount);
        if (done == 0)
        {
            return;
        }
        final long first = completion.peekIndex();
        for (int i = 0; i < done; i++)
        {
            txFree[txFreeCount++] = completion.address(first + i) & chunkMask;
        }
        completion.release(done);
    }
}
