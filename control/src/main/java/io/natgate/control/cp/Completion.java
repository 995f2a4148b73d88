package io.natgate.control.cp;

/**
 * The completion routine of one call the platform made to a provider: a callback that returned
 * {@link CallStatus#PENDING} completes through it exactly once, from any thread, including after
 * the session was terminated (the platform then wants it at once). Completing is cheap and
 * never calls back into the provider on the completing thread.
 */
public interface Completion
{
    /**
     * Completes the call.
     *
     * @param status {@link CallStatus#SUCCESS} or {@link CallStatus#FAILED}.
     * @throws IllegalStateException    when the call was already completed (a second completion, or a
     *                                  completion of a call that returned a final status); the platform
     *                                  counts it and carries on.
     * @throws IllegalArgumentException when {@code status} is null or {@link CallStatus#PENDING}.
     */
    void complete(CallStatus status);

    /**
     * @return whether the call has been completed (synchronously or through {@link #complete}).
     */
    boolean isCompleted();
}
