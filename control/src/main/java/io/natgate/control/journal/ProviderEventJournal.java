package io.natgate.control.journal;

import io.natgate.control.cp.ProviderEventListener;
import io.natgate.control.cp.TerminationReason;

/**
 * The journal's listener for provider events, from the platform's threads: each is handed to the log,
 * then queued for the writer on the event thread.
 */
final class ProviderEventJournal implements ProviderEventListener
{
    private final JournalWriter writer;
    private final ProviderEventListener alsoTo;

    ProviderEventJournal(final JournalWriter writer, final ProviderEventListener alsoTo)
    {
        this.writer = writer;
        this.alsoTo = alsoTo;
    }

    public void onInstanceCreated(final long timeEpochNs, final long instanceId)
    {
        alsoTo.onInstanceCreated(timeEpochNs, instanceId);
        writer.enqueue(out -> out.onInstanceCreated(timeEpochNs, instanceId));
    }

    public void onInstanceRegistered(
        final long timeEpochNs, final long instanceId, final long interfaceId, final String friendlyName)
    {
        alsoTo.onInstanceRegistered(timeEpochNs, instanceId, interfaceId, friendlyName);
        writer.enqueue(out -> out.onInstanceRegistered(timeEpochNs, instanceId, interfaceId, friendlyName));
    }

    public void onInstanceActive(final long timeEpochNs, final long instanceId)
    {
        alsoTo.onInstanceActive(timeEpochNs, instanceId);
        writer.enqueue(out -> out.onInstanceActive(timeEpochNs, instanceId));
    }

    public void onInstanceTerminated(final long timeEpochNs, final long instanceId, final TerminationReason reason)
    {
        alsoTo.onInstanceTerminated(timeEpochNs, instanceId, reason);
        writer.enqueue(out -> out.onInstanceTerminated(timeEpochNs, instanceId, reason));
    }

    public void onInstanceDeregistered(final long timeEpochNs, final long instanceId)
    {
        alsoTo.onInstanceDeregistered(timeEpochNs, instanceId);
        writer.enqueue(out -> out.onInstanceDeregistered(timeEpochNs, instanceId));
    }

    public void onInstanceDestroyed(final long timeEpochNs, final long instanceId)
    {
        alsoTo.onInstanceDestroyed(timeEpochNs, instanceId);
        writer.enqueue(out -> out.onInstanceDestroyed(timeEpochNs, instanceId));
    }
}
