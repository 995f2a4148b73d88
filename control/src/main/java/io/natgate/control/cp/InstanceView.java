package io.natgate.control.cp;

import java.util.List;

/**
 * A provider instance as listed by {@link ConnectivityPlatform#instances()}: a snapshot for the
 * admin endpoint and {@code natgate providers list}.
 *
 * @param friendlyName       the interface name of the current or last registration; null if never registered.
 * @param interfaceId        the interface id of the current or last registration; 0 if never registered.
 * @param terminationReason  why the current or last session ended; null while none has.
 * @param portName           the datapath port of the current registration; null when not registered.
 * @param securityDescriptor the security descriptor of the current registration; null for none.
 * @param routes             the prefixes routed to the instance, {@code a.b.c.d/n}.
 * @param outstandingCalls   calls made to the provider and not yet completed.
 * @param packetsSent        packets handed to send buffers and completed successfully.
 * @param packetsReceived    packets indicated and accepted into the datapath.
 * @param packetsDropped     packets for the instance dropped: no session, no route, send failed, queue full.
 */
public record InstanceView(
    long instanceId, String friendlyName, long interfaceId, InstanceState state, TerminationReason terminationReason,
    String portName, String securityDescriptor, List<String> routes, int outstandingCalls, long packetsSent,
    long packetsReceived, long packetsDropped)
{
}
