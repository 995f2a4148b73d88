package io.natgate.control.cp;

import org.agrona.ErrorHandler;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A registration's session from establish to terminate: establish session, then transition active,
 * then add the local transport id, after which the session is active; reach transport id before each
 * route is installed; and terminate, exactly once, never delivered before establish session returned.
 * Any failure along the way terminates the session with its reason.
 */
final class SessionStateMachine implements CallDispatcher.Outcomes
{
    private final PlatformConfig config;
    private final ProviderDatapath datapath;
    private final ProviderEventListener events;
    private final ErrorHandler errorHandler;
    private final SlotSender[] senders;
    private final CallDispatcher calls;

    /**
     * @param senders each slot's sender, filled in by the platform once {@link #calls()} exists.
     */
    SessionStateMachine(
        final PlatformConfig config, final ProviderDatapath datapath, final ProviderEventListener events,
        final SlotSender[] senders)
    {
        this.config = config;
        this.datapath = datapath;
        this.events = events;
        this.errorHandler = config.errorHandler();
        this.senders = senders;
        this.calls = new CallDispatcher(config, this);
    }

    CallDispatcher calls()
    {
        return calls;
    }

    /**
     * Makes establish session, the first call of a registration, on a platform thread.
     */
    void establish(final Session session, final Call establish)
    {
        calls.execute(() -> calls.invoke(establish, completion ->
        {
            session.instance.establishSession();
            return CallStatus.SUCCESS;
        }));
    }

    public void onProviderFailure(final Session session)
    {
        terminate(session, TerminationReason.PROVIDER_OTHER_FAILURE);
    }

    public void onSendWindowOpen(final int slot)
    {
        senders[slot].wake();
    }

    void onEstablished(final Session session, final CallStatus status)
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
                calls.beginCall(session, CallKind.TRANSITION_ACTIVE, next -> onTransitionedActive(session, next));
        }
        finally
        {
            instance.lock.unlock();
        }
        if (deferredTermination != null)
        {
            calls.execute(() -> deliverTermination(deferredTermination));
        }
        if (transition != null)
        {
            calls.invoke(transition, instance::transitionActive);
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
            add = calls.beginCall(session, CallKind.ADD_TRANSPORT_ID, next -> onLocalTransportIdAdded(session, next));
        }
        finally
        {
            instance.lock.unlock();
        }
        if (add != null)
        {
            calls.invoke(add, completion -> instance.addTransportId(session.localTransportId, completion));
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

    void onReached(
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

    /**
     * Terminates a session once: records the reason, stops new calls, and delivers terminate session
     * on a platform thread as soon as establish session has returned.
     *
     * @return false when the session was terminated already.
     */
    boolean terminate(final Session session, final TerminationReason reason)
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
            delivery = calls.newCall(session, CallKind.TERMINATE_SESSION, status -> {});
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
        calls.execute(() -> deliverTermination(delivery));
        senders[session.slot].wake();
        return true;
    }

    private void deliverTermination(final Call delivery)
    {
        final Session session = delivery.session;
        removeDatapathRoutes(session);
        calls.invokeTermination(delivery, () -> session.instance.terminateSession(session.terminationReason));
    }

    void removeDatapathRoutes(final Session session)
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
}
