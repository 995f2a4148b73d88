package io.natgate.control.config;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A traversal provider from the config file, started on the Connectivity Platform with the gateway
 * (docs/providers.md). Property defaults and limits side by side.
 */
public sealed interface ProviderConfig
{
    /**
     * @return the {@code type:} of the entry.
     */
    String type();

    /**
     * NAT-PMP and PCP (RFC 6886, RFC 6887) port mapping requests from clients on the named inside ports.
     *
     * @param minLifetimeNs     the shortest mapping lifetime granted; shorter requests get it.
     * @param maxLifetimeNs     the longest mapping lifetime granted; longer requests get it.
     * @param thirdParty        whether a client may map another host (PCP THIRD_PARTY); off is secure mode,
     *                          where a client maps only its own address.
     * @param mappingsPerClient how many internal endpoints one client may have mapped (then USER_EX_QUOTA).
     */
    record NatPmpPcp(List<String> ports, long minLifetimeNs, long maxLifetimeNs, boolean thirdParty,
        int mappingsPerClient) implements ProviderConfig
    {
        public static final String TYPE = "natpmp-pcp";
        /** RFC 6887 section 15: a minimum of 120 s. */
        public static final long MIN_LIFETIME_DEFAULT_NS = TimeUnit.MINUTES.toNanos(2);
        public static final long MAX_LIFETIME_DEFAULT_NS = TimeUnit.HOURS.toNanos(24);
        public static final long LIFETIME_LIMIT_NS = TimeUnit.SECONDS.toNanos(0xFFFF_FFFFL);
        public static final int MAPPINGS_PER_CLIENT_DEFAULT = 64;

        /**
         * @throws IllegalArgumentException when the lifetimes are not 1 s <= min <= max <= 2^32-1 s, or the
         *                                  quota is not positive.
         */
        public NatPmpPcp
        {
            ports = List.copyOf(ports);
            if (minLifetimeNs < TimeUnit.SECONDS.toNanos(1) || maxLifetimeNs < minLifetimeNs ||
                maxLifetimeNs > LIFETIME_LIMIT_NS)
            {
                throw new IllegalArgumentException("need 1s <= minLifetime <= maxLifetime <= " +
                    Units.formatDuration(LIFETIME_LIMIT_NS));
            }
            if (mappingsPerClient < 1)
            {
                throw new IllegalArgumentException("mappingsPerClient must be positive");
            }
        }

        /**
         * Lifetimes 2 min to 24 h, secure mode, {@value #MAPPINGS_PER_CLIENT_DEFAULT} mappings per client.
         */
        public NatPmpPcp(final List<String> ports)
        {
            this(ports, MIN_LIFETIME_DEFAULT_NS, MAX_LIFETIME_DEFAULT_NS, false, MAPPINGS_PER_CLIENT_DEFAULT);
        }

        public String type()
        {
            return TYPE;
        }
    }

    /**
     * A VXLAN tunnel (RFC 7348) to a peer, reaching the remote subnet behind it.
     *
     * @param vni         the VXLAN network identifier, 24 bits.
     * @param localPort   the UDP port the tunnel uses on the gateway's outside address.
     * @param probe       the inner address the keepalive asks for by ARP: the peer's own address on the
     *                    remote subnet.
     * @param keepaliveNs how often the keepalive goes out.
     * @param timeoutNs   how long the peer may stay silent before the tunnel's session is terminated.
     */
    record Vxlan(Ipv4Endpoint peer, int vni, Ipv4Prefix remoteSubnet, int localPort, int probe, long keepaliveNs,
        long timeoutNs) implements ProviderConfig
    {
        public static final String TYPE = "vxlan";
        public static final int DEFAULT_PORT = 4789;
        public static final int MAX_VNI = (1 << 24) - 1;
        public static final long KEEPALIVE_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
        public static final long TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(30);

        /**
         * @throws IllegalArgumentException when the probe is off the remote subnet, or the keepalive is not
         *                                  shorter than the timeout.
         */
        public Vxlan
        {
            if (!remoteSubnet.contains(probe))
            {
                throw new IllegalArgumentException("the probe must be on the remote subnet " + remoteSubnet);
            }
            if (keepaliveNs <= 0 || timeoutNs <= keepaliveNs)
            {
                throw new IllegalArgumentException("need 0 < keepalive < timeout");
            }
        }

        /**
         * Local port {@value #DEFAULT_PORT}, the subnet's first host as the probe, a keepalive every 10 s and a
         * 30 s timeout.
         */
        public Vxlan(final Ipv4Endpoint peer, final int vni, final Ipv4Prefix remoteSubnet)
        {
            this(peer, vni, remoteSubnet, DEFAULT_PORT, firstHost(remoteSubnet), KEEPALIVE_DEFAULT_NS,
                TIMEOUT_DEFAULT_NS);
        }

        /**
         * @return the first host address of a subnet: the default probe (commonly the site's router or VTEP).
         */
        public static int firstHost(final Ipv4Prefix subnet)
        {
            return subnet.network() + (subnet.prefixLength() >= 31 ? 0 : 1);
        }

        public String type()
        {
            return TYPE;
        }
    }
}
