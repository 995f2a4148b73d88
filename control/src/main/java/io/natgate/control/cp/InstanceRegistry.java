package io.natgate.control.cp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The platform's instances, interface ids and interface slots, under one lock. An interface id
 * handed out by register is remembered, so a later registration can ask for it again; a slot is a
 * provider port of the datapath, bound to at most one registration at a time. Lock order: an
 * instance's lock, then this registry's.
 */
final class InstanceRegistry
{
    private final ProviderDatapath datapath;
    private final Map<Long, Instance<?>> instances = new LinkedHashMap<>();
    private final Map<Long, Interface> interfaces = new HashMap<>();
    private final boolean[] slotInUse;
    private long nextInstanceId = 1;
    private long nextInterfaceId = 1;
    private boolean closed;

    /**
     * A registration's outcome: the new session, or why there is none.
     */
    record Binding(Session session, RegisterStatus failure)
    {
        static Binding failed(final RegisterStatus failure)
        {
            return new Binding(null, failure);
        }
    }

    InstanceRegistry(final ProviderDatapath datapath)
    {
        this.datapath = datapath;
        this.slotInUse = new boolean[datapath.slotCount()];
    }

    /**
     * @throws IllegalStateException when the platform is closed.
     */
    synchronized <C> Instance<C> create(
        final ConnectivityPlatform platform, final ProviderDispatch<C> dispatch, final C userContext)
    {
        if (closed)
        {
            throw new IllegalStateException("the Connectivity Platform is closed");
        }
        final Instance<C> instance = new Instance<>(platform, nextInstanceId++, dispatch, userContext);
        instances.put(instance.id(), instance);
        return instance;
    }

    /**
     * Binds a registering instance to a free slot and an interface id (the one asked for, if free),
     * named as asked, after its earlier interface, or by default, without clashing. The caller holds the
     * instance's lock.
     */
    synchronized Binding bind(final Instance<?> instance, final RegisterOptions options)
    {
        if (closed)
        {
            return Binding.failed(RegisterStatus.PLATFORM_CLOSED);
        }
        Interface earlier = null;
        if (options.interfaceId() != 0)
        {
            earlier = interfaces.get(options.interfaceId());
            if (earlier == null)
            {
                return Binding.failed(RegisterStatus.UNKNOWN_INTERFACE_ID);
            }
            if (earlier.boundTo != null)
            {
                return Binding.failed(RegisterStatus.INTERFACE_ID_IN_USE);
            }
        }
        final int slot = freeSlot();
        if (slot < 0)
        {
            return Binding.failed(RegisterStatus.NO_FREE_INTERFACE);
        }
        final boolean named = options.friendlyName() != null && !options.friendlyName().isEmpty();
        final String name = FriendlyNames.resolve(
            named ? options.friendlyName() : earlier == null ? null : earlier.friendlyName, takenNames());
        final Interface bound = earlier != null ? earlier : new Interface(nextInterfaceId++);
        interfaces.put(bound.id, bound);
        bound.friendlyName = name;
        bound.boundTo = instance;
        slotInUse[slot] = true;
        return new Binding(new Session(instance, instance.registrations + 1, slot, bound.id, name,
            options.securityDescriptor(), TransportId.ipv4(datapath.localAddress(slot), 32)), null);
    }

    /**
     * Frees a deregistered session's slot, and its interface id for a later registration; wakes
     * {@link #awaitDeregistrations} waiting. The caller holds the instance's lock.
     */
    synchronized void release(final Session session)
    {
        slotInUse[session.slot] = false;
        interfaces.get(session.interfaceId).boundTo = null;
        notifyAll();
    }

    synchronized void remove(final Instance<?> instance)
    {
        instances.remove(instance.id());
    }

    /**
     * @return every instance not removed, in creation order.
     */
    synchronized List<Instance<?>> snapshot()
    {
        return new ArrayList<>(instances.values());
    }

    /**
     * Closes the registry to new instances and registrations.
     *
     * @return every instance, or null when closed already.
     */
    synchronized List<Instance<?>> close()
    {
        if (closed)
        {
            return null;
        }
        closed = true;
        return new ArrayList<>(instances.values());
    }

    /**
     * Waits until every slot is released, or the timeout has passed.
     */
    synchronized void awaitDeregistrations(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long remainingNs;
        while (anySlotInUse() && (remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, remainingNs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

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
}
