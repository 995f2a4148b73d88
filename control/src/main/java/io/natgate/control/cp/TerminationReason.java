package io.natgate.control.cp;

/**
 * Why the Connectivity Platform ends a session with a provider instance, as given to
 * {@link ProviderDispatch#terminateSession}.
 */
public enum TerminationReason
{
    /** The provider asked for it: it called {@link ConnectivityPlatform#deregister} while the session was open. */
    PROVIDER_REQUEST,
    /** The platform is shutting down ({@link ConnectivityPlatform#close}); every instance gets it. */
    PLATFORM_SHUTDOWN,
    /** A call to the provider was not completed within {@link PlatformConfig#callTimeoutNs()}. */
    PROVIDER_TIMEOUT,
    /**
     * The provider failed otherwise: a callback threw or returned no status, or it failed a step the
     * session cannot do without (transition active, adding its local transport id).
     */
    PROVIDER_OTHER_FAILURE,
    /** The platform could not carry the session's traffic: the datapath did not answer a route change. */
    OTHER_COMMUNICATION_ERROR
}
