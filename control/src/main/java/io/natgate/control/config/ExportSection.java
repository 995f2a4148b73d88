package io.natgate.control.config;

import io.natgate.datapath.nat.Ipv4;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.config.ConfigReads.endpoint;
import static io.natgate.control.config.ConfigReads.optional;
import static io.natgate.control.config.ConfigReads.parse;
import static io.natgate.control.config.ConfigReads.section;

/**
 * Reads the {@code export} section: where NAT records are sent as IPFIX and syslog, from which of the
 * gateway's addresses, and what they say.
 */
final class ExportSection
{
    private static final Set<String> EXPORT_KEYS =
        Set.of("source", "sourcePort", "sessions", "poolId", "poolName", "ipfix", "syslog");
    private static final Set<String> IPFIX_KEYS = Set.of("collectors", "templateRefresh", "observationDomain");
    private static final Set<String> SYSLOG_KEYS = Set.of("collectors", "hostname");

    private ExportSection()
    {
    }

    static ExportConfig read(final ConfigNode node, final List<PortConfig> ports)
    {
        if (node == null)
        {
            return ExportConfig.NONE;
        }
        node.keys(EXPORT_KEYS);
        final ExportConfig none = ExportConfig.NONE;
        int source = 0;
        final ConfigNode sourceNode = node.get("source");
        if (sourceNode != null)
        {
            source = parse(sourceNode, Ipv4::parse);
            final int address = source;
            if (ports.stream().noneMatch(port -> port.settings().address() == address))
            {
                throw sourceNode.error("not the address of one of the gateway's ports");
            }
        }
        final ConfigNode ipfix = section(node, "ipfix", IPFIX_KEYS);
        final ConfigNode syslog = section(node, "syslog", SYSLOG_KEYS);
        final List<Ipv4Endpoint> ipfixCollectors = collectors(ipfix);
        final List<Ipv4Endpoint> syslogCollectors = collectors(syslog);
        final ConfigNode refreshNode = ipfix == null ? null : ipfix.get("templateRefresh");
        final long refreshNs = refreshNode == null ? none.templateRefreshNs() :
            refreshNode.asDurationNs(TimeUnit.SECONDS.toNanos(1),
                TimeUnit.HOURS.toNanos(1));
        final ConfigNode domainNode = ipfix == null ? null : ipfix.get("observationDomain");
        final ConfigNode hostnameNode = syslog == null ? null : syslog.get("hostname");
        String hostname = none.hostname();
        if (hostnameNode != null)
        {
            hostname = hostnameNode.asText();
            if (!hostname.matches("[!-~]{1,255}"))
            {
                throw hostnameNode.error("a syslog HOSTNAME is 1..255 printable characters without spaces");
            }
        }
        final ConfigNode poolNameNode = node.get("poolName");
        String poolName = none.poolName();
        if (poolNameNode != null)
        {
            poolName = poolNameNode.asText();
            if (!poolName.matches("[!-~]{1,64}"))
            {
                throw poolNameNode.error("a pool name is 1..64 printable characters without spaces");
            }
        }
        return new ExportConfig(source, optional(node.get("sourcePort"), n -> n.asInt(1, 65_535),
            none.sourcePort()), ipfixCollectors, refreshNs,
            optional(domainNode, n -> n.asInt(0, Integer.MAX_VALUE), none.observationDomain()), syslogCollectors,
            hostname, optional(node.get("sessions"), ConfigNode::asBoolean, none.sessions()),
            optional(node.get("poolId"), n -> n.asInt(0, Integer.MAX_VALUE), none.poolId()), poolName);
    }

    private static List<Ipv4Endpoint> collectors(final ConfigNode section)
    {
        final List<Ipv4Endpoint> collectors = new ArrayList<>();
        final ConfigNode node = section == null ? null : section.get("collectors");
        if (node != null)
        {
            for (final ConfigNode item : node.items())
            {
                collectors.add(endpoint(item, item.asText(), 1));
            }
            if (collectors.size() > 8)
            {
                throw node.error("at most 8 collectors");
            }
        }
        return collectors;
    }

}
