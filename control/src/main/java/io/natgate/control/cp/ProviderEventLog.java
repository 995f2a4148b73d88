package io.natgate.control.cp;

import java.io.PrintStream;

/**
 * Provider lifecycle events as lines on the gateway's log, until the journal records them.
 */
public final class ProviderEventLog implements ProviderEventListener
{
    private final PrintStream log;

    public ProviderEventLog(final PrintStream log)
    {
        this.log = log;
    }

    public void onInstanceRegistered(
        final long timeEpochNs, final long instanceId, final long interfaceId, final String friendlyName)
    {
        log.printf("natgate: provider %d registered as interface %d \"%s\"%n", instanceId, interfaceId, friendlyName);
    }

    public void onInstanceActive(final long timeEpochNs, final long instanceId)
    {
        log.printf("natgate: provider %d active%n", instanceId);
    }

    public void onInstanceTerminated(final long timeEpochNs, final long instanceId, final TerminationReason reason)
    {
        log.printf("natgate: provider %d terminated: %s%n", instanceId, reason);
    }

    public void onInstanceDeregistered(final long timeEpochNs, final long instanceId)
    {
        log.printf("natgate: provider %d deregistered%n", instanceId);
    }
}
