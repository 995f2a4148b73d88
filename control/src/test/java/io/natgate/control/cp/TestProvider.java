package io.natgate.control.cp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A provider that records every callback and behaves per callback as told: succeed, fail, pend
 * (complete later through {@link #completePending}), throw, return no status, or block until released.
 * By default it completes its pending calls at once when terminated, as a provider must.
 */
final class TestProvider implements ProviderDispatch<String>
{
    enum Mode
    {
        SUCCEED, FAIL, PEND, THROW, RETURN_NULL, BLOCK
    }

    /**
     * One callback as it arrived: which, with what context, and its call's registration and sequence number.
     */
    record Arrival(CallKind kind, String context, int registration, long sequence, String thread)
    {
    }

    final Map<CallKind, Mode> modes = new ConcurrentHashMap<>();
    final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    final List<TerminationReason> terminations = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Completion> pending = new ConcurrentLinkedQueue<>();
    final List<TransportId> addedTransportIds = new CopyOnWriteArrayList<>();
    final List<TransportId> reachedTransportIds = new CopyOnWriteArrayList<>();
    final List<byte[]> sentPackets = new CopyOnWriteArrayList<>();
    final List<TransportId> sentTo = new CopyOnWriteArrayList<>();
    final List<Throwable> completionErrors = new CopyOnWriteArrayList<>();
    final List<Completion> completions = new CopyOnWriteArrayList<>();
    final CountDownLatch released = new CountDownLatch(1);
    volatile boolean completePendingOnTerminate = true;
    volatile boolean establishReturned;
    volatile boolean terminatedBeforeEstablishReturned;
    volatile Consumer<ProviderInstance> onTerminate = instance -> {};
    volatile BiConsumer<ProviderInstance, CallKind> onCall = (instance, kind) -> {};

    TestProvider mode(final CallKind kind, final Mode mode)
    {
        modes.put(kind, mode);
        return this;
    }

    /**
     * Completes every pending call, as a provider does at once after terminate.
     *
     * @return how many it completed.
     */
    int completePending(final CallStatus status)
    {
        int completed = 0;
        Completion completion;
        while ((completion = pending.poll()) != null)
        {
            try
            {
                completion.complete(status);
                completed++;
            }
            catch (final RuntimeException ex)
            {
                completionErrors.add(ex);
            }
        }
        return completed;
    }

    void release()
    {
        released.countDown();
    }

    List<CallKind> kinds()
    {
        return arrivals.stream().map(Arrival::kind).toList();
    }

    long count(final CallKind kind)
    {
        return arrivals.stream().filter(arrival -> arrival.kind == kind).count();
    }

    public void establishSession(final ProviderInstance instance, final String context)
    {
        record(instance, CallKind.ESTABLISH_SESSION, context);
        final Mode mode = modes.getOrDefault(CallKind.ESTABLISH_SESSION, Mode.SUCCEED);
        if (mode == Mode.BLOCK)
        {
            awaitRelease();
        }
        establishReturned = true;
        if (mode == Mode.THROW)
        {
            throw new IllegalStateException("test provider fails establishSession");
        }
    }

    public CallStatus transitionActive(final ProviderInstance instance, final String context, final Completion completion)
    {
        return respond(instance, CallKind.TRANSITION_ACTIVE, context, completion);
    }

    public CallStatus addTransportId(
        final ProviderInstance instance, final String context, final TransportId transportId, final Completion completion)
    {
        addedTransportIds.add(transportId);
        return respond(instance, CallKind.ADD_TRANSPORT_ID, context, completion);
    }

    public CallStatus reachTransportId(
        final ProviderInstance instance, final String context, final TransportId transportId, final Completion completion)
    {
        reachedTransportIds.add(transportId);
        return respond(instance, CallKind.REACH_TRANSPORT_ID, context, completion);
    }

    public CallStatus sendBuffers(
        final ProviderInstance instance, final String context, final TransportId localTransportId,
        final TransportId remoteTransportId, final List<ByteBuffer> packets, final Completion completion)
    {
        for (final ByteBuffer packet : packets)
        {
            final byte[] copy = new byte[packet.remaining()];
            packet.get(packet.position(), copy);
            sentPackets.add(copy);
            sentTo.add(remoteTransportId);
        }
        return respond(instance, CallKind.SEND_BUFFERS, context, completion);
    }

    public void terminateSession(final ProviderInstance instance, final String context, final TerminationReason reason)
    {
        terminatedBeforeEstablishReturned |= !establishReturned;
        record(instance, CallKind.TERMINATE_SESSION, context);
        terminations.add(reason);
        if (completePendingOnTerminate)
        {
            completePending(CallStatus.FAILED);
        }
        onTerminate.accept(instance);
        if (modes.get(CallKind.TERMINATE_SESSION) == Mode.THROW)
        {
            throw new IllegalStateException("test provider fails terminateSession");
        }
    }

    private CallStatus respond(
        final ProviderInstance instance, final CallKind kind, final String context, final Completion completion)
    {
        record(instance, kind, context);
        completions.add(completion);
        return switch (modes.getOrDefault(kind, Mode.SUCCEED))
        {
            case SUCCEED -> CallStatus.SUCCESS;
            case FAIL -> CallStatus.FAILED;
            case PEND ->
            {
                if (completePendingOnTerminate && !terminations.isEmpty())
                {
                    yield CallStatus.FAILED; // arrived after terminate: complete it at once
                }
                pending.add(completion);
                yield CallStatus.PENDING;
            }
            case THROW -> throw new IllegalStateException("test provider fails " + kind.callbackName());
            case RETURN_NULL -> null;
            case BLOCK ->
            {
                awaitRelease();
                yield CallStatus.SUCCESS;
            }
        };
    }

    private void record(final ProviderInstance instance, final CallKind kind, final String context)
    {
        final Call call = ConnectivityPlatform.currentCall();
        arrivals.add(new Arrival(kind, context, call.session.number, call.sequence, Thread.currentThread().getName()));
        onCall.accept(instance, kind);
    }

    private void awaitRelease()
    {
        try
        {
            released.await(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return arrivals of one registration that came with a sequence above its terminate's: calls begun after it.
     */
    List<Arrival> callsBegunAfterTerminate()
    {
        final List<Arrival> late = new ArrayList<>();
        for (final Arrival terminate : arrivals)
        {
            if (terminate.kind == CallKind.TERMINATE_SESSION)
            {
                arrivals.stream()
                    .filter(arrival -> arrival.registration == terminate.registration &&
                        arrival.kind != CallKind.TERMINATE_SESSION && arrival.sequence > terminate.sequence)
                    .forEach(late::add);
            }
        }
        return late;
    }
}
