package io.natgate.datapath.nat;

/**
 * The access policy the NAT engine's slow path consults before it creates a session for a new
 * flow; established flows never consult it. The firewall compiles its rules and sessions into an
 * immutable implementation and swaps it in on the worker thread ({@link NatEngine#flowPolicy}), so
 * deciding is a read of tables: an implementation must not block, allocate, or call into the control
 * plane. Addresses are IPv4 as ints, ports unsigned 16-bit (for ICMP the query identifier, and 0 for
 * the remote end).
 */
public interface FlowPolicy
{
    /**
     * Today's behaviour without a firewall: every outbound flow, and inbound whatever the mappings and
     * the filtering behaviour admit.
     */
    FlowPolicy ALLOW_ALL = new FlowPolicy()
    {
        public boolean allowOutbound(
            final long nowNs, final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
            final int remotePort)
        {
            return true;
        }

        public boolean allowInbound(
            final long nowNs, final int protocol, final int remoteAddress, final int remotePort, final int insideAddress,
            final int insidePort, final MappingKind mappingKind)
        {
            return true;
        }
    };

    /**
     * May an inside endpoint open a flow to a remote one?
     */
    boolean allowOutbound(long nowNs, int protocol, int insideAddress, int insidePort, int remoteAddress, int remotePort);

    /**
     * May a remote endpoint open a flow to an inside one through a mapping of this kind? Asked after
     * the mapping's own filtering admitted the remote.
     */
    boolean allowInbound(
        long nowNs, int protocol, int remoteAddress, int remotePort, int insideAddress, int insidePort,
        MappingKind mappingKind);
}
