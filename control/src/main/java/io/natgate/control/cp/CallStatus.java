package io.natgate.control.cp;

/**
 * What a status callback returns, and what a pending one is completed with.
 */
public enum CallStatus
{
    /** Done, and it worked (for {@link ProviderDispatch#reachTransportId}: reachable). */
    SUCCESS,
    /**
     * Returned only: the provider completes the call later, exactly once, through its {@link Completion}.
     */
    PENDING,
    /** Done, and it did not work (for {@link ProviderDispatch#reachTransportId}: not reachable). */
    FAILED
}
