package io.natgate.control.providers.pcp;

/**
 * What the PCP server asks of the gateway: inbound mappings to clients, each a firewall session's, and
 * whether the access rules would let their traffic through. {@link FirewallPortMapper} is the gateway's.
 */
public interface PortMapper
{
    /**
     * A mapping as the NAT granted it.
     */
    record Grant(int publicAddress, int publicPort)
    {
    }

    /**
     * The gateway would not grant a mapping; {@link #result} is the PCP result code that says why.
     */
    final class Refused extends RuntimeException
    {
        private final PcpResult result;

        public Refused(final PcpResult result, final String message)
        {
            super(message);
            this.result = result;
        }

        public PcpResult result()
        {
            return result;
        }
    }

    /**
     * Opens, or renews and changes, the inbound mapping of a client's internal endpoint.
     *
     * @param suggestedPort  the public port wanted, 0 for any (the NAT prefers the internal port).
     * @param remoteAddress  the only remote that may use it inbound, 0 for any.
     * @param lifetimeNs     how long the NAT keeps it unless renewed or closed.
     * @throws Refused when it cannot be granted.
     */
    Grant open(int protocol, int client, int internalPort, int suggestedPort, int remoteAddress, long lifetimeNs);

    /**
     * Closes a mapping {@link #open} granted; one already gone is not an error.
     */
    void close(int protocol, int client, int internalPort);

    /**
     * @param remoteAddress 0 for any remote.
     * @return whether the access rules let a remote reach the client's internal port through a mapping.
     */
    boolean inboundAllowed(int protocol, int client, int internalPort, int remoteAddress);

    /**
     * @return whether the access rules let the client open a flow to the remote endpoint.
     */
    boolean outboundAllowed(int protocol, int client, int remoteAddress, int remotePort);

    /**
     * @return the NAT's public addresses, the first of which is announced.
     */
    int[] publicAddresses();
}
