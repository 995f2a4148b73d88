package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.port.ProviderPort;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Connectivity Platform: traversal providers plug in here and become interfaces of the
 * gateway's datapath. A provider {@link #createInstance creates} an instance with its dispatch
 * table and user context, {@link #register registers} it, and from then on the platform calls it:
 * establish session, transition active, add its local transport id, then, for each prefix the
 * gateway {@link #addRoute routes} to it, reach transport id; outbound packets the datapath routes
 * to the instance's interface go to send buffers, and packets the provider
 * {@link #indicateReceivedBuffers indicates} enter the datapath as received on that interface.
 * <p>
 * Rules kept here (DESIGN.md, the terminate-session indication):
 * <ul>
 *   <li>terminate is delivered exactly once per registration, never before establish session returned;</li>
 *   <li>after it the platform begins no call; calls begun before may still arrive and must be completed at once;</li>
 *   <li>{@link #deregister} terminates first if the session is open (reason provider request), and returns
 *       only when every call of the registration, terminate included, has completed; called from inside a
 *       callback of the same instance it fails at once instead of waiting for itself;</li>
 *   <li>{@link #destroy} exactly once, after deregister if the instance was registered; a deregistered
 *       instance may be registered again;</li>
 *   <li>a callback that throws fails its call and terminates with provider other failure; a call not
 *       completed within {@link PlatformConfig#callTimeoutNs()} terminates with provider timeout;
 *       {@link #close} terminates every instance with platform shutdown.</li>
 * </ul>
 * Callbacks run on the platform's threads (a thread per call, and per interface a sender thread
 * for send buffers), never on the datapath's, which only meets the platform through the
 * {@link ProviderPort} queues and route changes applied between bursts: the gateway keeps
 * forwarding whatever a provider does.
 */
public final class ConnectivityPlatform implements AutoCloseable
{
    static final int MIN_IPV4_HEADER = 20;

    private final PlatformConfig config;
    private final ProviderDatapath datapath;
    private final ProviderEventListener events;
    private final ErrorHandler errorHandler;
    private final InstanceRegistry registry;
    private final SessionStateMachine sessions;
    private final CallDispatcher calls;
    private final ScheduledExecutorService timeoutChecker;
    private final SlotSender[] senders;
    private final AtomicReferenceArray<Session> slotSessions;

    /**
     * Starts the platform's threads: a sender per interface slot and, unless the interval is 0, the
     * timeout checker.
     */
    public ConnectivityPlatform(
        final PlatformConfig config, final ProviderDatapath datapath, final ProviderEventListener events)
    {
        this.config = config.validate();
        this.datapath = datapath;
        this.events = events;
        this.errorHandler = config.errorHandler();
        this.registry = new InstanceRegistry(datapath);
        final int slots = datapath.slotCount();
        slotSessions = new AtomicReferenceArray<>(slots);
        senders = new SlotSender[slots];
        sessions = new SessionStateMachine(config, datapath, events, senders);
        calls = sessions.calls();
        for (int slot = 0; slot < slots; slot++)
        {
            senders[slot] = new SlotSender(slot, datapath.port(slot), slotSessions, config, calls);
            senders[slot].start();
        }
        if (config.timeoutCheckIntervalNs() > 0)
        {
            timeoutChecker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("natgate-cp-timeouts").daemon(true).factory());
            timeoutChecker.scheduleAtFixedRate(this::checkTimeoutsReportingErrors, config.timeoutCheckIntervalNs(),
                config.timeoutCheckIntervalNs(), TimeUnit.NANOSECONDS);
        }
        else
        {
            timeoutChecker = null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Calls the provider makes
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Creates a provider instance.
     *
     * @param dispatch    the callbacks the platform makes to it.
     * @param userContext given back on every callback; may be null.
     * @throws IllegalStateException when the platform is closed.
     */
    public <C> ProviderInstance createInstance(final ProviderDispatch<C> dispatch, final C userContext)
    {
        Objects.requireNonNull(dispatch, "dispatch");
        final Instance<C> instance = registry.create(this, dispatch, userContext);
        instance.lock.lock();
        try
        {
            events.onInstanceCreated(nowEpochNs(), instance.id());
        }
        finally
        {
            instance.lock.unlock();
        }
        return instance;
    }

    /**
     * Registers an instance, giving it an interface of the datapath. On success the platform
     * establishes the session on its own threads (establish session may arrive before this returns).
     *
     * @return the outcome; on failure the instance stays created, to register again or destroy.
     * @throws IllegalStateException    when the instance is registered already or destroyed.
     * @throws IllegalArgumentException when the options are invalid (reserved flags, say).
     */
    public Registration register(final ProviderInstance handle, final RegisterOptions options)
    {
        final Instance<?> instance = own(handle);
        options.validate();
        final Session session;
        final Call establish;
        instance.lock.lock();
        try
        {
            if (instance.state != InstanceState.CREATED)
            {
                throw instance.state == InstanceState.DESTROYED ? destroyed(instance) : new IllegalStateException(
                    instance + " is " + instance.state + ": register once, deregister before registering again");
            }
            final InstanceRegistry.Binding binding = registry.bind(instance, options);
            if (binding.session() == null)
            {
                return Registration.failed(binding.failure());
            }
            session = binding.session();
            instance.registrations++;
            instance.session = session;
            instance.state = InstanceState.REGISTERED;
            instance.friendlyName = session.friendlyName;
            instance.interfaceId = session.interfaceId;
            instance.terminationReason = null;
            slotSessions.set(session.slot, session);
            events.onInstanceRegistered(nowEpochNs(), instance.id(), session.interfaceId, session.friendlyName);
            establish = calls.beginCall(session, CallKind.ESTABLISH_SESSION,
                status -> sessions.onEstablished(session, status));
        }
        finally
        {
            instance.lock.unlock();
        }
        sessions.establish(session, establish);
        return new Registration(RegisterStatus.REGISTERED, session.friendlyName, session.interfaceId);
    }

    /**
     * Deregisters an instance: terminates its session with {@link TerminationReason#PROVIDER_REQUEST}
     * unless it was terminated already, then waits until every call of the registration, terminate
     * included, has completed, and frees its interface. Afterwards the instance may be registered
     * again or destroyed.
     *
     * @throws IllegalStateException at once when called from inside a callback of this instance (terminate
     *                               session above all: signal another thread to deregister), or when the
     *                               instance is not registered, being deregistered already, or destroyed.
     */
    public void deregister(final ProviderInstance handle)
    {
        final Instance<?> instance = own(handle);
        final Call current = CallDispatcher.currentCall();
        if (current != null && current.instance == instance)
        {
            throw new IllegalStateException("deregister called from inside " + current.kind.callbackName() + " of " +
                instance + ": it waits until every call completes, this one included; signal another thread to " +
                "call deregister");
        }
        final Session session;
        instance.lock.lock();
        try
        {
            switch (instance.state)
            {
                case DESTROYED -> throw destroyed(instance);
                case CREATED -> throw new IllegalStateException(instance + " is not registered");
                case DEREGISTERING -> throw new IllegalStateException(instance + " is being deregistered already");
                default ->
                {
                }
            }
            session = instance.session;
            instance.state = InstanceState.DEREGISTERING;
        }
        finally
        {
            instance.lock.unlock();
        }

        sessions.terminate(session, TerminationReason.PROVIDER_REQUEST);

        final boolean routeCleanupNeeded;
        instance.lock.lock();
        try
        {
            while (!session.calls.isEmpty())
            {
                instance.callEnded.awaitUninterruptibly();
            }
            routeCleanupNeeded = session.routeCleanupNeeded;
        }
        finally
        {
            instance.lock.unlock();
        }
        slotSessions.compareAndSet(session.slot, session, null);
        if (routeCleanupNeeded)
        {
            sessions.removeDatapathRoutes(session);
        }
        instance.lock.lock();
        try
        {
            instance.session = null;
            instance.state = InstanceState.CREATED;
            events.onInstanceDeregistered(nowEpochNs(), instance.id());
            registry.release(session);
        }
        finally
        {
            instance.lock.unlock();
        }
    }

    /**
     * Destroys an instance: exactly once, and after deregister if it was registered.
     *
     * @throws IllegalStateException when destroyed already, or registered and not yet deregistered.
     */
    public void destroy(final ProviderInstance handle)
    {
        final Instance<?> instance = own(handle);
        instance.lock.lock();
        try
        {
            if (instance.state != InstanceState.CREATED)
            {
                throw instance.state == InstanceState.DESTROYED ? destroyed(instance) : new IllegalStateException(
                    instance + " is " + instance.state + ": deregister it (and wait for deregister to return) " +
                    "before destroying it");
            }
            instance.state = InstanceState.DESTROYED;
            events.onInstanceDestroyed(nowEpochNs(), instance.id());
        }
        finally
        {
            instance.lock.unlock();
        }
        registry.remove(instance);
    }

    /**
     * Hands a packet received from a remote peer to the datapath, as received on the instance's
     * interface. The packet is copied before this returns; it never blocks.
     *
     * @param localTransportId  the id the platform added to the instance.
     * @param remoteTransportId an id the platform found reachable over the instance; the packet's source
     *                          must lie in it.
     * @param packet            an IPv4 packet from its position to its limit (left unchanged).
     */
    public ReceiveStatus indicateReceivedBuffers(
        final ProviderInstance handle, final TransportId localTransportId, final TransportId remoteTransportId,
        final ByteBuffer packet)
    {
        final Instance<?> instance = own(handle);
        Objects.requireNonNull(localTransportId, "localTransportId");
        Objects.requireNonNull(remoteTransportId, "remoteTransportId");
        final ReceiveStatus status = receive(instance, localTransportId, remoteTransportId, packet);
        (status == ReceiveStatus.ACCEPTED ? instance.packetsReceived : instance.packetsDropped).incrementAndGet();
        return status;
    }

    private ReceiveStatus receive(
        final Instance<?> instance, final TransportId localTransportId, final TransportId remoteTransportId,
        final ByteBuffer packet)
    {
        final Session session = instance.session;
        if (session == null || !session.active || session.terminated)
        {
            return ReceiveStatus.NOT_ACTIVE;
        }
        final Route route = Route.withTransportId(session.routes, remoteTransportId);
        if (route == null || !session.localTransportId.equals(localTransportId))
        {
            return ReceiveStatus.UNKNOWN_TRANSPORT_ID;
        }
        final ProviderPort port = datapath.port(session.slot);
        final int length = packet.remaining();
        if (length < MIN_IPV4_HEADER || length > port.mtu())
        {
            return ReceiveStatus.MALFORMED;
        }
        final byte[] bytes = new byte[length];
        packet.get(packet.position(), bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if ((bytes[0] & 0xF0) != 0x40 || !route.prefix().contains(buffer.getInt(12, java.nio.ByteOrder.BIG_ENDIAN)))
        {
            return ReceiveStatus.MALFORMED;
        }
        return port.offer(buffer, 0, length) ? ReceiveStatus.ACCEPTED : ReceiveStatus.QUEUE_FULL;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The platform side: routes, forced termination, timeouts, listing, shutdown
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Routes outbound traffic for a prefix to an active instance: asks the provider whether the prefix's
     * transport id is reachable over it, and if so installs the route in the datapath.
     *
     * @return completes with the outcome once the provider answered and the datapath applied the route.
     */
    public CompletableFuture<RouteStatus> addRoute(final ProviderInstance handle, final Ipv4Prefix prefix)
    {
        final Instance<?> instance = own(handle);
        final Route route = Route.of(prefix);
        final CompletableFuture<RouteStatus> result = new CompletableFuture<>();
        final Call reach;
        instance.lock.lock();
        try
        {
            final Session session = instance.session;
            if (session == null || !session.active || session.terminated)
            {
                return CompletableFuture.completedFuture(RouteStatus.NOT_ACTIVE);
            }
            if (Route.withTransportId(session.routes, route.transportId()) != null)
            {
                return CompletableFuture.completedFuture(RouteStatus.INSTALLED);
            }
            if (session.routes.length + session.routesRequested >= config.maxRoutesPerInstance())
            {
                return CompletableFuture.completedFuture(RouteStatus.ROUTE_LIMIT);
            }
            session.routesRequested++;
            reach = calls.beginCall(session, CallKind.REACH_TRANSPORT_ID,
                status -> sessions.onReached(session, route, status, result));
        }
        finally
        {
            instance.lock.unlock();
        }
        calls.execute(() -> calls.invoke(reach, completion -> instance.reachTransportId(route.transportId(), completion)));
        return result;
    }

    /**
     * Terminates an instance's session from the platform's side (an administrator, a policy); the
     * provider is told once and must then deregister.
     *
     * @return false when the instance has no session or it was terminated already.
     */
    public boolean terminate(final ProviderInstance handle, final TerminationReason reason)
    {
        Objects.requireNonNull(reason, "reason");
        final Session session = own(handle).session;
        return session != null && sessions.terminate(session, reason);
    }

    /**
     * Terminates, with {@link TerminationReason#PROVIDER_TIMEOUT}, every session with a call begun more
     * than the call timeout ago and not completed. A platform thread calls it every
     * {@link PlatformConfig#timeoutCheckIntervalNs()}; with an interval of 0 the owner does.
     *
     * @return the number of sessions terminated.
     */
    public int checkTimeouts()
    {
        final long nowNs = config.nanoClock().nanoTime();
        int terminated = 0;
        for (final Instance<?> instance : registry.snapshot())
        {
            Session expired = null;
            instance.lock.lock();
            try
            {
                final Session session = instance.session;
                if (session != null && session.terminationReason == null)
                {
                    for (final Call call : session.calls)
                    {
                        if (!call.isCompleted() && nowNs - call.deadlineNs >= 0)
                        {
                            expired = session;
                            break;
                        }
                    }
                }
            }
            finally
            {
                instance.lock.unlock();
            }
            if (expired != null && sessions.terminate(expired, TerminationReason.PROVIDER_TIMEOUT))
            {
                terminated++;
            }
        }
        return terminated;
    }

    /**
     * @return the instance's state.
     */
    public InstanceState state(final ProviderInstance handle)
    {
        final Instance<?> instance = own(handle);
        instance.lock.lock();
        try
        {
            return instance.state;
        }
        finally
        {
            instance.lock.unlock();
        }
    }

    /**
     * @return every instance not destroyed, in creation order: for the admin endpoint and {@code natgate providers list}.
     */
    public List<InstanceView> instances()
    {
        final List<InstanceView> views = new ArrayList<>();
        for (final Instance<?> instance : registry.snapshot())
        {
            instance.lock.lock();
            try
            {
                if (instance.state == InstanceState.DESTROYED)
                {
                    continue;
                }
                final Session session = instance.session;
                final List<String> routes = new ArrayList<>();
                if (session != null)
                {
                    for (final Route route : session.routes)
                    {
                        routes.add(route.prefix().toString());
                    }
                }
                views.add(new InstanceView(instance.id(), instance.friendlyName, instance.interfaceId, instance.state,
                    instance.terminationReason, session == null ? null : datapath.port(session.slot).name(),
                    session == null ? null : session.securityDescriptor, List.copyOf(routes),
                    session == null ? 0 : session.calls.size(), instance.packetsSent.get(),
                    instance.packetsReceived.get(), instance.packetsDropped.get()));
            }
            finally
            {
                instance.lock.unlock();
            }
        }
        return views;
    }

    /**
     * @return {@link #instances()} as a table, one line per instance under a header.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder(String.format("%-4s %-32s %-6s %-13s %-5s %-5s %-8s %-8s %-8s %s%n",
            "id", "name", "if", "state", "port", "calls", "sent", "received", "dropped", "routes / termination"));
        for (final InstanceView view : instances())
        {
            text.append(String.format("%-4d %-32s %-6s %-13s %-5s %-5d %-8d %-8d %-8d %s%n", view.instanceId(),
                view.friendlyName() == null ? "-" : view.friendlyName(),
                view.interfaceId() == 0 ? "-" : Long.toString(view.interfaceId()), view.state(),
                view.portName() == null ? "-" : view.portName(), view.outstandingCalls(), view.packetsSent(),
                view.packetsReceived(), view.packetsDropped(), String.join(",", view.routes()) +
                (view.terminationReason() == null ? "" : " " + view.terminationReason())));
        }
        return text.toString();
    }

    /**
     * @return completions of calls that had been completed already (each also thrown to the provider or reported).
     */
    public long duplicateCompletions()
    {
        return calls.duplicateCompletions();
    }

    /**
     * @return callbacks that threw or returned no status.
     */
    public long providerFailures()
    {
        return calls.providerFailures();
    }

    /**
     * Shuts the platform down: no more instances or registrations, every open session terminated with
     * {@link TerminationReason#PLATFORM_SHUTDOWN}, then up to {@link PlatformConfig#shutdownTimeoutNs()}
     * for the providers to deregister before the platform's threads stop. Close it before the pipeline.
     * Idempotent.
     */
    @Override
    public void close()
    {
        final List<Instance<?>> all = registry.close();
        if (all == null)
        {
            return;
        }
        for (final Instance<?> instance : all)
        {
            final Session session = instance.session;
            if (session != null)
            {
                sessions.terminate(session, TerminationReason.PLATFORM_SHUTDOWN);
            }
        }
        registry.awaitDeregistrations(config.shutdownTimeoutNs());
        if (timeoutChecker != null)
        {
            timeoutChecker.shutdownNow();
        }
        for (final SlotSender sender : senders)
        {
            sender.stop();
        }
        calls.shutdown();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return the call whose callback this thread is making, or null; for tests.
     */
    static Call currentCall()
    {
        return CallDispatcher.currentCall();
    }

    /**
     * A provider completed a call through its completion routine.
     */
    void completeLater(final Call call, final CallStatus status)
    {
        calls.completeLater(call, status);
    }

    void onDuplicateCompletion(final Call call)
    {
        calls.onDuplicateCompletion(call);
    }

    private Instance<?> own(final ProviderInstance handle)
    {
        if (handle instanceof Instance<?> instance && instance.platform == this)
        {
            return instance;
        }
        throw new IllegalArgumentException("not an instance of this Connectivity Platform: " + handle);
    }

    private static IllegalStateException destroyed(final Instance<?> instance)
    {
        return new IllegalStateException(instance + " is destroyed; destroy must be called exactly once, last");
    }

    private long nowEpochNs()
    {
        return config.epochClock().nanoTime();
    }

    private void checkTimeoutsReportingErrors()
    {
        try
        {
            checkTimeouts();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    /**
     * What the platform reports when a provider breaks the dispatch contract.
     */
    static final class ProviderFailureException extends RuntimeException
    {
        ProviderFailureException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    @Override
    public String toString()
    {
        return "ConnectivityPlatform{" + datapath.slotCount() + " provider interfaces}";
    }
}
