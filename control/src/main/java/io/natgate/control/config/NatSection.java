package io.natgate.control.config;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.natgate.control.config.ConfigReads.BOOLEAN;
import static io.natgate.control.config.ConfigReads.DURATION;
import static io.natgate.control.config.ConfigReads.INTEGER;
import static io.natgate.control.config.ConfigReads.endpoint;
import static io.natgate.control.config.ConfigReads.optional;
import static io.natgate.control.config.ConfigReads.parse;
import static io.natgate.control.config.ConfigReads.section;

/**
 * Reads the {@code nat} section: its values become setters of a fresh {@link NatConfig} (which checks
 * them), its table sizes overrides of the hardware profile's, its deterministic map and static mappings
 * objects of their own.
 */
final class NatSection
{
    private static final Set<String> NAT_KEYS = Set.of(
        "publicAddresses", "filtering", "timeouts", "quotas", "maxSessions", "maxMappings", "maxClients",
        "staticMappings", "inboundRefresh", "portPreservation", "portParity", "hairpinning", "verifyChecksums",
        "fragments", "portBlocks", "deterministic");
    private static final Set<String> PORT_BLOCK_KEYS = Set.of("size", "maxPerClient", "interimLog");
    private static final Set<String> DETERMINISTIC_KEYS = Set.of("inside", "public", "firstPort", "portsPerHost");
    private static final Set<String> TIMEOUT_KEYS = Set.of("udp", "tcpEstablished", "tcpTransitory", "icmp");
    private static final Set<String> QUOTA_KEYS =
        Set.of("portsPerClient", "sessionsPerClient", "inboundSessionsPerRemote", "sessionsPerInboundMapping");
    private static final Set<String> FRAGMENT_KEYS = Set.of("maxHeld", "maxFlows", "timeout");
    private static final Set<String> STATIC_MAPPING_KEYS = Set.of("protocol", "public", "inside");
    /** Config keys that override a hardware profile's table capacities, and the profile key each sets. */
    private static final Map<String, String> TABLE_OVERRIDES = Map.of(
        "maxSessions", "tables.maxSessions", "maxMappings", "tables.maxMappings", "maxClients", "tables.maxClients");
    private static final Map<String, FilteringMode> FILTERING_MODES = ConfigNode.choices(FilteringMode.class);
    private static final Map<String, Integer> MAPPING_PROTOCOLS =
        ConfigNode.choices(new Integer[] {Ipv4Protocols.TCP, Ipv4Protocols.UDP}, Ipv4Protocols::name);

    private NatSection()
    {
    }

    /**
     * @param settings         a setter of each value the section gives, for a fresh {@link NatConfig}, added to.
     * @param profileOverrides the profile keys the section's table sizes override, and the node of each.
     * @param origins          where each datapath key's value came from, filled in.
     */
    static void read(
        final ConfigNode nat,
        final List<Consumer<NatConfig>> settings,
        final Map<String, ConfigNode> profileOverrides,
        final Map<String, Location> origins)
    {
        nat.keys(NAT_KEYS);
        final ConfigNode deterministicNode = section(nat, "deterministic", DETERMINISTIC_KEYS);
        final ConfigNode addressesNode =
            deterministicNode == null ? nat.require("publicAddresses") : nat.get("publicAddresses");
        if (addressesNode != null)
        {
            final List<ConfigNode> items = addressesNode.items();
            final int[] addresses = new int[items.size()];
            for (int i = 0; i < addresses.length; i++)
            {
                addresses[i] = parse(items.get(i), Ipv4::parse);
            }
            settings.add(config -> config.publicAddresses(addresses));
            origins.put(NatConfig.PUBLIC_ADDRESSES, addressesNode.location().derived(addressesNode.path(), null));
        }
        if (deterministicNode != null)
        {
            final DeterministicMap map = readDeterministic(deterministicNode);
            settings.add(config -> config.deterministic(map));
        }

        final NatSettings read = new NatSettings(settings, origins);
        final ConfigNode portBlocks = section(nat, "portBlocks", PORT_BLOCK_KEYS);
        if (portBlocks != null)
        {
            portBlocks.require("size");
        }
        read.value(portBlocks, "size", NatConfig.PORT_BLOCK_SIZE, INTEGER, NatConfig::portBlockSize);
        read.value(portBlocks, "maxPerClient", NatConfig.PORT_BLOCKS_PER_CLIENT, INTEGER,
            NatConfig::portBlocksPerClient);
        read.value(portBlocks, "interimLog", NatConfig.PORT_BLOCK_INTERIM, DURATION, NatConfig::portBlockInterimNs);
        read.value(nat, "filtering", NatConfig.FILTERING, node -> node.asChoice(FILTERING_MODES), NatConfig::filtering);

        final ConfigNode timeouts = section(nat, "timeouts", TIMEOUT_KEYS);
        read.value(timeouts, "udp", NatConfig.UDP_TIMEOUT, DURATION, NatConfig::udpTimeoutNs);
        read.value(timeouts, "tcpEstablished", NatConfig.TCP_ESTABLISHED_TIMEOUT, DURATION,
            NatConfig::tcpEstablishedTimeoutNs);
        read.value(timeouts, "tcpTransitory", NatConfig.TCP_TRANSITORY_TIMEOUT, DURATION,
            NatConfig::tcpTransitoryTimeoutNs);
        read.value(timeouts, "icmp", NatConfig.ICMP_TIMEOUT, DURATION, NatConfig::icmpTimeoutNs);

        final ConfigNode quotas = section(nat, "quotas", QUOTA_KEYS);
        read.value(quotas, "portsPerClient", NatConfig.PORTS_PER_CLIENT, INTEGER, NatConfig::portsPerClient);
        read.value(quotas, "sessionsPerClient", NatConfig.SESSIONS_PER_CLIENT, INTEGER, NatConfig::sessionsPerClient);
        read.value(quotas, "inboundSessionsPerRemote", NatConfig.INBOUND_SESSIONS_PER_REMOTE, INTEGER,
            NatConfig::inboundSessionsPerRemote);
        read.value(quotas, "sessionsPerInboundMapping", NatConfig.SESSIONS_PER_INBOUND_MAPPING, INTEGER,
            NatConfig::sessionsPerInboundMapping);

        read.value(nat, "inboundRefresh", NatConfig.INBOUND_REFRESH, BOOLEAN, NatConfig::inboundRefresh);
        read.value(nat, "portPreservation", NatConfig.PORT_PRESERVATION, BOOLEAN, NatConfig::portPreservation);
        read.value(nat, "portParity", NatConfig.PORT_PARITY, BOOLEAN, NatConfig::portParity);
        read.value(nat, "hairpinning", NatConfig.HAIRPINNING, BOOLEAN, NatConfig::hairpinning);
        read.value(nat, "verifyChecksums", NatConfig.VERIFY_CHECKSUMS, BOOLEAN, NatConfig::verifyChecksums);

        final ConfigNode fragments = section(nat, "fragments", FRAGMENT_KEYS);
        read.value(fragments, "maxHeld", NatConfig.MAX_HELD_FRAGMENTS, INTEGER, NatConfig::maxHeldFragments);
        read.value(fragments, "maxFlows", NatConfig.MAX_FRAGMENT_FLOWS, INTEGER, NatConfig::maxFragmentFlows);
        read.value(fragments, "timeout", NatConfig.FRAGMENT_TIMEOUT, DURATION, NatConfig::fragmentTimeoutNs);

        for (final Map.Entry<String, String> table : TABLE_OVERRIDES.entrySet())
        {
            final ConfigNode tableNode = nat.get(table.getKey());
            if (tableNode != null)
            {
                profileOverrides.put(table.getValue(), tableNode);
            }
        }
    }

    /**
     * @return the deterministic map of a config file's root, or null when the file has none.
     */
    static DeterministicMap deterministic(final ConfigNode root)
    {
        final ConfigNode nat = root.get("nat");
        final ConfigNode node = nat == null ? null : section(nat, "deterministic", DETERMINISTIC_KEYS);
        return node == null ? null : readDeterministic(node);
    }

    /**
     * Reads {@code nat.deterministic}: the inside prefix, the public addresses (addresses or prefixes, every
     * address of a prefix in order), the first port and ports per host; the map refuses what cannot work.
     */
    private static DeterministicMap readDeterministic(final ConfigNode node)
    {
        final ConfigNode insideNode = node.require("inside");
        final Ipv4Prefix inside = parse(insideNode, Ipv4Prefix::parseNetwork);
        final ConfigNode publicNode = node.require("public");
        final List<Integer> addresses = new ArrayList<>();
        for (final ConfigNode item : publicNode.items())
        {
            final Ipv4Prefix prefix = parse(item, text -> text.contains("/") ? Ipv4Prefix.parseNetwork(text) :
                new Ipv4Prefix(Ipv4.parse(text), 32));
            if (prefix.prefixLength() < 16)
            {
                throw item.error("at most a /16 of public addresses");
            }
            for (long i = 0; i < 1L << (32 - prefix.prefixLength()); i++)
            {
                final int address = prefix.address() + (int)i;
                if (addresses.contains(address))
                {
                    throw item.error(Ipv4.toString(address) + " listed twice");
                }
                addresses.add(address);
            }
        }
        final ConfigNode firstPortNode = node.get("firstPort");
        final ConfigNode portsNode = node.get("portsPerHost");
        try
        {
            return new DeterministicMap(inside.address(), inside.prefixLength(),
                addresses.stream().mapToInt(Integer::intValue).toArray(),
                optional(firstPortNode, n -> n.asInt(1, 65_535), DeterministicMap.FIRST_PORT_DEFAULT),
                optional(portsNode, n -> n.asInt(0, 65_535), DeterministicMap.PORTS_PER_HOST_DEFAULT));
        }
        catch (final ConfigurationException ex)
        {
            final ConfigNode at = switch (ex.key())
            {
                case DeterministicMap.FIRST_PORT -> firstPortNode;
                case DeterministicMap.PORTS_PER_HOST -> portsNode;
                case DeterministicMap.INSIDE -> insideNode;
                default -> publicNode;
            };
            throw (at == null ? node : at).error(ex.getMessage().substring(ex.getMessage().indexOf(": ") + 2));
        }
    }

    /**
     * Reads {@code nat.staticMappings}: each on a public address, to a host on an inside port's network, and
     * each public endpoint forwarded once.
     */
    static List<StaticMapping> staticMappings(
        final ConfigNode nat, final int[] publicAddresses, final List<PortConfig> ports)
    {
        final ConfigNode node = nat.get("staticMappings");
        final List<StaticMapping> mappings = new ArrayList<>();
        if (node == null)
        {
            return mappings;
        }
        final Map<Long, String> forwarded = new HashMap<>();
        for (final ConfigNode item : node.items())
        {
            item.keys(STATIC_MAPPING_KEYS);
            final int protocol = item.require("protocol").asChoice(MAPPING_PROTOCOLS);
            final ConfigNode publicNode = item.require("public");
            final Ipv4Endpoint publicEndpoint = endpoint(publicNode, publicNode.asText(), 1);
            if (!contains(publicAddresses, publicEndpoint.address()))
            {
                throw publicNode.error("not on a public address (nat.publicAddresses)");
            }
            final ConfigNode insideNode = item.require("inside");
            final Ipv4Endpoint insideEndpoint = endpoint(insideNode, insideNode.asText(), 1);
            final PortConfig insidePort = ports.stream()
                .filter(port -> port.role() == PortRole.INSIDE && port.prefix().contains(insideEndpoint.address()))
                .findFirst()
                .orElseThrow(() -> insideNode.error("not on the network of an inside port"));
            if (insidePort.settings().address() == insideEndpoint.address())
            {
                throw insideNode.error("is the gateway's own address on port " + insidePort.name());
            }
            final long key = (long)protocol << 48 | (publicEndpoint.address() & 0xFFFF_FFFFL) << 16 | publicEndpoint.port();
            final String earlier = forwarded.putIfAbsent(key, item.path());
            if (earlier != null)
            {
                throw publicNode.error("already forwarded by " + earlier);
            }
            mappings.add(new StaticMapping(protocol, publicEndpoint, insideEndpoint));
        }
        return mappings;
    }

    /**
     * Collects the NAT settings a file gives: a setter of each value for a fresh {@link NatConfig},
     * and where each datapath key's value came from.
     */
    private record NatSettings(List<Consumer<NatConfig>> setters, Map<String, Location> origins)
    {
        <T> void value(
            final ConfigNode section, final String key, final String datapathKey, final Function<ConfigNode, T> reader,
            final BiConsumer<NatConfig, T> setter)
        {
            final ConfigNode node = section == null ? null : section.get(key);
            if (node != null)
            {
                final T value = reader.apply(node);
                setters.add(config -> setter.accept(config, value));
                origins.put(datapathKey, node.location());
            }
        }
    }

    private static boolean contains(final int[] values, final int value)
    {
        for (final int candidate : values)
        {
            if (candidate == value)
            {
                return true;
            }
        }
        return false;
    }
}
