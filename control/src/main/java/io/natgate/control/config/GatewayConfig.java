package io.natgate.control.config;

import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.InsideRoute;
import io.natgate.datapath.forward.Ipv6Policy;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.forward.StaticNeighbour;
import io.natgate.datapath.nat.NatConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A validated config file ({@link ConfigLoader}), immutable. It holds what the file says; the
 * hardware profile's settings (ring sizes, table capacities, ...) are merged with it by
 * {@code io.natgate.control.profile.EffectiveSettings}, which is what {@code natgate run} uses.
 * The datapath settings objects are mutable, so each accessor returns a new one.
 */
public final class GatewayConfig
{
    private final Location document;
    private final Path directory;
    private final Location profile;
    private final List<PortConfig> ports;
    private final Ipv6Policy ipv6;
    private final List<Consumer<NatConfig>> natSettings;
    private final Map<String, ConfigNode> profileOverrides;
    private final List<StaticMapping> staticMappings;
    private final List<FirewallRuleConfig> firewallRules;
    private final List<ProviderConfig> providers;
    private final JournalConfig journal;
    private final Ipv4Endpoint adminEndpoint;
    private final Map<String, Location> datapathOrigins;
    private final ExportConfig export;
    private io.natgate.control.ha.HaConfig ha;
    private LogLevel logLevel = LogLevel.INFO;

    GatewayConfig(
        final Location document,
        final Path directory,
        final Location profile,
        final List<PortConfig> ports,
        final Ipv6Policy ipv6,
        final List<Consumer<NatConfig>> natSettings,
        final Map<String, ConfigNode> profileOverrides,
        final List<StaticMapping> staticMappings,
        final List<FirewallRuleConfig> firewallRules,
        final List<ProviderConfig> providers,
        final JournalConfig journal,
        final Ipv4Endpoint adminEndpoint,
        final Map<String, Location> datapathOrigins,
        final ExportConfig export)
    {
        this.document = document;
        this.directory = directory;
        this.profile = profile;
        this.ports = List.copyOf(ports);
        this.ipv6 = ipv6;
        this.natSettings = List.copyOf(natSettings);
        this.profileOverrides = Map.copyOf(profileOverrides);
        this.staticMappings = List.copyOf(staticMappings);
        this.firewallRules = List.copyOf(firewallRules);
        this.providers = List.copyOf(providers);
        this.journal = journal;
        this.adminEndpoint = adminEndpoint;
        this.datapathOrigins = Map.copyOf(datapathOrigins);
        this.export = export;
    }

    /**
     * @return {@code log.level}: how much the gateway logs.
     */
    public LogLevel logLevel()
    {
        return logLevel;
    }

    /**
     * @return the file's name as errors give it, at line 1.
     */
    public Location location()
    {
        return document;
    }

    /**
     * @return the directory relative paths in the file are resolved against (the file's own).
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the hardware profile the file names ({@code profile:}), if it names one.
     */
    public Optional<String> profileName()
    {
        return Optional.ofNullable(profile).map(Location::text);
    }

    /**
     * @return where the file names its profile, or null when it does not.
     */
    public Location profileLocation()
    {
        return profile;
    }

    /**
     * @return the ports in index order (the order of the file).
     */
    public List<PortConfig> ports()
    {
        return ports;
    }

    /**
     * @return by inside port name, the networks beyond its router ({@link PortConfig#routes}); ports with
     * none are left out.
     */
    public Map<String, List<Ipv4Prefix>> insideRoutes()
    {
        final Map<String, List<Ipv4Prefix>> routes = new LinkedHashMap<>();
        for (final PortConfig port : ports)
        {
            if (!port.routes().isEmpty())
            {
                routes.put(port.name(), port.routes());
            }
        }
        return routes;
    }

    /**
     * @return a new, validated forwarder configuration: the ports' settings in index order, the networks beyond
     * the inside ports' routers, the static neighbours and the IPv6 policy.
     */
    public ForwarderConfig forwarderConfig()
    {
        return forwarderConfig(List.of(), ForwarderConfig.LOCAL_PORT_DEFAULT);
    }

    /**
     * @param addedPorts the ports the gateway adds after the configured ones (providers' interfaces, its own
     *                   UDP endpoints), in index order.
     * @param localPort  the index of the port the gateway's own endpoints are reached through, or
     *                   {@link ForwarderConfig#LOCAL_PORT_DEFAULT} for none.
     * @return like {@link #forwarderConfig()}, with those ports after the configured ones.
     */
    public ForwarderConfig forwarderConfig(final List<PortSettings> addedPorts, final int localPort)
    {
        final List<PortSettings> settings = new ArrayList<>(ports.size() + addedPorts.size());
        final List<InsideRoute> routes = new ArrayList<>();
        final List<StaticNeighbour> neighbours = new ArrayList<>();
        for (final PortConfig port : ports)
        {
            settings.add(port.settings());
            for (final Ipv4Prefix route : port.routes())
            {
                routes.add(new InsideRoute(port.settings().index(), route.network(), route.prefixLength()));
            }
            neighbours.addAll(port.neighbours());
        }
        settings.addAll(addedPorts);
        return new ForwarderConfig().ports(settings).localPort(localPort).insideRoutes(routes)
            .staticNeighbours(neighbours).ipv6(ipv6).validate();
    }

    /**
     * A new NAT configuration with the file's settings and the given table capacities, which come
     * from the hardware profile unless the file overrides them ({@link #profileOverrides()}); not
     * yet validated, since only the caller knows where the capacities came from.
     */
    public NatConfig natConfig(final int maxSessions, final int maxMappings, final int maxClients)
    {
        final NatConfig config = new NatConfig();
        for (final Consumer<NatConfig> setting : natSettings)
        {
            setting.accept(config);
        }
        return config.maxSessions(maxSessions).maxMappings(maxMappings).maxClients(maxClients);
    }

    /**
     * @return the number of public addresses in the NAT pool.
     */
    public int publicAddressCount()
    {
        return natConfig(NatConfig.MAX_SESSIONS_DEFAULT, 0, NatConfig.MAX_CLIENTS_DEFAULT).publicAddresses().length;
    }

    /**
     * @return hardware-profile settings the file sets itself, by profile key path
     * (e.g. {@code tables.maxSessions} from {@code nat.maxSessions}), each node as written.
     */
    public Map<String, ConfigNode> profileOverrides()
    {
        return profileOverrides;
    }

    /**
     * @return the port forwards, to send with {@link StaticMapping#addTo} once the engine runs.
     */
    public List<StaticMapping> staticMappings()
    {
        return staticMappings;
    }

    /**
     * @return the firewall rules in order of evaluation.
     */
    public List<FirewallRuleConfig> firewallRules()
    {
        return firewallRules;
    }

    public List<ProviderConfig> providers()
    {
        return providers;
    }

    /**
     * @return the raw-IP interfaces the gateway adds for traversal providers: one per provider, at least one.
     */
    public int providerInterfaceCount()
    {
        return Math.max(1, providers.size());
    }

    /**
     * @return the ports the gateway adds after the configured ones, each with its pipeline rings (and, in
     * threading {@code dedicated}, its rx and tx threads): the providers' interfaces and its own local UDP port.
     */
    public int addedPortCount()
    {
        return providerInterfaceCount() + 1;
    }

    /**
     * Sets the {@code ha:} section, once, as the loader reads it.
     */
    GatewayConfig withLogLevel(final LogLevel logLevel)
    {
        this.logLevel = logLevel;
        return this;
    }

    GatewayConfig withHa(final io.natgate.control.ha.HaConfig ha)
    {
        this.ha = ha;
        return this;
    }

    /**
     * @return the high-availability pair this gateway is one of, or null when it runs alone.
     */
    public io.natgate.control.ha.HaConfig ha()
    {
        return ha;
    }

    /**
     * @return where NAT events are exported (IPFIX, syslog), {@link ExportConfig#NONE} when nowhere.
     */
    public ExportConfig export()
    {
        return export;
    }

    /**
     * @return the journal's directory, absolute (relative paths are taken from the file's directory).
     */
    public Path journalDirectory()
    {
        return journal.directory();
    }

    /**
     * @return the journal's settings: directory, roll cycle, retention, destinations.
     */
    public JournalConfig journal()
    {
        return journal;
    }

    /**
     * @return where the admin endpoint listens (loopback unless the file says otherwise).
     */
    public InetSocketAddress adminAddress()
    {
        return adminEndpoint.toSocketAddress();
    }

    /**
     * @return where the value of a datapath key ({@code nat.timeout.udp}, {@code ports.lan.mtu}) came
     * from in the file, or null when the file does not set it.
     */
    public Location locate(final String datapathKey)
    {
        return datapathOrigins.get(datapathKey);
    }
}
