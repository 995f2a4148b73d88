package io.natgate.control.cp;

/**
 * The outcome of {@link ConnectivityPlatform#addRoute}.
 */
public enum RouteStatus
{
    /** The provider found the prefix reachable and the datapath routes it to the instance's interface. */
    INSTALLED,
    /** The provider completed reach transport id with {@link CallStatus#FAILED}. */
    UNREACHABLE,
    /** The instance has no active session. */
    NOT_ACTIVE,
    /** The instance has {@link PlatformConfig#maxRoutesPerInstance()} routes, or the datapath's table is full. */
    ROUTE_LIMIT,
    /** The session was terminated before the route was installed. */
    SESSION_TERMINATED,
    /**
     * The datapath did not answer; the session is terminated with
     * {@link TerminationReason#OTHER_COMMUNICATION_ERROR}.
     */
    DATAPATH_UNAVAILABLE
}
