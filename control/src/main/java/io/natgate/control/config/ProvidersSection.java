package io.natgate.control.config;

import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.nat.Ipv4;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.natgate.control.config.ConfigReads.BOOLEAN;
import static io.natgate.control.config.ConfigReads.DURATION;
import static io.natgate.control.config.ConfigReads.endpoint;
import static io.natgate.control.config.ConfigReads.network;
import static io.natgate.control.config.ConfigReads.optional;
import static io.natgate.control.config.ConfigReads.parse;

/**
 * Reads the {@code providers} section: each item a NAT-PMP/PCP server on inside ports or a VXLAN tunnel
 * to a remote subnet, by its {@code type}.
 */
final class ProvidersSection
{
    private static final Set<String> NATPMP_KEYS =
        Set.of("type", "ports", "minLifetime", "maxLifetime", "thirdParty", "mappingsPerClient");
    private static final Set<String> VXLAN_KEYS =
        Set.of("type", "peer", "vni", "remoteSubnet", "localPort", "probe", "keepalive", "timeout");
    private static final Map<String, String> PROVIDER_TYPES = ConfigNode.choices(
        new String[] {ProviderConfig.NatPmpPcp.TYPE, ProviderConfig.Vxlan.TYPE}, Function.identity());

    private ProvidersSection()
    {
    }

    static List<ProviderConfig> read(final ConfigNode node, final List<PortConfig> ports)
    {
        final List<ProviderConfig> providers = new ArrayList<>();
        if (node == null)
        {
            return providers;
        }
        for (final ConfigNode item : node.items())
        {
            final String type = item.require("type").asChoice(PROVIDER_TYPES);
            providers.add(type.equals(ProviderConfig.NatPmpPcp.TYPE) ? natPmpPcp(item, ports) : vxlan(item, ports));
        }
        return providers;
    }

    private static ProviderConfig natPmpPcp(final ConfigNode item, final List<PortConfig> ports)
    {
        item.keys(NATPMP_KEYS);
        final List<String> names = new ArrayList<>();
        for (final ConfigNode portNode : item.require("ports").items())
        {
            final String name = portNode.asText();
            final PortConfig port = ports.stream().filter(candidate -> candidate.name().equals(name)).findFirst()
                .orElseThrow(() -> portNode.error("no port by that name"));
            if (port.role() != PortRole.INSIDE)
            {
                throw portNode.error("not an inside port: NAT-PMP and PCP serve inside clients");
            }
            names.add(name);
        }
        final ProviderConfig.NatPmpPcp defaults = new ProviderConfig.NatPmpPcp(names);
        final long minLifetimeNs = optional(item.get("minLifetime"), DURATION, defaults.minLifetimeNs());
        final ConfigNode maxNode = item.get("maxLifetime");
        final long maxLifetimeNs = optional(maxNode, DURATION, Math.max(minLifetimeNs,
            defaults.maxLifetimeNs()));
        final ConfigNode quotaNode = item.get("mappingsPerClient");
        try
        {
            return new ProviderConfig.NatPmpPcp(names, minLifetimeNs, maxLifetimeNs,
                optional(item.get("thirdParty"), BOOLEAN, defaults.thirdParty()),
                quotaNode == null ? defaults.mappingsPerClient() : quotaNode.asInt(1, Integer.MAX_VALUE));
        }
        catch (final IllegalArgumentException ex)
        {
            throw (maxNode != null ? maxNode : item).error(ex.getMessage());
        }
    }

    private static ProviderConfig vxlan(final ConfigNode item, final List<PortConfig> ports)
    {
        item.keys(VXLAN_KEYS);
        final ConfigNode peerNode = item.require("peer");
        final String peerText = peerNode.asText();
        final Ipv4Endpoint peer = peerText.contains(":") ? endpoint(peerNode, peerText, 1) :
            new Ipv4Endpoint(parse(peerNode, Ipv4::parse), ProviderConfig.Vxlan.DEFAULT_PORT);
        final int vni = item.require("vni").asInt(0, ProviderConfig.Vxlan.MAX_VNI);
        final ConfigNode subnetNode = item.require("remoteSubnet");
        final Ipv4Prefix subnet = network(subnetNode);
        for (final PortConfig port : ports)
        {
            if (subnet.overlaps(port.prefix()))
            {
                throw subnetNode.error("overlaps port " + port.name() + " (" + port.prefix() + ")");
            }
        }
        final ConfigNode portNode = item.get("localPort");
        final ConfigNode probeNode = item.get("probe");
        final ConfigNode timeoutNode = item.get("timeout");
        final long keepaliveNs =
            optional(item.get("keepalive"), DURATION, ProviderConfig.Vxlan.KEEPALIVE_DEFAULT_NS);
        try
        {
            return new ProviderConfig.Vxlan(peer, vni, subnet,
                portNode == null ? ProviderConfig.Vxlan.DEFAULT_PORT : portNode.asInt(1, 65535),
                probeNode == null ? ProviderConfig.Vxlan.firstHost(subnet) : parse(probeNode, Ipv4::parse),
                keepaliveNs, optional(timeoutNode, DURATION,
                    Math.max(ProviderConfig.Vxlan.TIMEOUT_DEFAULT_NS, 3 * keepaliveNs)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw (probeNode != null && !subnet.contains(parse(probeNode, Ipv4::parse)) ? probeNode :
                timeoutNode != null ? timeoutNode : item).error(ex.getMessage());
        }
    }
}
