package io.natgate.datapath.nat;

/**
 * Which inbound packets a mapping admits (RFC 4787 section 5).
 */
public enum FilteringMode
{
    /** Any remote endpoint may send to the mapping (REQ-8 "application transparency"). */
    ENDPOINT_INDEPENDENT,
    /** Only remote addresses the inside endpoint has sent to. */
    ADDRESS_DEPENDENT,
    /** Only remote address-and-port pairs the inside endpoint has sent to. */
    ADDRESS_AND_PORT_DEPENDENT
}
