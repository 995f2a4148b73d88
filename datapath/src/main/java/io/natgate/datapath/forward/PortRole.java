package io.natgate.datapath.forward;

/**
 * Which side of the NAT a port faces.
 */
public enum PortRole
{
    /** Faces the private clients; their traffic is translated outbound. */
    INSIDE,
    /**
     * Faces the public network; the public address pool lives here. A traversal provider's
     * interface is an outside port too (raw IP, reached through routes the control plane adds).
     */
    OUTSIDE
}
