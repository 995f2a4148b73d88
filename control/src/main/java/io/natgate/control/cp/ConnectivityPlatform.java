package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.ProviderPort;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

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
    private static final long SENDER_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long SENDER_JOIN_MS = 1_000;
    private static final int MIN_IPV4_HEADER = 20;
    private static final ThreadLocal<Call> CURRENT_CALL = new ThreadLocal<>();

    private final PlatformConfig config;
    private final ProviderDatapath datapath;
    private final ProviderEventListener events;
    private final ErrorHandler errorHandler;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService timeoutChecker;
    private final SlotSender[] senders;
    private final AtomicReferenceArray<Session> slotSessions;
    private final AtomicLong duplicateCompletions = new AtomicLong();
    private final AtomicLong providerFailures = new AtomicLong();

    private final Object registry = new Object();
    // guarded by registry
    private final Map<Long, Instance<?>> instances = new LinkedHashMap<>();
    private final Map<Long, Interface> interfaces = new HashMap<>();
    private final boolean[] slotInUse;
    private long nextInstanceId = 1;
    private long nextInterfaceId = 1;
    private boolean closed;

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
        this.callbacks = Executors.newThreadPerTaskExecutor(config.callbackThreadFactory());
        final int slots = datapath.slotCount();
        slotInUse = new boolean[slots];
        slotSessions = new AtomicReferenceArray<>(slots);
        senders = new SlotSender[slots];
        for (int slot = 0; slot < slots; slot++)
        {
            senders[slot] = new SlotSender(slot, datapath.port(slot));
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
        final Instance<C> instance;
        synchronized (registry)
        {
            if (closed)
            {
                throw new IllegalStateException("the Connectivity Platform is closed");
            }
            instance = new Instance<>(this, nextInstanceId++, dispatch, userContext);
            instances.put(instance.id(), instance);
        }
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
            synchronized (registry)
            {
                if (closed)
                {
                    return Registration.failed(RegisterStatus.PLATFORM_CLOSED);
                }
                Interface earlier = null;
                if (options.interfaceId() != 0)
                {
                    earlier = interfaces.get(options.interfaceId());
                    if (earlier == null)
                    {
                        return Registration.failed(RegisterStatus.UNKNOWN_INTERFACE_ID);
                    }
                    if (earlier.boundTo != null)
                    {
                        return Registration.failed(RegisterStatus.INTERFACE_ID_IN_USE);
                    }
                }
                final int slot = freeSlot();
                if (slot < 0)
                {
                    return Registration.failed(RegisterStatus.NO_FREE_INTERFACE);
                }
                final boolean named = options.friendlyName() != null && !options.friendlyName().isEmpty();
                final String name = FriendlyNames.resolve(
                    named ? options.friendlyName() : earlier == null ? null : earlier.friendlyName, takenNames());
                final Interface bound = earlier != null ? earlier : new Interface(nextInterfaceId++);
                interfaces.put(bound.id, bound);
                bound.friendlyName = name;
                bound.boundTo = instance;
                slotInUse[slot] = true;
                session = new Session(instance, instance.registrations + 1, slot, bound.id, name,
                    options.securityDescriptor(), TransportId.ipv4(datapath.localAddress(slot), 32));
            }
            instance.registrations++;
            instance.session = session;
            instance.state = InstanceState.REGISTERED;
            instance.friendlyName = session.friendlyName;
            instance.interfaceId = session.interfaceId;
            instance.terminationReason = null;
            slotSessions.set(session.slot, session);
            events.onInstanceRegistered(nowEpochNs(), instance.id(), session.interfaceId, session.friendlyName);
            establish = beginCall(session, CallKind.ESTABLISH_SESSION, status -> onEstablished(session, status));
        }
        finally
        {
            instance.lock.unlock();
        }
        execute(() -> invoke(establish, completion ->
        {
            instance.establishSession();
            return CallStatus.SUCCESS;
        }));
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
        final Call current = CURRENT_CALL.get();
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

        terminate(session, TerminationReason.PROVIDER_REQUEST);

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
            removeDatapathRoutes(session);
        }
        instance.lock.lock();
        try
        {
            instance.session = null;
            instance.state = InstanceState.CREATED;
            events.onInstanceDeregistered(nowEpochNs(), instance.id());
            release(session);
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
        synchronized (registry)
        {
            instances.remove(instance.id());
        }
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
            reach = beginCall(session, CallKind.REACH_TRANSPORT_ID, status -> onReached(session, route, status, result));
        }
        finally
        {
            instance.lock.unlock();
        }
        execute(() -> invoke(reach, completion -> instance.reachTransportId(route.transportId(), completion)));
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
        return session != null && terminate(session, reason);
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
        for (final Instance<?> instance : instanceSnapshot())
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
            if (expired != null && terminate(expired, TerminationReason.PROVIDER_TIMEOUT))
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
        for (final Instance<?> instance : instanceSnapshot())
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
        return duplicateCompletions.get();
    }

    /**
     * @return callbacks that threw or returned no status.
     */
    public long providerFailures()
    {
        return providerFailures.get();
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
        final List<Instance<?>> all;
        synchronized (registry)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            all = new ArrayList<>(instances.values());
        }
        for (final Instance<?> instance : all)
        {
            final Session session = instance.session;
            if (session != null)
            {
                terminate(session, TerminationReason.PLATFORM_SHUTDOWN);
            }
        }
        awaitDeregistrations(config.shutdownTimeoutNs());
        if (timeoutChecker != null)
        {
            timeoutChecker.shutdownNow();
        }
        for (final SlotSender sender : senders)
        {
            sender.stop();
        }
        callbacks.shutdown();
    }

    // ------------------------------------------------------------------------------------------------------------
    // The session's calls
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Begins a call; the caller holds the instance's lock.
     *
     * @return the call, or null once the session is terminated: no new calls after terminate.
     */
    private Call beginCall(final Session session, final CallKind kind, final Consumer<CallStatus> continuation)
    {
        if (session.terminationReason != null)
        {
            return null;
        }
        return newCall(session, kind, continuation);
    }

    private Call newCall(final Session session, final CallKind kind, final Consumer<CallStatus> continuation)
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
     * A callback made with the call's completion routine.
     */
    @FunctionalInterface
    private interface Callback
    {
        CallStatus call(Completion completion);
    }

    /**
     * Makes a call's callback on this (a platform) thread and deals with what it returns or throws.
     */
    private void invoke(final Call call, final Callback callback)
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
            providerFailures.incrementAndGet();
            errorHandler.onError(new ProviderFailureException(
                call + (thrown == null ? " returned no status" : " threw " + thrown), thrown));
            terminate(call.session, TerminationReason.PROVIDER_OTHER_FAILURE);
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
            errorHandler.onError(new ProviderFailureException(
                call + " returned " + returned + " after it was completed through its completion routine", null));
        }
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
            senders[call.session.slot].wake();
        }
    }

    private void onEstablished(final Session session, final CallStatus status)
    {
        final Instance<?> instance = session.instance;
        final Call deferredTermination;
        final Call transition;
        instance.lock.lock();
        try
        {
            session.establishReturned = true;
            deferredTermination = session.deferredTermination;
            session.deferredTermination = null;
            transition = status != CallStatus.SUCCESS ? null :
                beginCall(session, CallKind.TRANSITION_ACTIVE, next -> onTransitionedActive(session, next));
        }
        finally
        {
            instance.lock.unlock();
        }
        if (deferredTermination != null)
        {
            execute(() -> deliverTermination(deferredTermination));
        }
        if (transition != null)
        {
            invoke(transition, instance::transitionActive);
        }
    }

    private void onTransitionedActive(final Session session, final CallStatus status)
    {
        if (status != CallStatus.SUCCESS)
        {
            terminate(session, TerminationReason.PROVIDER_OTHER_FAILURE);
            return;
        }
        final Instance<?> instance = session.instance;
        final Call add;
        instance.lock.lock();
        try
        {
            add = beginCall(session, CallKind.ADD_TRANSPORT_ID, next -> onLocalTransportIdAdded(session, next));
        }
        finally
        {
            instance.lock.unlock();
        }
        if (add != null)
        {
            invoke(add, completion -> instance.addTransportId(session.localTransportId, completion));
        }
    }

    private void onLocalTransportIdAdded(final Session session, final CallStatus status)
    {
        if (status != CallStatus.SUCCESS)
        {
            terminate(session, TerminationReason.PROVIDER_OTHER_FAILURE);
            return;
        }
        final Instance<?> instance = session.instance;
        instance.lock.lock();
        try
        {
            if (session.terminationReason == null)
            {
                session.active = true;
                instance.state = InstanceState.ACTIVE;
                events.onInstanceActive(nowEpochNs(), instance.id());
            }
        }
        finally
        {
            instance.lock.unlock();
        }
    }

    private void onReached(
        final Session session, final Route route, final CallStatus status, final CompletableFuture<RouteStatus> result)
    {
        final Instance<?> instance = session.instance;
        instance.lock.lock();
        try
        {
            session.routesRequested--;
            if (session.terminationReason != null || status != CallStatus.SUCCESS)
            {
                result.complete(session.terminationReason != null ? RouteStatus.SESSION_TERMINATED : RouteStatus.UNREACHABLE);
                return;
            }
            if (Route.withTransportId(session.routes, route.transportId()) != null)
            {
                result.complete(RouteStatus.INSTALLED);
                return;
            }
            // the sender learns the route before the datapath sends it anything
            session.routes = with(session.routes, route);
        }
        finally
        {
            instance.lock.unlock();
        }

        boolean installed = false;
        RuntimeException failure = null;
        try
        {
            installed = datapath.addRoute(session.slot, route.prefix());
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        final boolean terminated;
        instance.lock.lock();
        try
        {
            terminated = session.terminationReason != null;
            if (!installed || terminated)
            {
                session.routes = without(session.routes, route);
            }
            session.routeCleanupNeeded |= failure != null || (installed && terminated);
        }
        finally
        {
            instance.lock.unlock();
        }
        if (failure != null)
        {
            errorHandler.onError(failure);
            terminate(session, TerminationReason.OTHER_COMMUNICATION_ERROR);
            result.complete(RouteStatus.DATAPATH_UNAVAILABLE);
            return;
        }
        result.complete(!installed ? RouteStatus.ROUTE_LIMIT :
            terminated ? RouteStatus.SESSION_TERMINATED : RouteStatus.INSTALLED);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Termination and release
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Terminates a session once: records the reason, stops new calls, and delivers terminate session
     * on a platform thread as soon as establish session has returned.
     *
     * @return false when the session was terminated already.
     */
    private boolean terminate(final Session session, final TerminationReason reason)
    {
        final Instance<?> instance = session.instance;
        final Call delivery;
        instance.lock.lock();
        try
        {
            if (session.terminationReason != null)
            {
                return false;
            }
            session.terminationReason = reason;
            session.terminated = true;
            session.active = false;
            session.routes = Route.NONE;
            if (instance.state == InstanceState.REGISTERED || instance.state == InstanceState.ACTIVE)
            {
                instance.state = InstanceState.TERMINATED;
            }
            instance.terminationReason = reason;
            delivery = newCall(session, CallKind.TERMINATE_SESSION, status -> {});
            session.terminationSequence = delivery.sequence;
            events.onInstanceTerminated(nowEpochNs(), instance.id(), reason);
            if (!session.establishReturned)
            {
                session.deferredTermination = delivery;
                return true;
            }
        }
        finally
        {
            instance.lock.unlock();
        }
        execute(() -> deliverTermination(delivery));
        senders[session.slot].wake();
        return true;
    }

    private void deliverTermination(final Call delivery)
    {
        final Session session = delivery.session;
        removeDatapathRoutes(session);
        CURRENT_CALL.set(delivery);
        try
        {
            session.instance.terminateSession(session.terminationReason);
        }
        catch (final Throwable ex)
        {
            providerFailures.incrementAndGet();
            errorHandler.onError(new ProviderFailureException(delivery + " threw " + ex + "; termination stands", ex));
        }
        finally
        {
            CURRENT_CALL.remove();
        }
        delivery.completeOnce();
        endCall(delivery);
    }

    /**
     * Frees a deregistered session's slot, and its interface id for a later registration; wakes
     * {@link #close} waiting for deregistrations. The caller holds the instance's lock.
     */
    private void release(final Session session)
    {
        synchronized (registry)
        {
            slotInUse[session.slot] = false;
            interfaces.get(session.interfaceId).boundTo = null;
            registry.notifyAll();
        }
    }

    private void removeDatapathRoutes(final Session session)
    {
        try
        {
            datapath.removeRoutes(session.slot);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void awaitDeregistrations(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        synchronized (registry)
        {
            long remainingNs;
            while (anySlotInUse() && (remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(registry, remainingNs);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return the call whose callback this thread is making, or null; for tests.
     */
    static Call currentCall()
    {
        return CURRENT_CALL.get();
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

    private List<Instance<?>> instanceSnapshot()
    {
        synchronized (registry)
        {
            return new ArrayList<>(instances.values());
        }
    }

    // guarded by registry
    private int freeSlot()
    {
        for (int slot = 0; slot < slotInUse.length; slot++)
        {
            if (!slotInUse[slot])
            {
                return slot;
            }
        }
        return -1;
    }

    // guarded by registry
    private boolean anySlotInUse()
    {
        for (final boolean inUse : slotInUse)
        {
            if (inUse)
            {
                return true;
            }
        }
        return false;
    }

    // guarded by registry
    private Set<String> takenNames()
    {
        final Set<String> taken = new HashSet<>();
        for (final String name : datapath.portNames())
        {
            taken.add(FriendlyNames.key(name));
        }
        for (final Interface bound : interfaces.values())
        {
            if (bound.boundTo != null)
            {
                taken.add(FriendlyNames.key(bound.friendlyName));
            }
        }
        return taken;
    }

    private void execute(final Runnable task)
    {
        try
        {
            callbacks.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: a late deregistration still needs its calls to end
            Thread.ofVirtual().name("natgate-cp-late").start(task);
        }
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

    private long nowEpochNs()
    {
        return config.epochClock().nanoTime();
    }

    private static Route[] with(final Route[] routes, final Route route)
    {
        final Route[] more = Arrays.copyOf(routes, routes.length + 1);
        more[routes.length] = route;
        return more;
    }

    private static Route[] without(final Route[] routes, final Route route)
    {
        return Arrays.stream(routes).filter(other -> other != route).toArray(Route[]::new);
    }

    /**
     * An interface id handed out by register, remembered so a later registration can keep it.
     */
    private static final class Interface
    {
        final long id;
        String friendlyName;
        Instance<?> boundTo;

        Interface(final long id)
        {
            this.id = id;
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

    /**
     * Sends what the datapath routes to one interface slot: polls the slot's port whenever its flush
     * wakes this thread, groups the packets by route and makes a send-buffers call per group, with at
     * most {@link PlatformConfig#maxPendingSends()} pending (beyond it packets wait in the port's
     * queue, and the datapath counts what it refuses).
     */
    private final class SlotSender implements Runnable
    {
        private final int slot;
        private final ProviderPort port;
        private final Thread thread;
        private final List<ByteBuffer> polled = new ArrayList<>();
        private final FrameHandler copier = this::copy;
        private volatile boolean running = true;

        SlotSender(final int slot, final ProviderPort port)
        {
            this.slot = slot;
            this.port = port;
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
                thread.join(SENDER_JOIN_MS);
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
                    LockSupport.parkNanos(this, SENDER_PARK_NS);
                    continue;
                }
                if (port.pollTransmitted(copier, config.sendBatchFrames()) == 0)
                {
                    LockSupport.parkNanos(this, SENDER_PARK_NS);
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
                final Route route = packet.remaining() < MIN_IPV4_HEADER ? null :
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
                call = beginCall(session, CallKind.SEND_BUFFERS, status ->
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
            invoke(call, completion -> instance.sendBuffers(session.localTransportId, route.transportId(), view,
                completion));
        }
    }

    @Override
    public String toString()
    {
        return "ConnectivityPlatform{" + datapath.slotCount() + " provider interfaces}";
    }
}
