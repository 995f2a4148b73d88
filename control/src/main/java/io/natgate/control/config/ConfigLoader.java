package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.Ipv6Policy;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.NatConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static io.natgate.control.config.ConfigReads.endpoint;
import static io.natgate.control.config.ConfigReads.located;

/**
 * Reads and validates a config file into a {@link GatewayConfig}. Every refusal is one
 * {@link ConfigException} naming the line, the key path and the value; the datapath's own checks
 * ({@link NatConfig#validate()}, {@link ForwarderConfig#validate()}, {@link PortSettings}) are called,
 * and their errors traced back to the line of the key they name. Each section has a reader of its own
 * ({@link PortsSection}, {@link NatSection}, {@link FirewallSection}, {@link ProvidersSection},
 * {@link JournalSection}, {@link ExportSection}). The commented example, {@code config/natgate.example.yaml},
 * documents every key.
 */
public final class ConfigLoader
{
    /** Where the admin endpoint listens when the file does not say: loopback only. */
    public static final String ADMIN_ADDRESS_DEFAULT = "127.0.0.1:9464";
    /** Where the journal is written when the file does not say. */
    public static final String JOURNAL_DIRECTORY_DEFAULT = JournalConfig.DIRECTORY_DEFAULT;

    private static final Set<String> TOP_KEYS =
        Set.of("profile", "ports", "nat", "ipv6", "firewall", "providers", "journal", "admin", "export", "ha",
            "log");
    private static final Map<String, Ipv6Policy> IPV6_POLICIES = ConfigNode.choices(Ipv6Policy.class);

    private final PortsSection portsSection;

    /**
     * @param os         the system the gateway will run on: decides which backends are available.
     * @param interfaces where ports' interfaces are looked up.
     */
    public ConfigLoader(final OperatingSystem os, final NetworkInterfaces interfaces)
    {
        portsSection = new PortsSection(os, interfaces);
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

    /**
     * Reads only the deterministic NAT map of a config file ({@code nat.deterministic}), without looking at
     * the host's interfaces, for answering from the config alone ({@code natgate nat lookup}, {@code journal who}).
     *
     * @return the map, or null when the file has none.
     * @throws ConfigException naming the line, key and value of a refused setting.
     */
    public static DeterministicMap deterministic(final Path file)
    {
        return NatSection.deterministic(ConfigNode.parseFile(file));
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

        final List<PortConfig> ports = portsSection.read(root.require("ports"), origins);
        Ipv6Policy ipv6 = ForwarderConfig.IPV6_DEFAULT;
        final ConfigNode ipv6Node = root.get("ipv6");
        if (ipv6Node != null)
        {
            ipv6 = ipv6Node.asChoice(IPV6_POLICIES);
            origins.put(ForwarderConfig.IPV6, ipv6Node.location());
        }

        final ConfigNode natNode = root.require("nat");
        final List<Consumer<NatConfig>> natSettings = new ArrayList<>();
        final Map<String, ConfigNode> profileOverrides = new LinkedHashMap<>();
        NatSection.read(natNode, natSettings, profileOverrides, origins);

        final GatewayConfig partial = new GatewayConfig(document, directory, null, ports, ipv6, natSettings,
            profileOverrides, List.of(), List.of(), List.of(), JournalConfig.defaults(directory),
            endpoint(null, ADMIN_ADDRESS_DEFAULT, 0),
            origins, ExportConfig.NONE);
        located(() -> partial.forwarderConfig(), origins, document);
        located(() -> partial.natConfig(NatConfig.MAX_SESSIONS_DEFAULT, NatConfig.MAX_MAPPINGS_DEFAULT,
            NatConfig.MAX_CLIENTS_DEFAULT).validate(), origins, document);

        final List<StaticMapping> staticMappings =
            NatSection.staticMappings(natNode, partial.natConfig(1, 0, 1).publicAddresses(), ports);
        final List<FirewallRuleConfig> rules = FirewallSection.read(root.get("firewall"));
        final List<ProviderConfig> providers = ProvidersSection.read(root.get("providers"), ports);

        final JournalConfig journal = JournalSection.read(root.get("journal"), directory);
        final ExportConfig export = ExportSection.read(root.get("export"), ports);
        final Ipv4Endpoint admin = readAdmin(root.get("admin"));

        final io.natgate.control.ha.HaConfig ha = io.natgate.control.ha.HaConfig.read(root.get("ha"), journal.directory());
        final ConfigNode logNode = root.get("log");
        final ConfigNode levelNode = logNode == null ? null : logNode.keys(Set.of("level")).get("level");
        final LogLevel logLevel = levelNode == null ? LogLevel.INFO : levelNode.asChoice(ConfigNode.choices(LogLevel.class));
        return new GatewayConfig(document, directory, profileNode == null ? null : profileNode.location(), ports, ipv6,
            natSettings, profileOverrides, staticMappings, rules, providers, journal, admin, origins, export)
            .withHa(ha).withLogLevel(logLevel);
    }

    private static Ipv4Endpoint readAdmin(final ConfigNode adminNode)
    {
        final ConfigNode addressNode = adminNode == null ? null : adminNode.keys(Set.of("address")).get("address");
        return addressNode == null ? endpoint(null, ADMIN_ADDRESS_DEFAULT, 0) :
            endpoint(addressNode, addressNode.asText(), 0);
    }
}
