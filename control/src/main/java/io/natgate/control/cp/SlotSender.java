package io.natgate.control.cp;

import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.ProviderPort;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends what the datapath routes to one interface slot: polls the slot's port whenever its flush
 * wakes this thread, groups the packets by route and makes a send-buffers call per group, with at
 * most {@link PlatformConfig#maxPendingSends()} pending (beyond it packets wait in the port's
 * queue, and the datapath counts what it refuses).
 */
final class SlotSender implements Runnable
{
    private static final long PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long JOIN_MS = 1_000;

    private final int slot;
    private final ProviderPort port;
    private final AtomicReferenceArray<Session> slotSessions;
    private final PlatformConfig config;
    private final ErrorHandler errorHandler;
    private final CallDispatcher calls;
    private final Thread thread;
    private final List<ByteBuffer> polled = new ArrayList<>();
    private final FrameHandler copier = this::copy;
    private volatile boolean running = true;

    SlotSender(
        final int slot, final ProviderPort port, final AtomicReferenceArray<Session> slotSessions,
        final PlatformConfig config, final CallDispatcher calls)
    {
        this.slot = slot;
        this.port = port;
        this.slotSessions = slotSessions;
        this.config = config;
        this.errorHandler = config.errorHandler();
        this.calls = calls;
        this.thread = Thread.ofPlatform().name("natgate-cp-tx-" + port.name()).daemon(true).unstarted(this);
    }

    void start()
    {
        port.consumer(thread);
        thread.start();
    }

    void wake()
    {
        LockSupport.unpark(thread);
    }

    void stop()
    {
        running = false;
        port.consumer(null);
        wake();
        try
        {
            thread.join(JOIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public void run()
    {
        while (running)
        {
            final Session bound = slotSessions.get(slot);
            if (bound != null && !bound.terminated && bound.pendingSends.get() >= config.maxPendingSends())
            {
                LockSupport.parkNanos(this, PARK_NS);
                continue;
            }
            if (port.pollTransmitted(copier, config.sendBatchFrames()) == 0)
            {
                LockSupport.parkNanos(this, PARK_NS);
                continue;
            }
            try
            {
                send(slotSessions.get(slot), polled);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
            finally
            {
                polled.clear();
            }
        }
    }

    private boolean copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] packet = new byte[length];
        buffer.getBytes(offset, packet);
        polled.add(ByteBuffer.wrap(packet).asReadOnlyBuffer());
        return true;
    }

    private void send(final Session session, final List<ByteBuffer> packets)
    {
        if (session == null || !session.active || session.terminated)
        {
            if (session != null)
            {
                session.instance.packetsDropped.addAndGet(packets.size());
            }
            return;
        }
        final Route[] routes = session.routes;
        Route current = null;
        List<ByteBuffer> group = null;
        for (final ByteBuffer packet : packets)
        {
            final Route route = packet.remaining() < ConnectivityPlatform.MIN_IPV4_HEADER ? null :
                Route.lookup(routes, packet.getInt(16));
            if (route == null)
            {
                session.instance.packetsDropped.incrementAndGet();
                continue;
            }
            if (route != current)
            {
                if (group != null)
                {
                    sendGroup(session, current, group);
                }
                current = route;
                group = new ArrayList<>();
            }
            group.add(packet);
        }
        if (group != null)
        {
            sendGroup(session, current, group);
        }
    }

    private void sendGroup(final Session session, final Route route, final List<ByteBuffer> packets)
    {
        final Instance<?> instance = session.instance;
        final int count = packets.size();
        final Call call;
        instance.lock.lock();
        try
        {
            call = calls.beginCall(session, CallKind.SEND_BUFFERS, status ->
                (status == CallStatus.SUCCESS ? instance.packetsSent : instance.packetsDropped).addAndGet(count));
        }
        finally
        {
            instance.lock.unlock();
        }
        if (call == null)
        {
            instance.packetsDropped.addAndGet(count);
            return;
        }
        final List<ByteBuffer> view = Collections.unmodifiableList(packets);
        calls.invoke(call, completion -> instance.sendBuffers(session.localTransportId, route.transportId(), view,
            completion));
    }
}
