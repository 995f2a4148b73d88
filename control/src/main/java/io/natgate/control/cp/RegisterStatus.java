package io.natgate.control.cp;

/**
 * The outcome of {@link ConnectivityPlatform#register}. The failures are conditions the provider may
 * wait out or work around (and then register again, or destroy the instance), not bugs.
 */
public enum RegisterStatus
{
    REGISTERED,
    /** Every provider interface of the datapath is in use. */
    NO_FREE_INTERFACE,
    /** The interface id given was never handed out by this platform. */
    UNKNOWN_INTERFACE_ID,
    /** The interface id given belongs to an instance that is registered now. */
    INTERFACE_ID_IN_USE,
    /** The platform is shutting down or shut down. */
    PLATFORM_CLOSED
}
