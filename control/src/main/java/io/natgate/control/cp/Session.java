package io.natgate.control.cp;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registration of an instance, from register to the return of deregister: its interface slot,
 * the calls made to the provider and not yet completed, and how it ended. Fields without a note are
 * guarded by the instance's lock.
 */
final class Session
{
    final Instance<?> instance;
    final int number;
    final int slot;
    final long interfaceId;
    final String friendlyName;
    final String securityDescriptor;
    final TransportId localTransportId;

    final Set<Call> calls = new HashSet<>();
    long callSequence;
    TerminationReason terminationReason;
    /** The sequence number of the terminate call: every call delivered has a lower one. */
    long terminationSequence;
    boolean establishReturned;
    /** A termination waiting for establish session to return. */
    Call deferredTermination;
    /** Reach calls in flight for routes, counted against the route limit. */
    int routesRequested;
    /** A route reached the datapath after termination removed the session's routes. */
    boolean routeCleanupNeeded;

    // read without the lock by the packet paths
    volatile boolean active;
    volatile boolean terminated;
    volatile Route[] routes = Route.NONE;
    final AtomicInteger pendingSends = new AtomicInteger();

    Session(
        final Instance<?> instance, final int number, final int slot, final long interfaceId, final String friendlyName,
        final String securityDescriptor, final TransportId localTransportId)
    {
        this.instance = instance;
        this.number = number;
        this.slot = slot;
        this.interfaceId = interfaceId;
        this.friendlyName = friendlyName;
        this.securityDescriptor = securityDescriptor;
        this.localTransportId = localTransportId;
    }
}
