package io.natgate.control.providers;

import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.ProviderPort;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The gateway's own UDP endpoints, for traversal providers: a PCP server on an inside address, a
 * tunnel on the outside address. It owns the forwarder's local port (a {@link ProviderPort}, made
 * before the pipeline like the provider slots): {@link #bind} registers an endpoint with the forwarder,
 * which from then on punts the datagrams addressed to it here, where a receiver thread checks them
 * and hands each to the endpoint's handler; {@link #send} builds an IPv4/UDP packet from one of the
 * gateway's addresses and injects it, and the forwarder sends it out untranslated (resolving the next
 * hop, or to the group MAC for multicast). Sending is thread-safe and never blocks: a full queue is a
 * {@code false} return.
 */
public final class LocalUdp implements AutoCloseable
{
    public static final String PORT_NAME = "local";
    /** The local port's own address: link-local, never on the wire. */
    public static final int PORT_ADDRESS = Ipv4.parse("169.254.63.1");
    public static final int DEFAULT_QUEUE_FRAMES = 4096;
    /** Where a payload starts in the buffer of {@link #scratch()}: after the IPv4 and UDP headers. */
    public static final int PAYLOAD_OFFSET = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH;
    private static final int TTL = 64;
    private static final int MULTICAST_TTL = 1;
    private static final long PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int POLL_LIMIT = 256;

    /**
     * Receives the datagrams addressed to a bound endpoint, on the receiver thread: it must not block
     * (hand work that waits to another thread) and copies what it keeps.
     */
    @FunctionalInterface
    public interface DatagramHandler
    {
        void onDatagram(
            int sourceAddress, int sourcePort, int destinationAddress, int destinationPort, DirectBuffer payload,
            int offset, int length);
    }

    /**
     * A bound endpoint; closing it stops the punting and the deliveries.
     */
    public interface Binding extends AutoCloseable
    {
        @Override
        void close();
    }

    private final ProviderPort port;
    private final PortSettings portSettings;
    private final Map<Long, DatagramHandler> handlers = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch;
    private final AtomicInteger identification = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final FrameHandler receiver = this::onFrame;
    private final Ipv4Packet ip = new Ipv4Packet();
    private volatile Pipeline pipeline;
    private volatile Forwarder[] forwarders;
    private long workerTimeoutNs;
    private ErrorHandler errorHandler;
    private Thread thread;
    private volatile boolean running;

    /**
     * @param portIndex the local port's index in the pipeline (the number of ports before it).
     * @param mtu       the longest packet either way: at least the largest MTU of the gateway's ports.
     */
    public LocalUdp(final int portIndex, final int mtu, final int queueFrames)
    {
        port = new ProviderPort(PORT_NAME, mtu, queueFrames);
        portSettings = new PortSettings(portIndex, PORT_NAME, PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, mtu, PORT_ADDRESS,
            32, 0);
        scratch = ThreadLocal.withInitial(() -> new Scratch(mtu));
    }

    /**
     * @return the port, to append to the pipeline's ports at {@code portIndex}.
     */
    public ProviderPort port()
    {
        return port;
    }

    /**
     * @return its settings, to append to the forwarder's, whose {@code localPort} is {@code portIndex}.
     */
    public PortSettings portSettings()
    {
        return portSettings;
    }

    /**
     * Starts receiving, once the pipeline runs with the forwarders.
     *
     * @param workerTimeoutNs how long a {@link #bind} may wait for each worker.
     * @param forwarders      one per worker: each punts the datagrams to a bound endpoint that reach it.
     */
    public synchronized void start(
        final Pipeline pipeline, final long workerTimeoutNs, final ErrorHandler errorHandler,
        final Forwarder... forwarders)
    {
        if (thread != null)
        {
            throw new IllegalStateException("started already");
        }
        if (pipeline.port(portSettings.index()) != port)
        {
            throw new IllegalArgumentException("pipeline port " + portSettings.index() + " is not " + port.name());
        }
        this.pipeline = pipeline;
        if (forwarders.length != pipeline.workers())
        {
            throw new IllegalArgumentException(forwarders.length + " forwarders for " + pipeline.workers() + " workers");
        }
        this.forwarders = forwarders.clone();
        this.workerTimeoutNs = workerTimeoutNs;
        this.errorHandler = errorHandler;
        running = true;
        thread = Thread.ofPlatform().name("natgate-local-udp").daemon(true).unstarted(this::run);
        port.consumer(thread);
        thread.start();
    }

    /**
     * Binds an endpoint: the forwarder punts datagrams to {@code address:udpPort} arriving on the port
     * with that address, and they go to {@code handler}. Returns once the worker has the endpoint.
     *
     * @throws IllegalStateException    when not started, the endpoint is bound already, the forwarder's
     *                                  endpoint table is full or the worker did not answer.
     * @throws IllegalArgumentException when no port of the gateway has the address.
     */
    public Binding bind(final int address, final int udpPort, final DatagramHandler handler)
    {
        final Pipeline pipeline = this.pipeline;
        if (pipeline == null)
        {
            throw new IllegalStateException("local UDP not started");
        }
        final long key = key(address, udpPort);
        if (handlers.putIfAbsent(key, handler) != null)
        {
            throw new IllegalStateException(endpoint(address, udpPort) + " is bound already");
        }
        final boolean added;
        try
        {
            final Forwarder[] each = forwarders;
            added = pipeline.callOnEveryWorker(worker -> each[worker].addLocalEndpoint(address, udpPort),
                workerTimeoutNs);
        }
        catch (final RuntimeException ex)
        {
            handlers.remove(key);
            throw ex.getCause() instanceof IllegalArgumentException cause ? cause : ex;
        }
        if (!added)
        {
            handlers.remove(key);
            throw new IllegalStateException("the forwarder's local endpoint table is full; " +
                endpoint(address, udpPort) + " not bound");
        }
        return () -> unbind(address, udpPort, handler);
    }

    private void unbind(final int address, final int udpPort, final DatagramHandler handler)
    {
        if (handlers.remove(key(address, udpPort), handler))
        {
            try
            {
                final Forwarder[] each = forwarders;
                pipeline.callOnEveryWorker(worker -> each[worker].removeLocalEndpoint(address, udpPort),
                    workerTimeoutNs);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex); // the pipeline is stopping; punted datagrams find no handler
            }
        }
    }

    /**
     * @return the calling thread's buffer to write a payload into, at {@link #PAYLOAD_OFFSET}, for
     * {@link #sendScratch}: the headers go before it, so the payload is not copied twice.
     */
    public UnsafeBuffer scratch()
    {
        return scratch.get().buffer;
    }

    /**
     * Sends a datagram from one of the gateway's addresses. Any thread; never blocks.
     *
     * @return false when the local port's queue is full or the datagram exceeds its MTU.
     */
    public boolean send(
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final DirectBuffer payload, final int offset, final int length)
    {
        final UnsafeBuffer buffer = scratch.get().buffer;
        if (PAYLOAD_OFFSET + length > buffer.capacity())
        {
            refused.incrementAndGet();
            return false;
        }
        buffer.putBytes(PAYLOAD_OFFSET, payload, offset, length);
        return sendScratch(sourceAddress, sourcePort, destinationAddress, destinationPort, length);
    }

    /**
     * Sends the payload the calling thread wrote into {@link #scratch()} at {@link #PAYLOAD_OFFSET}.
     *
     * @return false when the local port's queue is full or the datagram exceeds its MTU.
     */
    public boolean sendScratch(
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final int payloadLength)
    {
        final Scratch thread = scratch.get();
        final UnsafeBuffer buffer = thread.buffer;
        final int length = PAYLOAD_OFFSET + payloadLength;
        if (length > buffer.capacity())
        {
            refused.incrementAndGet();
            return false;
        }
        final boolean multicast = (destinationAddress & 0xF000_0000) == 0xE000_0000;
        thread.ip.writeHeader(0, length, identification.incrementAndGet() & 0xFFFF, 0, multicast ? MULTICAST_TTL : TTL,
            Ipv4Packet.PROTO_UDP, sourceAddress, destinationAddress);
        final UdpDatagram udp = thread.udp;
        udp.writeHeader(sourcePort, destinationPort, UdpDatagram.HEADER_LENGTH + payloadLength);
        final int checksum = Checksums.l4Checksum(buffer, Ipv4Packet.MIN_HEADER_LENGTH,
            UdpDatagram.HEADER_LENGTH + payloadLength, sourceAddress, destinationAddress, Ipv4Packet.PROTO_UDP);
        udp.checksum(checksum == 0 ? 0xFFFF : checksum);
        if (!port.offer(buffer, 0, length))
        {
            refused.incrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * @return datagrams handed to a handler.
     */
    public long received()
    {
        return received.get();
    }

    /**
     * @return punted packets dropped: malformed, a bad checksum, or no handler bound.
     */
    public long dropped()
    {
        return dropped.get();
    }

    /**
     * @return datagrams {@link #send} refused (queue full, too long).
     */
    public long refused()
    {
        return refused.get();
    }

    /**
     * Stops the receiver thread. The bindings are the providers' to close, before this.
     */
    @Override
    public void close()
    {
        final Thread receiverThread;
        synchronized (this)
        {
            running = false;
            receiverThread = thread;
        }
        if (receiverThread != null)
        {
            port.consumer(null);
            LockSupport.unpark(receiverThread);
            try
            {
                receiverThread.join(1_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run()
    {
        while (running)
        {
            try
            {
                if (port.pollTransmitted(receiver, POLL_LIMIT) == 0)
                {
                    LockSupport.parkNanos(this, PARK_NS);
                }
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * A packet the forwarder punted: an unfragmented IPv4/UDP datagram to a bound endpoint, checked here.
     */
    private boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap((MutableDirectBuffer)buffer, offset);
        final int headerLength = ip.headerLength();
        final int udpOffset = offset + headerLength;
        final int udpLength = length - headerLength;
        if (udpLength < UdpDatagram.HEADER_LENGTH ||
            (buffer.getShort(udpOffset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF) != udpLength)
        {
            dropped.incrementAndGet();
            return true;
        }
        final int source = ip.sourceAddress();
        final int destination = ip.destinationAddress();
        if (buffer.getShort(udpOffset + UdpDatagram.CHECKSUM_OFFSET) != 0 &&
            Checksums.l4Checksum(buffer, udpOffset, udpLength, source, destination, Ipv4Packet.PROTO_UDP) != 0)
        {
            dropped.incrementAndGet();
            return true;
        }
        final int sourcePort = buffer.getShort(udpOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int destinationPort = buffer.getShort(udpOffset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final DatagramHandler handler = handlers.get(key(destination, destinationPort));
        if (handler == null)
        {
            dropped.incrementAndGet();
            return true;
        }
        received.incrementAndGet();
        try
        {
            handler.onDatagram(source, sourcePort, destination, destinationPort, buffer,
                udpOffset + UdpDatagram.HEADER_LENGTH, udpLength - UdpDatagram.HEADER_LENGTH);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
        return true;
    }

    /**
     * A sending thread's packet buffer and the flyweights over its headers.
     */
    private static final class Scratch
    {
        final UnsafeBuffer buffer;
        final Ipv4Packet ip = new Ipv4Packet();
        final UdpDatagram udp = new UdpDatagram();

        Scratch(final int mtu)
        {
            buffer = new UnsafeBuffer(new byte[mtu]);
            ip.wrap(buffer, 0);
            udp.wrap(buffer, Ipv4Packet.MIN_HEADER_LENGTH);
        }
    }

    private static long key(final int address, final int udpPort)
    {
        return (address & 0xFFFF_FFFFL) << 16 | udpPort;
    }

    private static String endpoint(final int address, final int udpPort)
    {
        return Ipv4.toString(address) + ":" + udpPort;
    }

    @Override
    public String toString()
    {
        return "LocalUdp{" + handlers.size() + " endpoints, received " + received + ", dropped " + dropped +
            ", refused " + refused + '}';
    }
}
