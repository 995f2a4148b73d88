package io.natgate.datapath.forward;

/**
 * Which side of the NAT a port faces.
 */
public enum PortRole
{
    /** Faces the private clients; their traffic is translated outbound. */
    INSIDE,
    /** Faces the public network; the public address pool lives here. */
    OUTSIDE
}
