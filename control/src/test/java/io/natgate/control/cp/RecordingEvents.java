package io.natgate.control.cp;

import java.util.ArrayList;
import java.util.List;

/**
 * An event sink for tests: every lifecycle event as a line {@code instanceId step [detail]} with its time.
 */
final class RecordingEvents implements ProviderEventListener
{
    record Event(long timeEpochNs, long instanceId, String step)
    {
    }

    private final List<Event> events = new ArrayList<>();

    synchronized List<Event> all()
    {
        return List.copyOf(events);
    }

    /**
     * @return the steps of one instance, in order.
     */
    synchronized List<String> steps(final long instanceId)
    {
        return events.stream().filter(event -> event.instanceId == instanceId).map(Event::step).toList();
    }

    private synchronized void add(final long timeEpochNs, final long instanceId, final String step)
    {
        events.add(new Event(timeEpochNs, instanceId, step));
    }

    public void onInstanceCreated(final long timeEpochNs, final long instanceId)
    {
        add(timeEpochNs, instanceId, "created");
    }

    public void onInstanceRegistered(
        final long timeEpochNs, final long instanceId, final long interfaceId, final String friendlyName)
    {
        add(timeEpochNs, instanceId, "registered " + interfaceId + " " + friendlyName);
    }

    public void onInstanceActive(final long timeEpochNs, final long instanceId)
    {
        add(timeEpochNs, instanceId, "active");
    }

    public void onInstanceTerminated(final long timeEpochNs, final long instanceId, final TerminationReason reason)
    {
        add(timeEpochNs, instanceId, "terminated " + reason);
    }

    public void onInstanceDeregistered(final long timeEpochNs, final long instanceId)
    {
        add(timeEpochNs, instanceId, "deregistered");
    }

    public void onInstanceDestroyed(final long timeEpochNs, final long instanceId)
    {
        add(timeEpochNs, instanceId, "destroyed");
    }
}
