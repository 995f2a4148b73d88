package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.Ipv6Policy;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.port.LinkLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads and validates a config file into a {@link GatewayConfig}. Every refusal is one
 * {@link ConfigException} naming the line, the key path and the value; the datapath's own checks
 * ({@link NatConfig#validate()}, {@link ForwarderConfig#validate()}, {@link PortSettings}) are called,
 * and their errors traced back to the line of the key they name. The commented example,
 * {@code config/natgate.example.yaml}, documents every key.
 */
public final class ConfigLoader
{
    /** Where the admin endpoint listens when the file does not say: loopback only. */
    public static final String ADMIN_ADDRESS_DEFAULT = "127.0.0.1:9464";
    /** Where the journal is written when the file does not say. */
    public static final String JOURNAL_DIRECTORY_DEFAULT = JournalConfig.DIRECTORY_DEFAULT;

    private static final Set<String> TOP_KEYS =
        Set.of("profile", "ports", "nat", "ipv6", "firewall", "providers", "journal", "admin", "export");
    private static final Set<String> PORT_KEYS =
        Set.of("name", "interface", "backend", "role", "address", "nextHop", "routes", "mac", "mtu", "vlan");
    private static final Set<String> NAT_KEYS = Set.of(
        "publicAddresses", "filtering", "timeouts", "quotas", "maxSessions", "maxMappings", "maxClients",
        "staticMappings", "inboundRefresh", "portPreservation", "portParity", "hairpinning", "verifyChecksums",
        "fragments", "portBlocks", "deterministic");
    private static final Set<String> PORT_BLOCK_KEYS = Set.of("size", "maxPerClient", "interimLog");
    private static final Set<String> DETERMINISTIC_KEYS = Set.of("inside", "public", "firstPort", "portsPerHost");
    private static final Set<String> EXPORT_KEYS =
        Set.of("source", "sourcePort", "sessions", "poolId", "poolName", "ipfix", "syslog");
    private static final Set<String> IPFIX_KEYS = Set.of("collectors", "templateRefresh", "observationDomain");
    private static final Set<String> SYSLOG_KEYS = Set.of("collectors", "hostname");
    private static final Set<String> TIMEOUT_KEYS = Set.of("udp", "tcpEstablished", "tcpTransitory", "icmp");
    private static final Set<String> QUOTA_KEYS = Set.of("portsPerClient", "sessionsPerClient", "inboundSessionsPerRemote", "sessionsPerInboundMapping");
    private static final Set<String> FRAGMENT_KEYS = Set.of("maxHeld", "maxFlows", "timeout");
    private static final Set<String> STATIC_MAPPING_KEYS = Set.of("protocol", "public", "inside");
    private static final Set<String> RULE_KEYS =
        Set.of("name", "action", "direction", "protocol", "source", "destination", "ports", "user", "group");
    private static final Set<String> NATPMP_KEYS =
        Set.of("type", "ports", "minLifetime", "maxLifetime", "thirdParty", "mappingsPerClient");
    private static final Set<String> VXLAN_KEYS =
        Set.of("type", "peer", "vni", "remoteSubnet", "localPort", "probe", "keepalive", "timeout");
    private static final Set<String> JOURNAL_KEYS = Set.of("directory", "rollCycle", "retention", "destinations");
    private static final Map<String, JournalConfig.RollCycle> ROLL_CYCLES =
        ConfigNode.choices(JournalConfig.RollCycle.class);
    /** Config keys that override a hardware profile's table capacities, and the profile key each sets. */
    private static final Map<String, String> TABLE_OVERRIDES = Map.of(
        "maxSessions", "tables.maxSessions", "maxMappings", "tables.maxMappings", "maxClients", "tables.maxClients");

    private static final Map<String, PortRole> ROLES = ConfigNode.choices(PortRole.class);
    private static final Map<String, Ipv6Policy> IPV6_POLICIES = ConfigNode.choices(Ipv6Policy.class);
    private static final Map<String, FilteringMode> FILTERING_MODES = ConfigNode.choices(FilteringMode.class);
    private static final Map<String, FirewallRuleConfig.Action> ACTIONS =
        ConfigNode.choices(FirewallRuleConfig.Action.class);
    private static final Map<String, FirewallRuleConfig.Direction> DIRECTIONS =
        ConfigNode.choices(FirewallRuleConfig.Direction.class);
    private static final Map<String, Integer> MAPPING_PROTOCOLS =
        ConfigNode.choices(new Integer[] {Ipv4Protocols.TCP, Ipv4Protocols.UDP}, Ipv4Protocols::name);
    private static final Map<String, String> RULE_PROTOCOLS =
        ConfigNode.choices(new String[] {"any", "tcp", "udp", "icmp"}, Function.identity());
    private static final Map<String, String> PROVIDER_TYPES = ConfigNode.choices(
        new String[] {ProviderConfig.NatPmpPcp.TYPE, ProviderConfig.Vxlan.TYPE}, Function.identity());
    private static final Map<String, Backend> BACKENDS = ConfigNode.choices(Backend.values(), Backend::configName);
    private static final Function<ConfigNode, Long> DURATION = node -> node.asDurationNs(0, Long.MAX_VALUE);
    private static final Function<ConfigNode, Integer> INTEGER =
        node -> node.asInt(Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final Function<ConfigNode, Boolean> BOOLEAN = ConfigNode::asBoolean;

    private final OperatingSystem os;
    private final NetworkInterfaces interfaces;

    /**
     * @param os         the system the gateway will run on: decides which backends are available.
     * @param interfaces where ports' interfaces are looked up.
     */
    public ConfigLoader(final OperatingSystem os, final NetworkInterfaces interfaces)
    {
        this.os = os;
        this.interfaces = interfaces;
    }

    /**
     * @return a loader for the host this runs on.
     */
    public static ConfigLoader forThisHost()
    {
        return new ConfigLoader(OperatingSystem.current(), NetworkInterfaces.forThisHost(OperatingSystem.current()));
    }

    /**
     * @throws ConfigException naming the line, key and value of the first refused setting.
     */
    public GatewayConfig load(final Path file)
    {
        final Path directory = file.toAbsolutePath().getParent();
        return read(ConfigNode.parseFile(file), directory);
    }

    /**
     * Like {@link #load}, for text already read.
     *
     * @param source    the file's name as errors give it.
     * @param directory what relative paths in the text are resolved against.
     */
    public GatewayConfig parse(final String source, final Path directory, final String text)
    {
        return read(ConfigNode.parse(source, text), directory);
    }

    private GatewayConfig read(final ConfigNode root, final Path directory)
    {
        root.keys(TOP_KEYS);
        final Location document = new Location(root.source(), 1, "", null);
        final Map<String, Location> origins = new HashMap<>();

        final ConfigNode profileNode = root.get("profile");
        if (profileNode != null && profileNode.asText().isBlank())
        {
            throw profileNode.error("a hardware profile name is needed");
        }

        final ConfigNode portsNode = root.require("ports");
        origins.put("ports", portsNode.location().derived("ports", null));
        final List<PortConfig> ports = new ArrayList<>();
        for (final ConfigNode portNode : portsNode.items())
        {
            final PortConfig port = readPort(ports.size(), portNode, origins);
            for (final PortConfig earlier : ports)
            {
                if (earlier.interfaceName().equals(port.interfaceName()))
                {
                    throw portNode.get("interface").error("the interface of ports[" + ports.indexOf(earlier) + "] (" +
                        earlier.name() + ") too: each port needs an interface of its own");
                }
            }
            ports.add(port);
        }
        Ipv6Policy ipv6 = ForwarderConfig.IPV6_DEFAULT;
        final ConfigNode ipv6Node = root.get("ipv6");
        if (ipv6Node != null)
        {
            ipv6 = ipv6Node.asChoice(IPV6_POLICIES);
            origins.put(ForwarderConfig.IPV6, ipv6Node.location());
        }

        final ConfigNode natNode = root.require("nat").keys(NAT_KEYS);
        final List<Consumer<NatConfig>> natSettings = new ArrayList<>();
        final Map<String, ConfigNode> profileOverrides = new LinkedHashMap<>();
        readNat(natNode, natSettings, profileOverrides, origins);

        final GatewayConfig partial = new GatewayConfig(document, directory, null, ports, ipv6, natSettings,
            profileOverrides, List.of(), List.of(), List.of(), JournalConfig.defaults(directory),
            endpoint(null, ADMIN_ADDRESS_DEFAULT, 0),
            origins, ExportConfig.NONE);
        located(() -> partial.forwarderConfig(), origins, document);
        located(() -> partial.natConfig(NatConfig.MAX_SESSIONS_DEFAULT, NatConfig.MAX_MAPPINGS_DEFAULT,
            NatConfig.MAX_CLIENTS_DEFAULT).validate(), origins, document);

        final List<StaticMapping> staticMappings =
            readStaticMappings(natNode.get("staticMappings"), partial.natConfig(1, 0, 1).publicAddresses(), ports);
        final List<FirewallRuleConfig> rules = readFirewall(root.get("firewall"));
        final List<ProviderConfig> providers = readProviders(root.get("providers"), ports);

        final JournalConfig journal = readJournal(root.get("journal"), directory);
        final ExportConfig export = readExport(root.get("export"), ports);
        Ipv4Endpoint admin = endpoint(null, ADMIN_ADDRESS_DEFAULT, 0);
        final ConfigNode adminNode = root.get("admin");
        if (adminNode != null)
        {
            final ConfigNode addressNode = adminNode.keys(Set.of("address")).get("address");
            if (addressNode != null)
            {
                admin = endpoint(addressNode, addressNode.asText(), 0);
            }
        }

        return new GatewayConfig(document, directory, profileNode == null ? null : profileNode.location(), ports, ipv6,
            natSettings, profileOverrides, staticMappings, rules, providers, journal, admin, origins, export);
    }

    private static ExportConfig readExport(final ConfigNode node, final List<PortConfig> ports)
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
            refreshNode.asDurationNs(java.util.concurrent.TimeUnit.SECONDS.toNanos(1),
                java.util.concurrent.TimeUnit.HOURS.toNanos(1));
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

    private static JournalConfig readJournal(final ConfigNode node, final Path directory)
    {
        final JournalConfig defaults = JournalConfig.defaults(directory.resolve(JOURNAL_DIRECTORY_DEFAULT));
        if (node == null)
        {
            return defaults;
        }
        node.keys(JOURNAL_KEYS);
        Path journalDirectory = defaults.directory();
        final ConfigNode directoryNode = node.get("directory");
        if (directoryNode != null)
        {
            try
            {
                journalDirectory = directory.resolve(directoryNode.asText()).normalize();
            }
            catch (final java.nio.file.InvalidPathException ex)
            {
                throw directoryNode.error("not a path: " + ex.getReason());
            }
        }
        final ConfigNode rollCycleNode = node.get("rollCycle");
        final ConfigNode retentionNode = node.get("retention");
        final ConfigNode destinationsNode = node.get("destinations");
        final JournalConfig.RollCycle rollCycle =
            rollCycleNode == null ? defaults.rollCycle() : rollCycleNode.asChoice(ROLL_CYCLES);
        final long retentionNs = retentionNode == null ? defaults.retentionNs() : DURATION.apply(retentionNode);
        if (retentionNode != null && retentionNs != 0 && retentionNs < java.util.concurrent.TimeUnit.HOURS.toNanos(1))
        {
            throw retentionNode.error("keep the journal at least 1h (0 keeps it for ever)");
        }
        return new JournalConfig(journalDirectory, rollCycle, retentionNs,
            destinationsNode == null ? defaults.destinations() : destinationsNode.asBoolean());
    }

    private PortConfig readPort(final int index, final ConfigNode node, final Map<String, Location> origins)
    {
        node.keys(PORT_KEYS);
        final ConfigNode nameNode = node.require("name");
        final String name = nameNode.asText();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,31}"))
        {
            throw nameNode.error("a port name is 1 to 32 letters, digits, '-' or '_'");
        }
        final String key = "ports." + name;
        origins.put(key, nameNode.location());

        final ConfigNode backendNode = node.get("backend");
        final Backend backend = backendNode == null ? Backend.defaultFor(os) : backendNode.asChoice(BACKENDS);
        if (!backend.isAvailableOn(os))
        {
            throw backendNode.error("not available on " + Backend.displayName(os) + " (" + backend.configName() +
                " runs on " + backend.availability() + ")");
        }
        final ConfigNode interfaceNode = node.require("interface");
        final NetworkInterfaces.Interface found = interfaces.find(interfaceNode.asText())
            .orElseThrow(() -> interfaceNode.error("no such network interface on this host"));
        final PortRole role = node.require("role").asChoice(ROLES);

        final ConfigNode addressNode = node.require("address");
        final Ipv4Prefix prefix = parse(addressNode, Ipv4Prefix::parse);
        origins.put(key + ".address", addressNode.location());
        origins.put(key + ".prefix", addressNode.location());

        int nextHop = 0;
        final ConfigNode nextHopNode = node.get("nextHop");
        if (nextHopNode != null)
        {
            nextHop = parse(nextHopNode, Ipv4::parse);
            origins.put(key + ".nextHop", nextHopNode.location());
        }

        final List<Ipv4Prefix> routes = new ArrayList<>();
        final ConfigNode routesNode = node.get("routes");
        if (routesNode != null)
        {
            if (role != PortRole.INSIDE || nextHop == 0)
            {
                throw routesNode.error("routes are the networks beyond an inside port's router: they need role inside" +
                    " and a nextHop");
            }
            for (final ConfigNode routeNode : routesNode.items())
            {
                final Ipv4Prefix route = parse(routeNode, Ipv4Prefix::parseNetwork);
                if (route.overlaps(prefix))
                {
                    throw routeNode.error("overlaps the port's own network " + prefix);
                }
                routes.add(route);
            }
            origins.put(key + ".routes", routesNode.location());
        }

        long mac = 0;
        final ConfigNode macNode = node.get("mac");
        if (backend.linkLayer() == LinkLayer.RAW_IP)
        {
            if (macNode != null)
            {
                throw macNode.error("a " + backend.configName() + " port carries raw IP packets and has no MAC");
            }
        }
        else if (macNode != null)
        {
            mac = parse(macNode, NetworkInterfaces::parseMac);
            origins.put(key + ".mac", macNode.location());
        }
        else
        {
            if (found.macAddress() < 0)
            {
                throw interfaceNode.error("cannot read the interface's MAC; give " + node.path() + ".mac");
            }
            mac = found.macAddress();
            origins.put(key + ".mac", interfaceNode.location().derived(
                node.path() + ".mac", NetworkInterfaces.formatMac(mac) + " (interface " + found.name() + "'s)"));
        }

        final int mtu;
        final ConfigNode mtuNode = node.get("mtu");
        if (mtuNode != null)
        {
            mtu = mtuNode.asInt(0, Integer.MAX_VALUE);
            origins.put(key + ".mtu", mtuNode.location());
        }
        else
        {
            if (found.mtu() <= 0)
            {
                throw interfaceNode.error("cannot read the interface's MTU; give " + node.path() + ".mtu");
            }
            mtu = found.mtu();
            origins.put(key + ".mtu", interfaceNode.location().derived(
                node.path() + ".mtu", mtu + " (interface " + found.name() + "'s)"));
        }

        int vlan = 0;
        final ConfigNode vlanNode = node.get("vlan");
        if (vlanNode != null)
        {
            vlan = vlanNode.asInt(0, Integer.MAX_VALUE);
            origins.put(key + ".vlan", vlanNode.location());
        }

        final long macAddress = mac;
        final int nextHopAddress = nextHop;
        final int vlanId = vlan;
        final PortSettings settings = located(
            () -> new PortSettings(index, name, role, backend.linkLayer(), macAddress, mtu, prefix.address(),
                prefix.prefixLength(), nextHopAddress, vlanId),
            origins, node.location());
        return new PortConfig(found.name(), backend, settings, routes);
    }

    private static void readNat(
        final ConfigNode nat,
        final List<Consumer<NatConfig>> settings,
        final Map<String, ConfigNode> profileOverrides,
        final Map<String, Location> origins)
    {
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
     * Reads only the deterministic NAT map of a config file ({@code nat.deterministic}), without looking at
     * the host's interfaces, for answering from the config alone ({@code natgate nat lookup}, {@code journal who}).
     *
     * @return the map, or null when the file has none.
     * @throws ConfigException naming the line, key and value of a refused setting.
     */
    public static DeterministicMap deterministic(final Path file)
    {
        final ConfigNode root = ConfigNode.parseFile(file);
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
        catch (final io.natgate.datapath.ConfigurationException ex)
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

    private static List<StaticMapping> readStaticMappings(
        final ConfigNode node, final int[] publicAddresses, final List<PortConfig> ports)
    {
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

    private static List<FirewallRuleConfig> readFirewall(final ConfigNode firewall)
    {
        final List<FirewallRuleConfig> rules = new ArrayList<>();
        if (firewall == null)
        {
            return rules;
        }
        final ConfigNode rulesNode = firewall.keys(Set.of("rules")).get("rules");
        if (rulesNode == null)
        {
            return rules;
        }
        for (final ConfigNode item : rulesNode.items())
        {
            item.keys(RULE_KEYS);
            final ConfigNode nameNode = item.require("name");
            final String name = nameNode.asText();
            if (rules.stream().anyMatch(rule -> rule.name().equals(name)))
            {
                throw nameNode.error("rule name used twice");
            }
            final ConfigNode protocolNode = item.get("protocol");
            final String protocol = protocolNode == null ? "any" : protocolNode.asChoice(RULE_PROTOCOLS);
            final Ipv4Prefix source = network(item.get("source"));
            final Ipv4Prefix destination = network(item.get("destination"));
            int firstPort = 0;
            int lastPort = 65535;
            final ConfigNode portsNode = item.get("ports");
            if (portsNode != null)
            {
                if (!protocol.equals("tcp") && !protocol.equals("udp"))
                {
                    throw portsNode.error("ports need protocol tcp or udp");
                }
                final int[] range = parse(portsNode, ConfigLoader::portRange);
                firstPort = range[0];
                lastPort = range[1];
            }
            final String user = principal(item.get("user"), "user");
            final ConfigNode groupNode = item.get("group");
            final String group = principal(groupNode, "group");
            if (user != null && group != null)
            {
                throw groupNode.error("a rule names a user or a group, not both");
            }
            rules.add(new FirewallRuleConfig(name, item.require("action").asChoice(ACTIONS),
                item.require("direction").asChoice(DIRECTIONS), protocol, source, destination, firstPort, lastPort, user,
                group));
        }
        return rules;
    }

    /**
     * @return the user or group name a rule needs, or null when the key is left out.
     */
    private static String principal(final ConfigNode node, final String what)
    {
        if (node == null)
        {
            return null;
        }
        final String name = node.asText();
        if (name.isBlank())
        {
            throw node.error("a " + what + " name is needed (leave the key out for any session)");
        }
        return name;
    }

    private static List<ProviderConfig> readProviders(final ConfigNode node, final List<PortConfig> ports)
    {
        final List<ProviderConfig> providers = new ArrayList<>();
        if (node == null)
        {
            return providers;
        }
        for (final ConfigNode item : node.items())
        {
            final String type = item.require("type").asChoice(PROVIDER_TYPES);
            if (type.equals(ProviderConfig.NatPmpPcp.TYPE))
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
                    providers.add(new ProviderConfig.NatPmpPcp(names, minLifetimeNs, maxLifetimeNs,
                        optional(item.get("thirdParty"), BOOLEAN, defaults.thirdParty()),
                        quotaNode == null ? defaults.mappingsPerClient() : quotaNode.asInt(1, Integer.MAX_VALUE)));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw (maxNode != null ? maxNode : item).error(ex.getMessage());
                }
            }
            else
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
                    providers.add(new ProviderConfig.Vxlan(peer, vni, subnet,
                        portNode == null ? ProviderConfig.Vxlan.DEFAULT_PORT : portNode.asInt(1, 65535),
                        probeNode == null ? ProviderConfig.Vxlan.firstHost(subnet) : parse(probeNode, Ipv4::parse),
                        keepaliveNs, optional(timeoutNode, DURATION,
                            Math.max(ProviderConfig.Vxlan.TIMEOUT_DEFAULT_NS, 3 * keepaliveNs))));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw (probeNode != null && !subnet.contains(parse(probeNode, Ipv4::parse)) ? probeNode :
                        timeoutNode != null ? timeoutNode : item).error(ex.getMessage());
                }
            }
        }
        return providers;
    }

    /**
     * Runs a datapath check, turning its {@code ConfigurationException} into a located {@link ConfigException}.
     */
    private static <T> T located(
        final java.util.function.Supplier<T> check, final Map<String, Location> origins, final Location fallback)
    {
        try
        {
            return check.get();
        }
        catch (final RuntimeException ex)
        {
            final ConfigException located = ConfigException.fromDatapath(ex, origins::get, fallback);
            throw located != null ? located : ex;
        }
    }

    private static ConfigNode section(final ConfigNode parent, final String key, final Set<String> keys)
    {
        final ConfigNode node = parent.get(key);
        return node == null ? null : node.keys(keys);
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

    private static Ipv4Prefix network(final ConfigNode node)
    {
        return node == null ? Ipv4Prefix.ANY : parse(node, Ipv4Prefix::parseNetwork);
    }

    private static Ipv4Endpoint endpoint(final ConfigNode node, final String text, final int minPort)
    {
        if (node == null)
        {
            return Ipv4Endpoint.parse(text, minPort);
        }
        return parse(node, value -> Ipv4Endpoint.parse(value, minPort));
    }

    private static int[] portRange(final String text)
    {
        final String[] bounds = text.split("-", -1);
        if (bounds.length > 2)
        {
            throw new IllegalArgumentException("expected a port or a range, e.g. 80 or 80-443");
        }
        final int[] range = new int[2];
        for (int i = 0; i < bounds.length; i++)
        {
            try
            {
                range[i] = Integer.parseInt(bounds[i].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("expected a port or a range, e.g. 80 or 80-443", ex);
            }
            if (range[i] < 1 || range[i] > 65535)
            {
                throw new IllegalArgumentException("ports are 1..65535");
            }
        }
        if (bounds.length == 1)
        {
            range[1] = range[0];
        }
        if (range[1] < range[0])
        {
            throw new IllegalArgumentException("the range's first port is above its last");
        }
        return range;
    }

    private static <T> T optional(final ConfigNode node, final Function<ConfigNode, T> reader, final T fallback)
    {
        return node == null ? fallback : reader.apply(node);
    }

    private static <T> T parse(final ConfigNode node, final Function<String, T> parser)
    {
        try
        {
            return parser.apply(node.asText());
        }
        catch (final IllegalArgumentException ex)
        {
            throw node.error(ex.getMessage());
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
