package io.natgate.control.cp;

import org.agrona.ErrorHandler;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The call machinery of the Connectivity Platform: begins calls, makes callbacks on the platform's
 * own threads, and deals with what a callback returns, throws or completes later. A callback that
 * throws or returns no status fails its call and has the session terminated with
 * {@link TerminationReason#PROVIDER_OTHER_FAILURE}; a second completion is counted and reported.
 */
final class CallDispatcher
{
    private static final ThreadLocal<Call> CURRENT_CALL = new ThreadLocal<>();

    /**
     * What the dispatcher needs of the rest of the platform.
     */
    interface Outcomes
    {
        /**
         * A provider broke the dispatch contract on this session: terminate it.
         */
        void onProviderFailure(Session session);

        /**
         * A send-buffers call ended with fewer than the allowed sends pending: the slot's sender may go on.
         */
        void onSendWindowOpen(int slot);
    }

    /**
     * A callback made with the call's completion routine.
     */
    @FunctionalInterface
    interface Callback
    {
        CallStatus call(Completion completion);
    }

    private final PlatformConfig config;
    private final ErrorHandler errorHandler;
    private final Outcomes outcomes;
    private final ExecutorService callbacks;
    private final AtomicLong duplicateCompletions = new AtomicLong();
    private final AtomicLong providerFailures = new AtomicLong();

    CallDispatcher(final PlatformConfig config, final Outcomes outcomes)
    {
        this.config = config;
        this.errorHandler = config.errorHandler();
        this.outcomes = outcomes;
        this.callbacks = Executors.newThreadPerTaskExecutor(config.callbackThreadFactory());
    }

    /**
     * @return the call whose callback this thread is making, or null.
     */
    static Call currentCall()
    {
        return CURRENT_CALL.get();
    }

    /**
     * Begins a call; the caller holds the instance's lock.
     *
     * @return the call, or null once the session is terminated: no new calls after terminate.
     */
    Call beginCall(final Session session, final CallKind kind, final Consumer<CallStatus> continuation)
    {
        if (session.terminationReason != null)
        {
            return null;
        }
        return newCall(session, kind, continuation);
    }

    /**
     * Begins a call even on a terminated session (terminate session itself); the caller holds the instance's lock.
     */
    Call newCall(final Session session, final CallKind kind, final Consumer<CallStatus> continuation)
    {
        final Call call = new Call(session, kind, ++session.callSequence,
            config.nanoClock().nanoTime() + config.callTimeoutNs(), continuation);
        session.calls.add(call);
        if (kind == CallKind.SEND_BUFFERS)
        {
            session.pendingSends.incrementAndGet();
        }
        return call;
    }

    /**
     * Makes a call's callback on this (a platform) thread and deals with what it returns or throws.
     */
    void invoke(final Call call, final Callback callback)
    {
        CallStatus returned = null;
        Throwable thrown = null;
        CURRENT_CALL.set(call);
        try
        {
            returned = callback.call(call);
        }
        catch (final Throwable ex)
        {
            thrown = ex;
        }
        finally
        {
            CURRENT_CALL.remove();
        }

        if (returned == CallStatus.PENDING)
        {
            return;
        }
        if (returned == null)
        {
            providerFailure(new ConnectivityPlatform.ProviderFailureException(
                call + (thrown == null ? " returned no status" : " threw " + thrown), thrown));
            outcomes.onProviderFailure(call.session);
            if (call.completeOnce())
            {
                finish(call, CallStatus.FAILED);
            }
        }
        else if (call.completeOnce())
        {
            finish(call, returned);
        }
        else
        {
            duplicateCompletions.incrementAndGet();
            errorHandler.onError(new ConnectivityPlatform.ProviderFailureException(
                call + " returned " + returned + " after it was completed through its completion routine", null));
        }
    }

    /**
     * Delivers terminate session: it always succeeds, so whatever the provider throws is reported and the
     * termination stands.
     */
    void invokeTermination(final Call delivery, final Runnable callback)
    {
        CURRENT_CALL.set(delivery);
        try
        {
            callback.run();
        }
        catch (final Throwable ex)
        {
            providerFailure(new ConnectivityPlatform.ProviderFailureException(
                delivery + " threw " + ex + "; termination stands", ex));
        }
        finally
        {
            CURRENT_CALL.remove();
        }
        delivery.completeOnce();
        endCall(delivery);
    }

    /**
     * A provider completed a call through its completion routine: the rest runs on a platform thread,
     * so the provider's own thread never re-enters provider code.
     */
    void completeLater(final Call call, final CallStatus status)
    {
        execute(() -> finish(call, status));
    }

    void onDuplicateCompletion(final Call call)
    {
        duplicateCompletions.incrementAndGet();
    }

    /**
     * Runs a task on a platform thread; once closed, on a thread of its own, since a late
     * deregistration still needs its calls to end.
     */
    void execute(final Runnable task)
    {
        try
        {
            callbacks.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            Thread.ofVirtual().name("natgate-cp-late").start(task);
        }
    }

    long duplicateCompletions()
    {
        return duplicateCompletions.get();
    }

    long providerFailures()
    {
        return providerFailures.get();
    }

    void shutdown()
    {
        callbacks.shutdown();
    }

    private void providerFailure(final ConnectivityPlatform.ProviderFailureException failure)
    {
        providerFailures.incrementAndGet();
        errorHandler.onError(failure);
    }

    /**
     * Runs the call's continuation, then ends the call: a call is outstanding until its consequences
     * (the next call begun, a route installed) are in place.
     */
    private void finish(final Call call, final CallStatus status)
    {
        try
        {
            call.continuation.accept(status);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
        finally
        {
            endCall(call);
        }
    }

    private void endCall(final Call call)
    {
        final Instance<?> instance = call.instance;
        instance.lock.lock();
        try
        {
            call.session.calls.remove(call);
            instance.callEnded.signalAll();
        }
        finally
        {
            instance.lock.unlock();
        }
        if (call.kind == CallKind.SEND_BUFFERS && call.session.pendingSends.decrementAndGet() < config.maxPendingSends())
        {
            outcomes.onSendWindowOpen(call.session.slot);
        }
    }
}
