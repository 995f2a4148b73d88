package io.natgate.control.providers;

import io.natgate.control.cp.CallStatus;
import io.natgate.control.cp.Completion;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.ProviderDispatch;
import io.natgate.control.cp.ProviderInstance;
import io.natgate.control.cp.RegisterOptions;
import io.natgate.control.cp.Registration;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.cp.TransportId;
import org.agrona.ErrorHandler;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A traversal provider's instance on the Connectivity Platform, and the lifecycle every provider
 * shares: create the instance once, {@link #register} it (keeping its interface id across sessions),
 * become active when the platform adds the local transport id, and on terminate session, whatever the
 * reason, clean up ({@link #onTerminated}) and deregister from the provider's own control thread (never
 * from inside the callback), then register again when {@link #reregisterAfter} says so; {@link #close}
 * deregisters and destroys the instance exactly once.
 * <p>
 * Each provider has one control thread, the single writer of its state: registration, timers, and the
 * work callbacks hand over through {@link #onControlThread}. Callbacks that only read return at once.
 */
public abstract class TraversalProvider implements ProviderDispatch<Void>, AutoCloseable
{
    /** How long a failed registration waits before the next try. */
    protected static final long REGISTER_RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    protected final ConnectivityPlatform platform;
    protected final String name;
    protected final Consumer<String> log;
    protected final ErrorHandler errorHandler;
    private final ScheduledExecutorService control;

    // control thread (the instance, made once, read by any)
    private volatile ProviderInstance instance;
    private long interfaceId;
    private boolean registered;
    private boolean destroyed;
    // written on the control thread, read by callbacks
    private volatile int session;
    private volatile TransportId localTransportId;
    private volatile boolean active;
    private volatile boolean closing;

    /**
     * @param name the interface's friendly name and the control thread's.
     * @param log  where the provider says what it does, one line at a time.
     */
    protected TraversalProvider(
        final ConnectivityPlatform platform, final String name, final Consumer<String> log,
        final ErrorHandler errorHandler)
    {
        this.platform = platform;
        this.name = name;
        this.log = log;
        this.errorHandler = errorHandler;
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("natgate-" + name).daemon(true).factory());
        // on close, what is due still runs (the close itself); timers and later steps are dropped
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        control = executor;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return the instance, null until first registered. For tests and logs.
     */
    public ProviderInstance instance()
    {
        return instance;
    }

    /**
     * @return whether the session is active: the platform added the local transport id and has not terminated it.
     */
    public boolean isActive()
    {
        return active;
    }

    /**
     * @return the local transport id of the active session, null when none.
     */
    protected TransportId localTransportId()
    {
        return localTransportId;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lifecycle, on the control thread
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Runs a task on the control thread; what it throws goes to the error handler.
     *
     * @return false when the provider is closed.
     */
    protected final boolean onControlThread(final Runnable task)
    {
        try
        {
            control.execute(() -> runReporting(task));
            return true;
        }
        catch (final RejectedExecutionException closed)
        {
            return false;
        }
    }

    /**
     * Runs a task on the control thread after a delay, or every {@code periodNs} when that is positive.
     *
     * @return the scheduled task, or null when the provider is closed.
     */
    protected final ScheduledFuture<?> schedule(final Runnable task, final long delayNs, final long periodNs)
    {
        try
        {
            return periodNs > 0 ?
                control.scheduleAtFixedRate(() -> runReporting(task), delayNs, periodNs, TimeUnit.NANOSECONDS) :
                control.schedule(() -> runReporting(task), delayNs, TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException closed)
        {
            return null;
        }
    }

    /**
     * Creates the instance if need be and registers it, keeping the interface of an earlier session; a
     * refused registration is tried again after {@link #REGISTER_RETRY_NS}. Control thread.
     */
    protected final void register()
    {
        if (closing || registered)
        {
            return;
        }
        if (instance == null)
        {
            instance = platform.createInstance(this, null);
        }
        session++; // before register: the platform's first callbacks may come before it returns
        final Registration registration = platform.register(instance,
            RegisterOptions.defaults().friendlyName(name).interfaceId(interfaceId));
        if (registration.isRegistered())
        {
            registered = true;
            interfaceId = registration.interfaceId();
        }
        else
        {
            log.accept(name + ": not registered (" + registration.status() + "), trying again");
            schedule(this::register, REGISTER_RETRY_NS, 0);
        }
    }

    /**
     * @return whether the instance is registered (its session may be terminated and not yet deregistered). Control
     * thread.
     */
    protected final boolean isRegistered()
    {
        return registered;
    }

    /**
     * The session became active. Control thread.
     */
    protected void onActive()
    {
    }

    /**
     * The session ended (its termination's reason, or {@link TerminationReason#PROVIDER_REQUEST} when the
     * provider closes): release everything it held. Control thread, before deregistering.
     */
    protected abstract void onTerminated(TerminationReason reason);

    /**
     * @return whether to register again, after {@link #REGISTER_RETRY_NS}, once a session ended for this reason.
     */
    protected boolean reregisterAfter(final TerminationReason reason)
    {
        return reason != TerminationReason.PLATFORM_SHUTDOWN;
    }

    /**
     * Releases what the provider holds beyond its sessions (bindings, timers). Control thread, last.
     */
    protected void onClose()
    {
    }

    private void afterTermination(final int terminatedSession, final TerminationReason reason)
    {
        if (!registered || terminatedSession != session)
        {
            return;
        }
        endSession(reason);
        if (!closing && reregisterAfter(reason))
        {
            schedule(this::register, REGISTER_RETRY_NS, 0);
        }
    }

    private void endSession(final TerminationReason reason)
    {
        active = false;
        localTransportId = null;
        try
        {
            onTerminated(reason);
        }
        finally
        {
            platform.deregister(instance);
            registered = false;
        }
    }

    /**
     * Ends the session, deregistering (the platform then delivers terminate session with provider request),
     * destroys the instance and stops the control thread. Idempotent.
     */
    @Override
    public void close()
    {
        closing = true;
        if (!onControlThread(() ->
        {
            if (registered)
            {
                endSession(TerminationReason.PROVIDER_REQUEST);
            }
            if (instance != null && !destroyed)
            {
                destroyed = true;
                platform.destroy(instance);
            }
            onClose();
        }))
        {
            return;
        }
        control.shutdown();
        try
        {
            if (!control.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                errorHandler.onError(new IllegalStateException(name + ": control thread still busy after " +
                    CLOSE_TIMEOUT_MS + " ms"));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void runReporting(final Runnable task)
    {
        try
        {
            task.run();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The dispatch table: what every provider does the same way
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public void establishSession(final ProviderInstance instance, final Void context)
    {
    }

    @Override
    public CallStatus transitionActive(final ProviderInstance instance, final Void context, final Completion completion)
    {
        return CallStatus.SUCCESS;
    }

    @Override
    public final CallStatus addTransportId(
        final ProviderInstance instance, final Void context, final TransportId transportId, final Completion completion)
    {
        localTransportId = transportId;
        active = true;
        final int activated = session;
        onControlThread(() ->
        {
            if (registered && activated == session && active)
            {
                onActive();
            }
        });
        return CallStatus.SUCCESS;
    }

    @Override
    public final void terminateSession(final ProviderInstance instance, final Void context, final TerminationReason reason)
    {
        active = false;
        final int terminated = session;
        onControlThread(() -> afterTermination(terminated, reason));
    }
}
