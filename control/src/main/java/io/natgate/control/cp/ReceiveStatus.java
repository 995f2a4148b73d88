package io.natgate.control.cp;

/**
 * The outcome of {@link ConnectivityPlatform#indicateReceivedBuffers}. Only {@link #ACCEPTED} lets
 * the packet into the datapath; the platform copied it, so the provider's buffer is free either way.
 */
public enum ReceiveStatus
{
    ACCEPTED,
    /** The interface's receive queue is full; the packet is dropped and counted. */
    QUEUE_FULL,
    /** The instance has no active session. */
    NOT_ACTIVE,
    /** The local id is not the instance's, or the remote id is not one found reachable over it. */
    UNKNOWN_TRANSPORT_ID,
    /** Not an IPv4 packet, longer than the interface's MTU, or its source is outside the remote transport id. */
    MALFORMED
}
