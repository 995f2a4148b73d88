package io.natgate.control.config;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code export:} section: where NAT events go besides the journal, as IPFIX (RFC 7011 with the NAT
 * information elements of RFC 8158) and as syslog (RFC 5424), both over UDP.
 *
 * @param sourceAddress     0: sent from the host's own stack; else one of the gateway's port addresses, and
 *                          the datagrams leave in-band through the datapath from it.
 * @param sourcePort        the UDP source port of in-band datagrams.
 * @param ipfixCollectors   IPFIX collectors (none: no IPFIX).
 * @param templateRefreshNs templates are sent again this often (RFC 7011 section 8.4, UDP).
 * @param observationDomain the IPFIX observation domain id.
 * @param syslogCollectors  syslog receivers (none: no syslog).
 * @param hostname          the syslog HOSTNAME field.
 * @param sessions          whether sessions (with their destinations) are exported too; off by default
 *                          (RFC 6888 REQ-12), mappings and blocks always.
 * @param poolId            natPoolId of every record.
 * @param poolName          natPoolName, in the syslog lines and the IPFIX pool-exhausted records.
 */
public record ExportConfig(
    int sourceAddress, int sourcePort, List<Ipv4Endpoint> ipfixCollectors, long templateRefreshNs,
    int observationDomain, List<Ipv4Endpoint> syslogCollectors, String hostname, boolean sessions, int poolId,
    String poolName)
{
    public static final int SOURCE_PORT_DEFAULT = 4739;
    public static final long TEMPLATE_REFRESH_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);
    public static final int OBSERVATION_DOMAIN_DEFAULT = 1;
    public static final String HOSTNAME_DEFAULT = "natgate";
    public static final int POOL_ID_DEFAULT = 1;
    public static final String POOL_NAME_DEFAULT = "default";

    public static final ExportConfig NONE = new ExportConfig(0, SOURCE_PORT_DEFAULT, List.of(),
        TEMPLATE_REFRESH_DEFAULT_NS, OBSERVATION_DOMAIN_DEFAULT, List.of(), HOSTNAME_DEFAULT, false, POOL_ID_DEFAULT,
        POOL_NAME_DEFAULT);

    public ExportConfig
    {
        ipfixCollectors = List.copyOf(ipfixCollectors);
        syslogCollectors = List.copyOf(syslogCollectors);
    }

    /**
     * @return whether anything is exported.
     */
    public boolean enabled()
    {
        return !ipfixCollectors.isEmpty() || !syslogCollectors.isEmpty();
    }
}
