package io.natgate.control.cp;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One call the platform makes to a provider, outstanding from the moment it is begun (under the
 * instance's lock, refused once the session is terminated) until it is completed and its
 * continuation has run. It is its own completion routine; whichever completes it first, the
 * callback's return or {@link #complete}, wins, and a second completion is reported.
 */
final class Call implements Completion
{
    final Instance<?> instance;
    final Session session;
    final CallKind kind;
    final long sequence;
    final long deadlineNs;
    final Consumer<CallStatus> continuation;
    private final AtomicBoolean completed = new AtomicBoolean();

    Call(
        final Session session, final CallKind kind, final long sequence, final long deadlineNs,
        final Consumer<CallStatus> continuation)
    {
        this.instance = session.instance;
        this.session = session;
        this.kind = kind;
        this.sequence = sequence;
        this.deadlineNs = deadlineNs;
        this.continuation = continuation;
    }

    public void complete(final CallStatus status)
    {
        if (status == null || status == CallStatus.PENDING)
        {
            throw new IllegalArgumentException(this + ": complete with SUCCESS or FAILED, not " + status);
        }
        if (!completeOnce())
        {
            instance.platform.onDuplicateCompletion(this);
            throw new IllegalStateException(this + " was completed already; a call completes exactly once");
        }
        instance.platform.completeLater(this, status);
    }

    public boolean isCompleted()
    {
        return completed.get();
    }

    /**
     * @return true for the first completion only.
     */
    boolean completeOnce()
    {
        return completed.compareAndSet(false, true);
    }

    @Override
    public String toString()
    {
        return kind.callbackName() + " call " + sequence + " of " + instance + " (registration " + session.number + ")";
    }
}
