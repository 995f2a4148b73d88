package io.natgate.control.lab;

import io.natgate.control.gateway.LogTimestamps;
import io.natgate.control.lab.LabTopology.Role;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * natgate running in the lab's gateway namespace ({@code natgate run --config FILE} in a child JVM),
 * and its admin endpoint, read with {@code curl} inside the namespace since it listens on that
 * namespace's loopback. {@link #close()} stops it with SIGTERM, as an operator would.
 */
public final class LabGateway implements AutoCloseable
{
    /** The line {@code natgate run} prints once it forwards. */
    public static final String FORWARDING = "natgate: forwarding";
    /** The line {@code natgate run} prints once it has stopped and closed its ports. */
    public static final String STOPPED = "natgate: stopped";
    /** How long the JVM may take to start, open both ports and answer {@code /healthz}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The counters file, beside the config. */
    public static final String COUNTERS_FILE = "natgate.counters";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final Lab lab;
    private final LabProcess process;

    private LabGateway(final Lab lab, final LabProcess process)
    {
        this.lab = lab;
        this.process = process;
    }

    /**
     * Starts the gateway and waits until it forwards and {@code /healthz} answers {@code ok}. Its live
     * counters ({@code natgate stat}) go to {@code natgate.counters} beside the config, so gateways of
     * several labs never share the default file.
     *
     * @param echo sees each line the gateway prints (null: none).
     * @throws LabException when it exits or is not ready in time, with what it printed; it is stopped.
     */
    public static LabGateway start(final Lab lab, final NatgateJvm jvm, final Path config, final Consumer<String> echo)
    {
        return start(lab, jvm, config, echo, List.of());
    }

    /**
     * Like {@link #start(Lab, NatgateJvm, Path, Consumer)}, run through {@code wrapper} (e.g. {@code setpriv} with
     * fewer capabilities).
     */
    public static LabGateway start(
        final Lab lab, final NatgateJvm jvm, final Path config, final Consumer<String> echo, final List<String> wrapper)
    {
        return start(lab, jvm, config, echo, wrapper, START_TIMEOUT);
    }

    /**
     * Like {@link #start(Lab, NatgateJvm, Path, Consumer, List)}, allowing {@code startTimeout} to be ready instead
     * of {@link #START_TIMEOUT} (a benchmark on a loaded machine, where the journal's start-up compilation is slow).
     */
    public static LabGateway start(final Lab lab, final NatgateJvm jvm, final Path config, final Consumer<String> echo,
        final List<String> wrapper, final Duration startTimeout)
    {
        final List<String> command = new java.util.ArrayList<>(wrapper);
        command.addAll(jvm.natgate("run", "--config", config.toString(), "--counters",
            config.resolveSibling(COUNTERS_FILE).toString()));
        // It runs in its config's directory, so a crash report lands beside its journal, not where the lab was started.
        final LabProcess process = lab.start(Role.GATEWAY, "natgate run", config.toAbsolutePath().getParent(), echo,
            command);
        final LabGateway gateway = new LabGateway(lab, process);
        try
        {
            process.awaitLine(line -> LogTimestamps.strip(line).startsWith(FORWARDING), startTimeout);
            final long deadlineNs = System.nanoTime() + startTimeout.toNanos();
            while (!gateway.healthy())
            {
                if (!process.isAlive() || deadlineNs - System.nanoTime() < 0)
                {
                    throw new LabException("the gateway's /healthz did not answer ok" + process.said());
                }
                Thread.sleep(100);
            }
            return gateway;
        }
        catch (final InterruptedException ex)
        {
            gateway.close();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while the gateway started", ex);
        }
        catch (final RuntimeException ex)
        {
            gateway.close();
            throw ex;
        }
    }

    /**
     * @return true when {@code /healthz} answers 200 {@code ok}.
     */
    public boolean healthy()
    {
        final Exec.Result result = curl("/healthz");
        return result.succeeded() && result.stdout().strip().equals("ok");
    }

    /**
     * @return the body of {@code GET path} on the admin endpoint.
     * @throws LabException when it does not answer 200.
     */
    public String admin(final String path)
    {
        return curl(path).check().stdout();
    }

    /**
     * @return the sessions ({@code GET /sessions}).
     */
    public List<java.util.Map<String, Object>> sessions()
    {
        return Json.objects(Json.parse(admin("/sessions")));
    }

    /**
     * @return the sum of the {@code /metrics} samples named {@code name} that carry every one of {@code labels}.
     */
    public double metric(final String name, final java.util.Map<String, String> labels)
    {
        return PrometheusText.sum(admin("/metrics"), name, labels);
    }

    /**
     * @return what the gateway printed so far, each line without its timestamp.
     */
    public List<String> output()
    {
        return process.stdout().stream().map(LogTimestamps::strip).toList();
    }

    /**
     * Waits for a line of the gateway's output, matched without its timestamp.
     *
     * @return the line, without its timestamp.
     */
    public String awaitOutput(final Predicate<String> match, final Duration timeout)
    {
        return LogTimestamps.strip(process.awaitLine(line -> match.test(LogTimestamps.strip(line)), timeout));
    }

    public LabProcess process()
    {
        return process;
    }

    /**
     * Stops it with SIGTERM.
     *
     * @return its exit status (0 when it stopped cleanly).
     */
    public int stop()
    {
        return process.stop();
    }

    @Override
    public void close()
    {
        stop();
    }

    private Exec.Result curl(final String path)
    {
        return lab.exec(Role.GATEWAY, ADMIN_TIMEOUT, "curl", "-sf", "-m", "5",
            "http://" + LabTopology.ADMIN_ADDRESS + path);
    }
}
