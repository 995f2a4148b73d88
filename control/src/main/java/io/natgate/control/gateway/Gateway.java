package io.natgate.control.gateway;

import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.PortConfig;
import io.natgate.control.config.StaticMapping;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.PlatformConfig;
import io.natgate.control.cp.ProviderEventLog;
import io.natgate.control.cp.ProviderSlots;
import io.natgate.control.firewall.Firewall;
import io.natgate.control.firewall.FirewallEventLog;
import io.natgate.control.ha.HaPair;
import io.natgate.control.journal.JournalWriter;
import io.natgate.control.journal.WarmRestart;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.control.providers.LocalUdp;
import io.natgate.control.providers.Providers;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSteering;
import io.natgate.datapath.pipeline.RoutedCommands;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.nat.FlowSteering;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.port.AfXdpPort;
import io.natgate.datapath.port.ProviderPort;
import io.natgate.datapath.port.Port;
import io.natgate.datapath.port.PortStats;
import io.natgate.control.export.HostUdpTransport;
import io.natgate.control.export.InBandTransport;
import io.natgate.control.export.NatExport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.LinkedHashMap;
import java.util.Map;
import io.natgate.datapath.nat.NatConfig;

/**
 * The appliance: opens the configured ports, builds the pipeline and, per worker, a NAT engine and forwarder
 * from the effective settings, publishes the counters file (a set per worker), and runs the control plane's end
 * of the workers' rings (commands routed to the owning worker, events out of every worker). Everything it opens
 * it closes, in reverse order.
 */
public final class Gateway implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_MS = 5_000;
    private static final int PROVIDER_MTU = 1500;

    private final EffectiveSettings settings;
    private final GatewayConfig config;
    private final NatConfig engineConfig;
    private final PrintStream log;
    private final Map<String, Object> runningDocument;
    private final List<StaticMapping> liveStatics = new ArrayList<>();
    private List<io.natgate.control.config.ProviderConfig> liveProviders;
    private final List<Port> ports = new ArrayList<>();
    /** Several workers running to completion: per worker the ports it drives (worker 0's are {@link #ports}). */
    private List<List<Port>> workerSockets;
    private final CountersFile countersFile;
    private final Pipeline pipeline;
    private final NatWorkers workers;
    private final WorkerTables tables;
    private final GatewayEvents events;
    private final RoutedCommands commands;
    private final Firewall firewall;
    private final AgentRunner eventRunner;
    private final long startNs;
    private final ProviderSlots providerSlots;
    private final ConnectivityPlatform platform;
    private final java.util.Set<StaticMapping> restoredStatics;
    private final LocalUdp localUdp;
    private final JournalWriter journal;
    private final NatExport export;
    private final HaPair ha;
    private final MappingLog mappingLog;
    private Providers providers;

    private Gateway(
        final EffectiveSettings settings, final Path countersPath, final JournalWriter journal,
        final PrintStream log)
    {
        this.settings = settings;
        this.journal = journal;
        this.log = log;
        this.engineConfig = settings.natConfig();
        this.config = settings.gateway().orElseThrow(() -> new IllegalArgumentException("no config file"));
        CountersFile counters = null;
        Pipeline pipeline = null;
        AgentRunner runner = null;
        ConnectivityPlatform cp = null;
        LocalUdp local = null;
        HaPair pair = null;
        try
        {
            final List<String> names = new ArrayList<>();
            ports.addAll(ConfiguredPorts.open(settings, config.ports(), log));
            for (final PortConfig port : config.ports())
            {
                names.add(port.name());
            }
            // traversal providers' interfaces: raw-IP ports after the configured ones
            providerSlots = new ProviderSlots(ports.size(), config.providerInterfaceCount(),
                Providers.interfaceMtu(config.ports(), config.providers(), PROVIDER_MTU),
                ProviderSlots.DEFAULT_FIRST_LOCAL_ADDRESS, ProviderSlots.DEFAULT_QUEUE_FRAMES);
            // the gateway's own UDP endpoints (PCP server, tunnels): the local port, last
            local = new LocalUdp(ports.size() + providerSlots.ports().size(),
                config.ports().stream().mapToInt(port -> port.settings().mtu()).max().orElse(PROVIDER_MTU),
                LocalUdp.DEFAULT_QUEUE_FRAMES);
            final List<PortSettings> addedPorts = new ArrayList<>(providerSlots.portSettings());
            addedPorts.add(local.portSettings());
            final ForwarderConfig forwarderConfig = config.forwarderConfig(addedPorts, local.portSettings().index());
            ports.addAll(providerSlots.ports());
            ports.add(local.port());
            for (final ProviderPort port : providerSlots.ports())
            {
                names.add(port.name());
            }
            names.add(local.port().name());

            final int workerCount = settings.pipelineConfig().workers();
            counters = CountersFile.create(countersPath, names, workerCount);
            final DatapathCounters datapathCounters = counters.counters();
            final PinningThreadFactory threads = new PinningThreadFactory(settings.pinning());
            final DatapathCounters[] workerCounters = new DatapathCounters[workerCount];
            for (int worker = 0; worker < workerCount; worker++)
            {
                workerCounters[worker] = counters.workerCounters(worker);
            }
            workerSockets = ConfiguredPorts.openWorkerSockets(settings, config.ports(), ports, log);
            pipeline = new Pipeline(settings.pipelineConfig(threads), ports, workerCounters,
                counters.steeringCounters(), workerSockets);
            final NatEventListener[] workerEvents = new NatEventListener[workerCount];
            for (int worker = 0; worker < workerCount; worker++)
            {
                workerEvents[worker] = pipeline.workerEvents(worker);
            }
            workers = new NatWorkers(engineConfig, workerEvents, workerCounters, null); // the rx agents steer
            final NatEngine[] engines = new NatEngine[workerCount];
            final Forwarder[] forwarders = new Forwarder[workerCount];
            for (int worker = 0; worker < workerCount; worker++)
            {
                engines[worker] = workers.engine(worker);
                forwarders[worker] = new Forwarder(forwarderConfig, engines[worker], workerCounters[worker]);
            }
            final Forwarder forwarder = forwarders[0];
            export = config.export().enabled() ? NatExport.of(config.export(), config.export().sourceAddress() == 0 ?
                new HostUdpTransport() : new InBandTransport(local, config.export().sourceAddress(),
                config.export().sourcePort()), settings.natConfig().logsPerMapping(),
                settings.pipelineConfig().nanoClock(), new SystemEpochNanoClock()) : null;
            pair = config.ha() == null ? null :
                HaPair.open(config.ha(), forwarder, datapathCounters, pipeline, workers.engine(0), journal, log);
            ha = pair;
            final List<NatEventListener> downstream = new ArrayList<>();
            downstream.add(journal == null ? NatEventListener.NONE : journal.natEvents());
            if (export != null)
            {
                downstream.add(export);
            }
            if (pair != null)
            {
                downstream.add(pair.events()); // after the journal: replicated in the order journaled
            }
            mappingLog = new MappingLog(log, config.logLevel());
            downstream.add(mappingLog);
            events = new GatewayEvents(downstream.toArray(NatEventListener[]::new));
            commands = new RoutedCommands(pipeline, workers, TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS));
            tables = new WorkerTables(pipeline, workers, engineConfig, COMMAND_TIMEOUT_MS);
            firewall = new Firewall(config.firewallRules(), settings.forwarderConfig().ports(), config.insideRoutes(),
                this::submit,
                policy -> onEveryWorker(worker ->
                {
                    workers.engine(worker).flowPolicy(policy);
                    return policy;
                }), journal == null ? new FirewallEventLog(log) : journal.firewallEvents(new FirewallEventLog(log)),
                settings.pipelineConfig().nanoClock(), Firewall.DENIAL_EVENTS_PER_SECOND_DEFAULT);
            workers.flowPolicy(firewall.policy());
            final WarmRestart.Result restored = journal == null ? null :
                journal.restore(workers, settings.natConfig(), config.staticMappings(), workerCounters);
            restoredStatics = restored == null ? java.util.Set.of() : restored.statics();
            final FrameProcessor[] processors = pair == null ? forwarders : new FrameProcessor[] {pair.processor()};
            pipeline.start(processors, engines, workerCount == 1 ? null :
                steering(forwarderConfig, workers, engineConfig));
            startNs = System.nanoTime();
            cp = new ConnectivityPlatform(new PlatformConfig(),
                providerSlots.attach(pipeline, ProviderSlots.DEFAULT_WORKER_TIMEOUT_NS, forwarders),
                journal == null ? new ProviderEventLog(log) : journal.providerEvents(new ProviderEventLog(log)));
            local.start(pipeline, ProviderSlots.DEFAULT_WORKER_TIMEOUT_NS, providerErrors(log), forwarders);

            final Pipeline drained = pipeline;
            final GatewayEvents listener = events;
            final Firewall denials = firewall;
            final NatExport exported = export;
            final HaPair pairing = pair;
            runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, new Agent()
            {
                public int doWork()
                {
                    return drained.drainEvents(listener, 256) + denials.pollDenials(64) +
                        (journal == null ? 0 : journal.doWork()) + (exported == null ? 0 : exported.doWork()) +
                        (pairing == null ? 0 : pairing.doWork());
                }

                public void onClose()
                {
                    if (exported != null)
                    {
                        exported.flush(); // what the last cycle left
                    }
                }

                public String roleName()
                {
                    return "natgate-events";
                }
            });
            AgentRunner.startOnThread(runner, threads);
            this.countersFile = counters;
            this.pipeline = pipeline;
            this.eventRunner = runner;
            this.platform = cp;
            this.localUdp = local;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(cp, local, runner, pipeline, pair, counters);
            ConfiguredPorts.closeWorkerSockets(workerSockets);
            CloseHelper.quietCloseAll(ports);
            throw ex;
        }

        log.printf("natgate: profile %s (%s), threading %s, idle %s, %d sessions max, %d worker%s%n",
            settings.profile().name(), settings.selection(), settings.pipelineConfig().threadingMode().configName(),
            settings.pipelineConfig().idleStrategy(), settings.natConfig().maxSessions(), workers.workers(),
            workers.workers() == 1 ? "" : "s");
        runningDocument = new LinkedHashMap<>(config.location().source() == null ? Map.of() :
            ConfigDifference.read(Path.of(config.location().source())));
        liveProviders = config.providers();
        liveStatics.addAll(config.staticMappings());
        for (final StaticMapping mapping : config.staticMappings())
        {
            if (restoredStatics.contains(mapping))
            {
                log.printf("natgate: static mapping %s: restored%n", mapping);
                continue;
            }
            final CommandCompletion completion = submit((nat, id) -> mapping.addTo(nat, id));
            log.printf("natgate: static mapping %s: %s%n", mapping, completion.status().label());
        }
        try
        {
            providers = Providers.start(config.providers(), config.ports(), settings.natConfig().publicAddresses(),
                platform, localUdp, firewall, settings.pipelineConfig().nanoClock(),
                line -> log.println("natgate: " + line), providerErrors(log));
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Reloads the config file: applies what can change while forwarding (static mappings added and removed,
     * per-client quotas, firewall rules, providers restarted when theirs changed, the log level) and names what differs but
     * takes a restart. A file that does not load is refused whole, the running config untouched.
     *
     * @param profileOption the {@code --profile} the gateway was started with, or null.
     * @throws io.natgate.control.config.ConfigException naming file, line, key and value of a bad file.
     * @throws IllegalArgumentException naming a firewall rule that cannot be compiled (nothing changed).
     */
    public synchronized ReloadResult reload(final Path file, final String profileOption)
    {
        final EffectiveSettings next = EffectiveSettings.load(file, profileOption);
        final GatewayConfig nextConfig = next.gateway().orElseThrow();
        final List<String> restart = ConfigDifference.needingRestart(runningDocument, ConfigDifference.read(file));
        final List<String> changed = new ArrayList<>();

        if (!nextConfig.firewallRules().equals(firewall.rules()))
        {
            final int before = firewall.rules().size();
            firewall.replaceRules(nextConfig.firewallRules()); // checks every rule before it changes anything
            changed.add("firewall.rules: " + before + " rules replaced by " + nextConfig.firewallRules().size() +
                " (" + String.join(", ", nextConfig.firewallRules().stream().map(rule -> rule.name()).toList()) + ")");
        }

        final NatConfig nextNat = next.natConfig();
        final int portQuota = nextNat.portsPerClient();
        final int sessionQuota = nextNat.sessionsPerClient();
        final String quotasBefore = engineConfig.portsPerClient() + "/" + engineConfig.sessionsPerClient();
        engineConfig.reloadQuotas(portQuota, sessionQuota);
        onEveryWorker(worker ->
        {
            workers.config(worker).reloadQuotas(portQuota, sessionQuota);
            return null;
        });
        if (!quotasBefore.equals(portQuota + "/" + sessionQuota))
        {
            changed.add("nat.quotas: portsPerClient/sessionsPerClient " + quotasBefore + " -> " + portQuota + "/" +
                sessionQuota);
        }

        for (final StaticMapping mapping : List.copyOf(liveStatics))
        {
            if (!nextConfig.staticMappings().contains(mapping))
            {
                final CommandCompletion completion = submit((nat, id) -> nat.removeStaticMapping(id,
                    mapping.protocol(), mapping.publicEndpoint().address(), mapping.publicEndpoint().port()));
                liveStatics.remove(mapping);
                changed.add("nat.staticMappings: removed " + mapping + ": " + completion.status().label());
            }
        }
        for (final StaticMapping mapping : nextConfig.staticMappings())
        {
            if (!liveStatics.contains(mapping))
            {
                final CommandCompletion completion = submit((nat, id) -> mapping.addTo(nat, id));
                if (completion.isOk())
                {
                    liveStatics.add(mapping);
                }
                changed.add("nat.staticMappings: added " + mapping + ": " + completion.status().label());
            }
        }

        if (!nextConfig.providers().equals(liveProviders))
        {
            CloseHelper.quietClose(providers);
            providers = Providers.start(nextConfig.providers(), config.ports(), engineConfig.publicAddresses(),
                platform, localUdp, firewall, settings.pipelineConfig().nanoClock(),
                line -> log.println("natgate: " + line), providerErrors(log));
            changed.add("providers: restarted with " + nextConfig.providers().size() + " configured");
        }

        if (nextConfig.logLevel() != mappingLog.level())
        {
            changed.add(io.natgate.control.config.LogLevel.KEY + ": " + mappingLog.level().configName() + " -> " +
                nextConfig.logLevel().configName());
            mappingLog.level(nextConfig.logLevel());
        }

        ConfigDifference.takeLive(runningDocument, ConfigDifference.read(file));
        liveProviders = nextConfig.providers();
        return new ReloadResult(changed, restart);
    }

    private static org.agrona.ErrorHandler providerErrors(final PrintStream log)
    {
        return ex -> log.println("natgate: provider error: " + ex);
    }

    /**
     * Opens the ports and starts forwarding.
     *
     * @param countersPath where to publish the counters for {@code natgate stat}.
     * @param journal      where every event is journaled, and what the last run left restored from (null: none).
     */
    public static Gateway start(
        final EffectiveSettings settings, final Path countersPath, final JournalWriter journal,
        final PrintStream log)
    {
        return new Gateway(settings, countersPath, journal, log);
    }

    /**
     * Sends a command to the worker and waits for its outcome.
     *
     * @param command given the command API and a fresh correlation id.
     */
    public CommandCompletion submit(final BiConsumer<NatCommands, Long> command)
    {
        return await(offer(command));
    }

    /**
     * Offers a command to the worker, retrying while the command ring is full.
     *
     * @return its outcome, to come.
     */
    private synchronized CompletableFuture<CommandCompletion> offer(final BiConsumer<NatCommands, Long> command)
    {
        final long correlationId = commands.nextCorrelationId();
        final CompletableFuture<CommandCompletion> completion = events.expect(correlationId);
        final long deadlineMs = System.currentTimeMillis() + COMMAND_TIMEOUT_MS;
        command.accept(commands, correlationId);
        while (!commands.lastOfferSucceeded())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                events.forget(correlationId);
                throw new IllegalStateException("command ring full for " + COMMAND_TIMEOUT_MS + " ms");
            }
            sleepQuietly();
            command.accept(commands, correlationId);
        }
        return completion.orTimeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .whenComplete((result, failure) -> events.forget(correlationId));
    }

    private static CommandCompletion await(final CompletableFuture<CommandCompletion> completion)
    {
        try
        {
            return completion.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a command", ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof TimeoutException)
            {
                throw new IllegalStateException("worker did not answer a command within " + COMMAND_TIMEOUT_MS + " ms",
                    ex.getCause());
            }
            throw new IllegalStateException(ex.getCause());
        }
    }

    /**
     * Hands on the sessions {@code query} matches, at most {@code limit}, a chunk at a time, worker by worker: each
     * worker reads {@link WorkerTables#WALK_CHUNK_RECORDS} records of its table per task, between bursts, so a
     * listing of a large table never holds one up for long; {@code chunk} runs on the caller's thread (it may write
     * to a slow client).
     *
     * @return how many sessions were handed on.
     */
    public int sessions(final SessionQuery query, final int limit, final Consumer<List<SessionView>> chunk)
    {
        return tables.sessions(query, limit, chunk);
    }

    /**
     * Ends the sessions {@code query} matches: found a chunk at a time as {@link #sessions} finds them, each ended
     * by a remove-session command on the worker, so each is journaled as removed (and a dynamic mapping left
     * without sessions with it).
     *
     * @return how many sessions were removed (a session that ended meanwhile is not counted).
     */
    public int removeSessions(final SessionQuery query)
    {
        final int[] removed = new int[1];
        sessions(query, Integer.MAX_VALUE, chunk ->
        {
            final List<CompletableFuture<CommandCompletion>> pending = new ArrayList<>(chunk.size());
            for (final SessionView session : chunk)
            {
                pending.add(offer((nat, id) -> nat.removeSession(id, session.protocol(), session.insideAddress(),
                    session.insidePort(), session.remoteAddress(), session.remotePort())));
            }
            for (final CompletableFuture<CommandCompletion> completion : pending)
            {
                if (await(completion).isOk())
                {
                    removed[0]++;
                }
            }
        });
        return removed[0];
    }

    /**
     * Hands on every inside host holding ports or sessions, with the quotas they count against, a chunk at a time.
     */
    public void clients(final Consumer<List<ClientView>> chunk)
    {
        tables.clients(chunk);
    }

    /**
     * @return sessions by protocol and state and how full each table is, the sessions counted a chunk at a time.
     */
    public TableSummary summary()
    {
        return tables.summary();
    }

    /**
     * @return how full the tables are, summed over the workers from the counts each keeps (one short task each).
     */
    public TableUse tableUse()
    {
        return tables.tableUse();
    }

    /**
     * @return events the journal could not write since the start (0 without a journal).
     */
    public long journalEventsLost()
    {
        return journal == null ? 0 : journal.lostEvents();
    }

    /**
     * @return what each port's device reports beyond the pipeline's counters (kernel ring drops), in port order;
     * one caller at a time, as {@link Port#stats} asks.
     */
    public synchronized List<PortStats> portStats()
    {
        final List<PortStats> stats = new ArrayList<>(ports.size());
        final PortStats socket = new PortStats();
        for (int portIndex = 0; portIndex < ports.size(); portIndex++)
        {
            final PortStats port = ports.get(portIndex).stats(new PortStats());
            for (int worker = 1; workerSockets != null && worker < workerSockets.size(); worker++)
            {
                final Port own = workerSockets.get(worker).get(portIndex);
                if (own != null) // each worker's own socket on the device: the device's drops are all of theirs
                {
                    own.stats(socket);
                    port.set(port.rxDropped() + socket.rxDropped(), port.rxInterfaceDropped() +
                        socket.rxInterfaceDropped(), port.txFailed() + socket.txFailed());
                }
            }
            stats.add(port);
        }
        return stats;
    }

    /**
     * @return the build's version, from the jar manifest.
     */
    public static String version()
    {
        final String version = Gateway.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /**
     * @return up to {@code limit} mappings, read on each worker's thread between its bursts.
     */
    public List<MappingView> mappings(final int limit)
    {
        return tables.mappings(limit);
    }

    private <T> T onEveryWorker(final java.util.function.IntFunction<T> task)
    {
        return pipeline.callOnEveryWorker(task, TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS));
    }

    /**
     * @return per rx agent, its own steering (it holds later fragments): an inside port's frames by their inside
     * host, every other port's by the public endpoint's owner.
     */
    private static Pipeline.SteeringFactory steering(
        final ForwarderConfig forwarding, final NatWorkers workers, final NatConfig nat)
    {
        final boolean[] inside = new boolean[forwarding.ports().size()];
        for (final PortSettings port : forwarding.ports())
        {
            inside[port.index()] = port.role() == PortRole.INSIDE;
        }
        return (portIndex, counters) -> new FrameSteering(new FlowSteering(workers.steering(), nat, counters), inside);
    }

    /**
     * @return how many workers the NAT runs on.
     */
    public int workers()
    {
        return workers.workers();
    }

    private static void sleepQuietly()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return this gateway's HA pair membership, or null when it runs alone.
     */
    public HaPair ha()
    {
        return ha;
    }

    /**
     * @return the NAT event exporters, or null when nothing is exported.
     */
    public NatExport export()
    {
        return export;
    }

    /**
     * @return worker 0's counters: the rx and tx agents' and, as worker 0 answers every ARP request and sees
     * every reply, the neighbour counters; {@link #countersFile()} holds every worker's.
     */
    public DatapathCounters counters()
    {
        return countersFile.counters();
    }

    public List<String> portNames()
    {
        return countersFile.portNames();
    }

    /**
     * @return the firewall sessions and rules, whose compiled policy the worker consults on new flows.
     */
    public Firewall firewall()
    {
        return firewall;
    }

    /**
     * @return the Connectivity Platform traversal providers register with.
     */
    public ConnectivityPlatform platform()
    {
        return platform;
    }

    public Pipeline pipeline()
    {
        return pipeline;
    }

    public GatewayConfig config()
    {
        return config;
    }

    public EffectiveSettings settings()
    {
        return settings;
    }

    public long uptimeMs()
    {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    /**
     * Stops forwarding: closes the traversal providers (their mappings and tunnels end), terminates the firewall
     * sessions, then the platform, the local port's receiver, the pipeline (receive side first), the event drain,
     * the ports and the counters file.
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(providers);
        firewall.shutdown();
        CloseHelper.quietCloseAll(platform, localUdp, pipeline, eventRunner, export, ha);
        for (final Port port : ports)
        {
            for (final AfXdpPort socket : ConfiguredPorts.afXdpSockets(port))
            {
                log.printf("natgate: port %s afxdp queue %d: %d frames received; sent %d from where they were " +
                    "received, %d copied%n", port.name(), socket.socket().queueId(), socket.received(),
                    socket.forwardedInPlace(), socket.copied());
            }
        }
        ConfiguredPorts.closeWorkerSockets(workerSockets);
        CloseHelper.quietCloseAll(ports);
        CloseHelper.quietClose(countersFile);
    }

    /**
     * @return the counters file: every worker's set and the steering's, for {@code /metrics}.
     */
    public CountersFile countersFile()
    {
        return countersFile;
    }
}
