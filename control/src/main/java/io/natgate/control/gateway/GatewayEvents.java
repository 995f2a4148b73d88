package io.natgate.control.gateway;

import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatEventListener;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's end of the worker's event ring: completes the futures of commands it is
 * waiting on, counts mapping events, and passes every event on to a downstream listener (the
 * journal, when there is one, and the exporters).
 */
final class GatewayEvents implements NatEventListener
{
    private final ConcurrentHashMap<Long, CompletableFuture<CommandCompletion>> pending = new ConcurrentHashMap<>();
    private final AtomicLong mappingEvents = new AtomicLong();
    private final NatEventListener[] downstream;

    GatewayEvents(final NatEventListener... downstream)
    {
        this.downstream = downstream.clone();
    }

    CompletableFuture<CommandCompletion> expect(final long correlationId)
    {
        final CompletableFuture<CommandCompletion> future = new CompletableFuture<>();
        pending.put(correlationId, future);
        return future;
    }

    void forget(final long correlationId)
    {
        pending.remove(correlationId);
    }

    long mappingEvents()
    {
        return mappingEvents.get();
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        mappingEvents.incrementAndGet();
        for (final NatEventListener listener : downstream)
        {
            listener.onMappingCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind);
        }
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEvents.incrementAndGet();
        for (final NatEventListener listener : downstream)
        {
            listener.onMappingExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEvents.incrementAndGet();
        for (final NatEventListener listener : downstream)
        {
            listener.onMappingRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        }
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onSessionCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onSessionRefreshed(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onSessionExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onSessionRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                remoteAddress, remotePort, state);
        }
    }

    public void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
        final CompletableFuture<CommandCompletion> future = pending.remove(correlationId);
        if (future != null)
        {
            future.complete(new CommandCompletion(correlationId, CommandStatus.get(status), publicAddress, publicPort));
        }
        for (final NatEventListener listener : downstream)
        {
            listener.onCommandCompleted(timeNs, correlationId, status, publicAddress, publicPort);
        }
    }

    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onPortBlockAllocated(timeNs, insideAddress, publicAddress, firstPort, lastPort);
        }
    }

    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onPortBlockReleased(timeNs, insideAddress, publicAddress, firstPort, lastPort);
        }
    }

    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onPortBlockInterim(timeNs, insideAddress, publicAddress, firstPort, lastPort);
        }
    }

    public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onQuotaExceeded(timeNs, insideAddress, limit);
        }
    }

    public void onPortsExhausted(final long timeNs, final int publicAddress)
    {
        for (final NatEventListener listener : downstream)
        {
            listener.onPortsExhausted(timeNs, publicAddress);
        }
    }
}
