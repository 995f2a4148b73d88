package io.natgate.control.cp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A provider instance: its dispatch table and user context, its state and its current session.
 * The lock guards the state, the session and the session's call bookkeeping; lifecycle events are
 * emitted under it so they come in order. Lock order: an instance's lock, then the platform's registry.
 */
final class Instance<C> implements ProviderInstance
{
    final ConnectivityPlatform platform;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a call of the session ends. */
    final Condition callEnded = lock.newCondition();
    final AtomicLong packetsSent = new AtomicLong();
    final AtomicLong packetsReceived = new AtomicLong();
    final AtomicLong packetsDropped = new AtomicLong();

    private final long id;
    private final ProviderDispatch<C> dispatch;
    private final C context;

    // guarded by lock; session is also read without it by the packet paths
    InstanceState state = InstanceState.CREATED;
    volatile Session session;
    int registrations;
    String friendlyName;
    long interfaceId;
    TerminationReason terminationReason;

    Instance(final ConnectivityPlatform platform, final long id, final ProviderDispatch<C> dispatch, final C context)
    {
        this.platform = platform;
        this.id = id;
        this.dispatch = dispatch;
        this.context = context;
    }

    public long id()
    {
        return id;
    }

    void establishSession()
    {
        dispatch.establishSession(this, context);
    }

    CallStatus transitionActive(final Completion completion)
    {
        return dispatch.transitionActive(this, context, completion);
    }

    CallStatus addTransportId(final TransportId transportId, final Completion completion)
    {
        return dispatch.addTransportId(this, context, transportId, completion);
    }

    CallStatus reachTransportId(final TransportId transportId, final Completion completion)
    {
        return dispatch.reachTransportId(this, context, transportId, completion);
    }

    CallStatus sendBuffers(
        final TransportId localTransportId, final TransportId remoteTransportId, final List<ByteBuffer> packets,
        final Completion completion)
    {
        return dispatch.sendBuffers(this, context, localTransportId, remoteTransportId, packets, completion);
    }

    void terminateSession(final TerminationReason reason)
    {
        dispatch.terminateSession(this, context, reason);
    }

    @Override
    public String toString()
    {
        return "provider instance " + id;
    }
}
