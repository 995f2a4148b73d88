package io.natgate.control.config;

import java.util.List;

/**
 * A traversal provider from the config file, plugged into the Connectivity Platform at start.
 * Accepted and validated now; the providers arrive with later work.
 */
public sealed interface ProviderConfig
{
    /**
     * @return the {@code type:} of the entry.
     */
    String type();

    /**
     * NAT-PMP and PCP (RFC 6886, RFC 6887) port mapping requests from clients on the named inside ports.
     */
    record NatPmpPcp(List<String> ports) implements ProviderConfig
    {
        public static final String TYPE = "natpmp-pcp";

        public NatPmpPcp
        {
            ports = List.copyOf(ports);
        }

        public String type()
        {
            return TYPE;
        }
    }

    /**
     * A VXLAN tunnel (RFC 7348) to a peer, reaching the remote subnet behind it.
     *
     * @param vni the VXLAN network identifier, 24 bits.
     */
    record Vxlan(Ipv4Endpoint peer, int vni, Ipv4Prefix remoteSubnet) implements ProviderConfig
    {
        public static final String TYPE = "vxlan";
        public static final int DEFAULT_PORT = 4789;
        public static final int MAX_VNI = (1 << 24) - 1;

        public String type()
        {
            return TYPE;
        }
    }
}
