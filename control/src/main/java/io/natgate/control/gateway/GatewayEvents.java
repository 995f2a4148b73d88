package io.natgate.control.gateway;

import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatEventListener;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's end of the worker's event ring: completes the futures of commands it is
 * waiting on, counts mapping events, and passes every event on to a downstream listener (the
 * journal, when there is one).
 */
final class GatewayEvents implements NatEventListener
{
    private final ConcurrentHashMap<Long, CompletableFuture<CommandCompletion>> pending = new ConcurrentHashMap<>();
    private final AtomicLong mappingEvents = new AtomicLong();
    private final NatEventListener downstream;

    GatewayEvents(final NatEventListener downstream)
    {
        this.downstream = downstream;
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
        downstream.onMappingCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind);
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEvents.incrementAndGet();
        downstream.onMappingExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEvents.incrementAndGet();
        downstream.onMappingRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        downstream.onSessionCreated(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        downstream.onSessionRefreshed(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        downstream.onSessionExpired(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        downstream.onSessionRemoved(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    public void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
        final CompletableFuture<CommandCompletion> future = pending.remove(correlationId);
        if (future != null)
        {
            future.complete(new CommandCompletion(correlationId, CommandStatus.get(status), publicAddress, publicPort));
        }
        downstream.onCommandCompleted(timeNs, correlationId, status, publicAddress, publicPort);
    }
}
