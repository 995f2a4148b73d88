package io.natgate.control.cp;

/**
 * Every lifecycle step of every provider instance, with the time it happened (nanoseconds since
 * the epoch, from {@link PlatformConfig#epochClock()}). The journal implements it; so does anything
 * replaying one. Calls for one instance come in lifecycle order, under that instance's lock: an
 * implementation must be quick, must not block and must not call the platform.
 */
public interface ProviderEventListener
{
    /**
     * A listener that ignores every event.
     */
    ProviderEventListener NONE = new ProviderEventListener()
    {
    };

    default void onInstanceCreated(final long timeEpochNs, final long instanceId)
    {
    }

    default void onInstanceRegistered(
        final long timeEpochNs, final long instanceId, final long interfaceId, final String friendlyName)
    {
    }

    default void onInstanceActive(final long timeEpochNs, final long instanceId)
    {
    }

    default void onInstanceTerminated(final long timeEpochNs, final long instanceId, final TerminationReason reason)
    {
    }

    default void onInstanceDeregistered(final long timeEpochNs, final long instanceId)
    {
    }

    default void onInstanceDestroyed(final long timeEpochNs, final long instanceId)
    {
    }
}
