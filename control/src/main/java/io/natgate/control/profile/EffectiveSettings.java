package io.natgate.control.profile;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.LibXdp;
import io.natgate.bindings.afxdp.XdpAttach;
import io.natgate.bindings.afxdp.XdpMode;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.afpacket.Tpacket;
import io.natgate.bindings.afpacket.VirtioNetHeader;
import io.natgate.bindings.pcap.PcapOptions;
import io.natgate.control.config.Backend;
import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Location;
import io.natgate.control.config.PortConfig;
import io.natgate.control.config.Units;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.AfPacketPort;
import io.natgate.datapath.port.LinkLayer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings a gateway runs with: built-in defaults, overridden by the hardware profile,
 * overridden by the config file, each value remembering its {@link Source} and line. Built only
 * when everything is consistent: the pipeline's, the NAT's and the bindings' own checks pass, the
 * ports' frames fit the pipeline, and the tables and rings fit the profile's memory budget
 * ({@link MemoryEstimate}). This is what {@code natgate run} starts from:
 * <pre>{@code
 * EffectiveSettings settings = EffectiveSettings.load(configFile, profileOption); // ConfigException: exit 2
 * NatConfig nat = settings.natConfig();
 * ForwarderConfig forwarder = settings.forwarderConfig();
 * PipelineConfig pipeline = settings.pipelineConfig();
 * for (PortConfig port : settings.gateway().orElseThrow().ports()) ... settings.afPacket().applyTo(options) ...
 * }</pre>
 */
public final class EffectiveSettings
{
    /** Ports a profile is checked for on its own (one inside, one outside), each on its costliest backend. */
    public static final int PROFILE_CHECK_PORTS = 2;
    /** Ports the gateway adds to any config's, for a profile checked alone: one provider interface, the local port. */
    public static final int PROFILE_CHECK_ADDED_PORTS = 2;
    /** The page size the AF_PACKET geometry is checked against; the bindings check the real one at open. */
    public static final int PAGE_SIZE = 4096;

    private static final Pattern TRAILING_SETTING = Pattern.compile("(\\w+)=[^=]*$");
    private static final int CHECK_ADDRESS = Ipv4.parse("192.0.2.1");
    private static final String CHECK_INTERFACE = "check";

    private final HardwareProfile profile;
    private final String selection;
    private final GatewayConfig gateway;
    private final Map<ProfileKey, Setting> settings;

    private EffectiveSettings(final HardwareProfile profile, final String selection, final GatewayConfig gateway)
    {
        this.profile = profile;
        this.selection = selection;
        this.gateway = gateway;
        final Map<ProfileKey, Setting> merged = new EnumMap<>(ProfileKey.class);
        for (final ProfileKey key : ProfileKey.values())
        {
            merged.put(key, new Setting(key, key.defaultValue(), Source.DEFAULT, null));
        }
        merged.putAll(profile.settings());
        if (gateway != null)
        {
            for (final Map.Entry<String, ConfigNode> override : gateway.profileOverrides().entrySet())
            {
                final ProfileKey key = ProfileKey.byPath(override.getKey());
                final ConfigNode node = override.getValue();
                merged.put(key, new Setting(key, key.parse(node), Source.CONFIG, node.location()));
            }
        }
        this.settings = Collections.unmodifiableMap(merged);
        check();
    }

    /**
     * Loads the config file and the hardware profile for this host, as {@code natgate run} and
     * {@code natgate config check} do.
     *
     * @param profileOption the {@code --profile} value, or null for the config's choice or detection.
     * @throws ConfigException naming the file, line, key and value of the first refused setting.
     */
    public static EffectiveSettings load(final Path configFile, final String profileOption)
    {
        return load(configFile, profileOption, ConfigLoader.forThisHost(), Host.current(), HardwareProfiles.builtin());
    }

    /**
     * Like {@link #load(Path, String)}, with the host's parts given (tests hand in their own).
     */
    public static EffectiveSettings load(
        final Path configFile, final String profileOption, final ConfigLoader loader, final Host host,
        final HardwareProfiles profiles)
    {
        return resolve(loader.load(configFile), profileOption, host, profiles).checkFits(host);
    }

    /**
     * Chooses the profile ({@link HardwareProfiles#select}) and merges it with the config.
     *
     * @param config the config file, or null for the profile alone.
     * @throws ConfigException naming the file, line, key and value of the first refused setting.
     */
    public static EffectiveSettings resolve(
        final GatewayConfig config, final String profileOption, final Host host, final HardwareProfiles profiles)
    {
        final HardwareProfiles.Selection chosen = profiles.select(profileOption, config, host);
        return new EffectiveSettings(chosen.profile(), chosen.reason(), config);
    }

    /**
     * @return a profile's settings on their own (default, then profile), checked for {@link #PROFILE_CHECK_PORTS}
     * ports on their costliest backend and one public address.
     */
    public static EffectiveSettings of(final HardwareProfile profile)
    {
        return new EffectiveSettings(profile, "by name", null);
    }

    /**
     * Checks what depends on the host the gateway runs on: a CPU for each worker
     * ({@link Host#cpus()}, the processors available to the JVM) and the pinned CPUs exist.
     *
     * @return this.
     * @throws ConfigException naming the {@code workers} or {@code pinning} setting's file, line and value.
     */
    public EffectiveSettings checkFits(final Host host)
    {
        final ConfigException misfit = misfit(host);
        if (misfit != null)
        {
            throw misfit;
        }
        return this;
    }

    /**
     * @return whether {@link #checkFits} passes on {@code host}: detection picks only a profile that does.
     */
    public boolean fits(final Host host)
    {
        return misfit(host) == null;
    }

    private ConfigException misfit(final Host host)
    {
        final Setting workers = settings.get(ProfileKey.WORKERS);
        if (workers.intValue() > host.cpus())
        {
            return new ConfigException(locationOf(workers), workers.intValue() + " workers need as many CPUs but " +
                "this host has " + host.cpus() + " (" + host.describe() + "); choose a profile for this host, or a " +
                "profile file of your own (a copy of " + profile.name() + ") with workers at most " + host.cpus());
        }
        final Setting pinning = settings.get(ProfileKey.PINNING);
        final int highest = ((CpuPinning)pinning.value()).highestCpu();
        if (highest >= host.cpus())
        {
            return new ConfigException(locationOf(pinning), "pins CPU " + highest + " but this host has " + host.cpus() +
                " (" + host.describe() + "); choose a profile for this host");
        }
        return null;
    }

    public HardwareProfile profile()
    {
        return profile;
    }

    /**
     * @return how the profile was chosen: {@code --profile}, {@code config natgate.yaml:2}, {@code detected: ...}.
     */
    public String selection()
    {
        return selection;
    }

    /**
     * @return the config file, absent when these are a profile's settings alone.
     */
    public Optional<GatewayConfig> gateway()
    {
        return Optional.ofNullable(gateway);
    }

    public Setting setting(final ProfileKey key)
    {
        return settings.get(key);
    }

    /**
     * @return every setting in {@link ProfileKey} order.
     */
    public List<Setting> settings()
    {
        return List.copyOf(settings.values());
    }

    /**
     * @return a new, validated pipeline configuration (clock, error handler and thread factory the defaults).
     */
    public PipelineConfig pipelineConfig()
    {
        return pipelineConfig(new PipelineConfig().threadFactory());
    }

    /**
     * @return like {@link #pipelineConfig()}, its threads made by {@code threadFactory}.
     */
    public PipelineConfig pipelineConfig(final ThreadFactory threadFactory)
    {
        return located(() -> new PipelineConfig()
            .threadFactory(threadFactory)
            .rxRingCapacity(intValue(ProfileKey.RX_RING))
            .txRingCapacity(intValue(ProfileKey.TX_RING))
            .commandRingCapacity(intValue(ProfileKey.COMMAND_RING))
            .eventRingCapacity(intValue(ProfileKey.EVENT_RING))
            .burstSize(intValue(ProfileKey.BURST_SIZE))
            .commandLimit(intValue(ProfileKey.COMMAND_LIMIT))
            .maxFrameLength(intValue(ProfileKey.MAX_FRAME_LENGTH))
            .workers(intValue(ProfileKey.WORKERS))
            .threadingMode((ThreadingMode)settings.get(ProfileKey.THREADING).value())
            .idleStrategy((String)settings.get(ProfileKey.IDLE_STRATEGY).value())
            .validate());
    }

    /**
     * @return a new, validated NAT configuration: the config's NAT settings with the effective table capacities.
     * @throws IllegalStateException when these are a profile's settings alone.
     */
    public NatConfig natConfig()
    {
        final GatewayConfig config = gateway().orElseThrow(() -> new IllegalStateException("no config file"));
        return located(() -> config.natConfig(intValue(ProfileKey.MAX_SESSIONS), intValue(ProfileKey.MAX_MAPPINGS),
            intValue(ProfileKey.MAX_CLIENTS)).validate());
    }

    /**
     * @return a new, validated forwarder configuration (the config's ports and IPv6 policy).
     * @throws IllegalStateException when these are a profile's settings alone.
     */
    public ForwarderConfig forwarderConfig()
    {
        return gateway().orElseThrow(() -> new IllegalStateException("no config file")).forwarderConfig();
    }

    public AfPacketGeometry afPacket()
    {
        return new AfPacketGeometry(intValue(ProfileKey.AFPACKET_BLOCK_SIZE), intValue(ProfileKey.AFPACKET_BLOCK_COUNT),
            intValue(ProfileKey.AFPACKET_FRAME_SIZE), millis(ProfileKey.AFPACKET_BLOCK_TIMEOUT),
            intValue(ProfileKey.AFPACKET_TX_FRAME_SIZE), intValue(ProfileKey.AFPACKET_TX_FRAME_COUNT),
            intValue(ProfileKey.AFPACKET_TX_BLOCK_SIZE), flag(ProfileKey.AFPACKET_OFFLOADS),
            flag(ProfileKey.AFPACKET_GRO));
    }

    public AfXdpGeometry afXdp()
    {
        return new AfXdpGeometry((XdpMode)settings.get(ProfileKey.AFXDP_MODE).value(),
            (XdpAttach)settings.get(ProfileKey.AFXDP_ATTACH).value(), intValue(ProfileKey.AFXDP_FRAME_SIZE),
            longValue(ProfileKey.AFXDP_UMEM_SIZE), intValue(ProfileKey.AFXDP_RX_RING), intValue(ProfileKey.AFXDP_TX_RING),
            intValue(ProfileKey.AFXDP_FILL_RING), intValue(ProfileKey.AFXDP_COMPLETION_RING));
    }

    public PcapGeometry pcap()
    {
        return new PcapGeometry(intValue(ProfileKey.PCAP_BUFFER_SIZE), intValue(ProfileKey.PCAP_SNAP_LENGTH),
            millis(ProfileKey.PCAP_TIMEOUT));
    }

    public WinDivertGeometry winDivert()
    {
        return new WinDivertGeometry(intValue(ProfileKey.WINDIVERT_BATCH_SIZE), intValue(ProfileKey.WINDIVERT_QUEUE_LENGTH),
            millis(ProfileKey.WINDIVERT_QUEUE_TIME), settings.get(ProfileKey.WINDIVERT_QUEUE_SIZE).longValue());
    }

    public CpuPinning pinning()
    {
        return (CpuPinning)settings.get(ProfileKey.PINNING).value();
    }

    /**
     * @return the NAT workers ({@code workers}).
     */
    public int workers()
    {
        return intValue(ProfileKey.WORKERS);
    }

    /**
     * @return how the NAT is split between the workers: the config's NAT settings, or for a profile
     * alone its table sizes and one public address.
     */
    public WorkerSplit workerSplit()
    {
        return new WorkerSplit(gateway != null ? natConfig() : profileNatConfig(), workers(), pinning());
    }

    /**
     * @return the memory the tables and rings take: for the config's ports and public addresses, or
     * for a profile alone {@link #PROFILE_CHECK_PORTS} ports on their costliest backend and one address; the
     * pipeline's rings also for the ports the gateway adds (providers' interfaces, its local port).
     */
    public MemoryEstimate memory()
    {
        final int ports;
        final int addedPorts = gateway != null ? gateway.addedPortCount() : PROFILE_CHECK_ADDED_PORTS;
        long backendBytes = 0;
        if (gateway != null)
        {
            ports = gateway.ports().size();
            for (final PortConfig port : gateway.ports())
            {
                backendBytes += backendBytesPerPort(port.backend()) * port.queues().size(); // a UMEM share per socket
            }
        }
        else
        {
            ports = PROFILE_CHECK_PORTS;
            long costliest = 0;
            for (final Backend backend : Backend.values())
            {
                costliest = Math.max(costliest, backendBytesPerPort(backend));
            }
            backendBytes = ports * costliest;
        }
        final int publicAddresses = gateway == null ? 1 : gateway.publicAddressCount();
        final int workers = workers();
        if (workers > 1 && settings.get(ProfileKey.THREADING).value() == ThreadingMode.RUN_TO_COMPLETION)
        {
            backendBytes *= workers; // each worker its own socket, and its rings, on every device
        }
        return new MemoryEstimate(
            MemoryEstimate.tableBytes(intValue(ProfileKey.MAX_SESSIONS), intValue(ProfileKey.MAX_MAPPINGS),
                intValue(ProfileKey.MAX_CLIENTS), publicAddresses, workers),
            MemoryEstimate.pipelineRingBytes(ports + addedPorts, workers, longValue(ProfileKey.RX_RING),
                longValue(ProfileKey.TX_RING), longValue(ProfileKey.COMMAND_RING), longValue(ProfileKey.EVENT_RING)),
            backendBytes, ports, workers, longValue(ProfileKey.MEMORY_BUDGET));
    }

    /**
     * @return where a setting was written; a default points at the profile file.
     */
    public Location locationOf(final Setting setting)
    {
        if (setting.location() == null)
        {
            return profile.location().derived(setting.key().path(), setting.text() + " (default)");
        }
        return setting.location().derived(setting.location().path(), setting.text());
    }

    private void check()
    {
        final PipelineConfig pipeline = pipelineConfig();
        final int maxFrameLength = pipeline.maxFrameLength();

        final AfPacketGeometry afPacket = afPacket();
        locatedBinding(
            () -> afPacket.applyTo(new PacketSocketOptions().interfaceName(CHECK_INTERFACE)).validate(PAGE_SIZE),
            ProfileKey.AFPACKET_BLOCK_SIZE);
        final PcapGeometry pcap = pcap();
        locatedBinding(
            () -> pcap.applyTo(new PcapOptions().device(CHECK_INTERFACE)).validate(), ProfileKey.PCAP_SNAP_LENGTH);
        final AfXdpGeometry afXdp = afXdp();
        locatedBinding(
            () -> afXdp.applyTo(new XdpSocketOptions().interfaceName(CHECK_INTERFACE)).validate(PAGE_SIZE),
            ProfileKey.AFXDP_UMEM_SIZE);

        final ThreadingMode threading = pipeline.threadingMode();
        for (final CpuPinning.ThreadKind pinned : pinning().cpus().keySet())
        {
            if (!CpuPinning.ThreadKind.of(threading).contains(pinned))
            {
                throw refuse(ProfileKey.PINNING, "threading " + threading.configName() + " has no " +
                    pinned.configName() + " thread (it has " + String.join(", ",
                    CpuPinning.ThreadKind.of(threading).stream().map(CpuPinning.ThreadKind::configName).toList()) + ")");
            }
        }
        final int workerCpus = pinning().cpusOf(CpuPinning.ThreadKind.WORKER).size();
        if (pipeline.workers() > 1 && workerCpus > 0 && workerCpus != pipeline.workers())
        {
            throw refuse(ProfileKey.PINNING, "pinning.worker lists " + workerCpus + " CPUs for " + pipeline.workers() +
                " workers (" + where(settings.get(ProfileKey.WORKERS)) + "); list one CPU per worker: worker k runs " +
                "on the k-th");
        }

        if (gateway != null)
        {
            final NatConfig nat = natConfig();
            if (pipeline.workers() > 1)
            {
                located(() -> nat.forWorker(0, pipeline.workers()).validate());
                if (gateway.ha() != null)
                {
                    throw refuse(ProfileKey.WORKERS, "an HA pair (ha: in " + gateway.location().source() + ") runs " +
                        "with 1 worker for now: replication and takeover hold worker 0's engine (docs/workers.md); " +
                        "set workers: 1");
                }
                checkRunToCompletionWorkers(gateway);
            }
            for (final PortConfig port : gateway.ports())
            {
                checkFrames(port, maxFrameLength, afPacket, pcap, afXdp);
            }
        }
        else
        {
            profileNatConfig();
        }

        final MemoryEstimate memory = memory();
        if (!memory.fits())
        {
            Setting blamed = settings.get(ProfileKey.MEMORY_BUDGET);
            for (final ProfileKey table : List.of(ProfileKey.MAX_SESSIONS, ProfileKey.MAX_MAPPINGS, ProfileKey.MAX_CLIENTS))
            {
                if (settings.get(table).source() == Source.CONFIG && blamed.key() == ProfileKey.MEMORY_BUDGET)
                {
                    blamed = settings.get(table);
                }
            }
            final Setting budget = settings.get(ProfileKey.MEMORY_BUDGET);
            throw new ConfigException(locationOf(blamed), memory.describe() + " exceed the memoryBudget " + budget.text() +
                (blamed == budget ? "" : " of profile " + profile.name() + " (" + where(budget) + ")") +
                "; shrink the tables or rings, or raise the budget");
        }
    }

    /**
     * Refuses a port whose largest frame (MTU plus Ethernet and VLAN header) the pipeline or its
     * backend's slots cannot carry, at the line of the port's MTU.
     */
    /**
     * Several workers running to completion read a device each through sockets of their own in one AF_PACKET
     * fanout group, which the kernel steers: every configured port must be an afpacket port.
     */
    private void checkRunToCompletionWorkers(final GatewayConfig gateway)
    {
        final Setting threading = settings.get(ProfileKey.THREADING);
        if (threading.value() != ThreadingMode.RUN_TO_COMPLETION)
        {
            return;
        }
        for (final PortConfig port : gateway.ports())
        {
            if (port.backend() != Backend.AFPACKET)
            {
                throw refuse(ProfileKey.WORKERS, "threading run-to-completion (" + where(threading) + ") with " +
                    "several workers gives each worker its own socket on every device through AF_PACKET fanout, and " +
                    "port " + port.name() + " (" + gateway.location().source() + ") is " + port.backend().configName() +
                    "; use backend afpacket, set workers: 1, or threading: dedicated or shared-network");
            }
        }
    }

    private void checkFrames(
        final PortConfig port, final int maxFrameLength, final AfPacketGeometry afPacket, final PcapGeometry pcap,
        final AfXdpGeometry afXdp)
    {
        int frameLength = port.settings().mtu() + (port.backend().linkLayer() == LinkLayer.ETHERNET ?
            EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH : 0);
        final ProfileKey limitKey;
        final int limit;
        switch (port.backend())
        {
            case AFPACKET ->
            {
                limitKey = ProfileKey.AFPACKET_TX_FRAME_SIZE;
                limit = afPacket.txFrameSizeBytes() - Tpacket.TX_DATA_OFFSET -
                    (afPacket.offloads() ? VirtioNetHeader.LENGTH : 0);
                if (afPacket.offloads())
                {
                    frameLength = Math.max(frameLength, AfPacketPort.MAX_AGGREGATE_FRAME_LENGTH);
                }
            }
            case PCAP ->
            {
                limitKey = ProfileKey.PCAP_SNAP_LENGTH;
                limit = pcap.snapLength();
            }
            case AFXDP ->
            {
                limitKey = ProfileKey.AFXDP_FRAME_SIZE;
                limit = afXdp.maxFrameLength();
            }
            default ->
            {
                limitKey = ProfileKey.MAX_FRAME_LENGTH;
                limit = maxFrameLength;
            }
        }
        final ProfileKey tighter = limit < maxFrameLength ? limitKey : ProfileKey.MAX_FRAME_LENGTH;
        final int tightest = Math.min(limit, maxFrameLength);
        if (frameLength > tightest)
        {
            final Setting setting = settings.get(tighter);
            throw new ConfigException(gateway.locate("ports." + port.name() + ".mtu"), "frames of up to " + frameLength +
                " bytes do not fit " + (tighter == ProfileKey.AFPACKET_TX_FRAME_SIZE ?
                "an afpacket tx slot of " + tightest + " bytes (" + tighter.path() + "=" + setting.text() + " less " +
                (tightest == limit ? afPacket.txFrameSizeBytes() - limit : Tpacket.TX_DATA_OFFSET) + " of header)" : tighter == ProfileKey.AFXDP_FRAME_SIZE ?
                "an afxdp chunk of " + tightest + " bytes (" + tighter.path() + "=" + setting.text() + " less " +
                LibXdp.XDP_PACKET_HEADROOM + " of kernel headroom)" : tighter.path() + "=" + setting.text()) +
                " of profile " + profile.name() + " (" + where(setting) + ")");
        }
    }

    /**
     * @return a validated NAT configuration for a profile alone: its table sizes and one public address.
     */
    private NatConfig profileNatConfig()
    {
        return located(() -> new NatConfig().publicAddresses(CHECK_ADDRESS).maxSessions(intValue(ProfileKey.MAX_SESSIONS))
            .maxMappings(intValue(ProfileKey.MAX_MAPPINGS)).maxClients(intValue(ProfileKey.MAX_CLIENTS)).validate());
    }

    private ConfigException refuse(final ProfileKey key, final String reason)
    {
        return new ConfigException(locationOf(settings.get(key)), reason);
    }

    private String where(final Setting setting)
    {
        final String where = locationOf(setting).where();
        return setting.source() == Source.DEFAULT ? "default" : where;
    }

    /**
     * Runs a datapath check, turning its error into one located at the setting it names.
     */
    private <T> T located(final Supplier<T> check)
    {
        try
        {
            return check.get();
        }
        catch (final RuntimeException ex)
        {
            final ConfigException located = ConfigException.fromDatapath(ex, this::locate, profile.location());
            throw located != null ? located : ex;
        }
    }

    /**
     * Runs a bindings check, whose {@link IllegalArgumentException} ends with the setting's own name:
     * {@code ...: rxBlockSizeBytes=1000}.
     */
    private void locatedBinding(final Runnable check, final ProfileKey otherwise)
    {
        try
        {
            check.run();
        }
        catch (final IllegalArgumentException ex)
        {
            final Matcher matcher = TRAILING_SETTING.matcher(ex.getMessage());
            final ProfileKey key = matcher.find() ? ProfileKey.byEngineKey(matcher.group(1)) : null;
            final String message = ex.getMessage();
            final int colon = message.lastIndexOf(": ");
            throw refuse(key != null ? key : otherwise, colon > 0 ? message.substring(0, colon) : message);
        }
    }

    private Location locate(final String engineKey)
    {
        final ProfileKey key = ProfileKey.byEngineKey(engineKey);
        if (key != null)
        {
            return locationOf(settings.get(key));
        }
        return gateway == null ? null : gateway.locate(engineKey);
    }

    private long backendBytesPerPort(final Backend backend)
    {
        return switch (backend)
        {
            case AFPACKET -> afPacket().ringBytesPerPort();
            case AFXDP -> afXdp().umemBytesPerPort();
            case PCAP -> longValue(ProfileKey.PCAP_BUFFER_SIZE);
            case WINDIVERT -> longValue(ProfileKey.WINDIVERT_QUEUE_SIZE);
        };
    }

    private long longValue(final ProfileKey key)
    {
        return settings.get(key).longValue();
    }

    private boolean flag(final ProfileKey key)
    {
        return (Boolean)settings.get(key).value();
    }

    private int intValue(final ProfileKey key)
    {
        return settings.get(key).intValue();
    }

    private int millis(final ProfileKey key)
    {
        return Math.toIntExact(TimeUnit.NANOSECONDS.toMillis(longValue(key)));
    }

    @Override
    public String toString()
    {
        return "profile " + profile.name() + " (" + selection + "), memory " + Units.humanSize(memory().totalBytes()) +
            " of " + settings.get(ProfileKey.MEMORY_BUDGET).text();
    }
}
