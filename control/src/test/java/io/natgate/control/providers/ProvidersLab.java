package io.natgate.control.providers;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.HttpTestServer;
import io.natgate.control.lab.Json;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabProcess;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A lab of its own with natgate running in it (AF_PACKET) on the lab's config plus what a provider test
 * adds (providers, firewall rules), the server as the outside port's next hop so the remote site behind it
 * is reachable. {@link #close()} removes all of it, however far set-up got. Needs root, like every lab test.
 */
final class ProvidersLab implements AutoCloseable
{
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    final Lab lab;
    final NatgateJvm jvm = NatgateJvm.current();
    private final Path directory = LabFiles.temporaryDirectory("natgate-providers-test");
    private LabGateway gateway;

    private ProvidersLab(final String tag)
    {
        Lab made = null;
        try
        {
            made = Lab.up(LabTopology.unique(tag), Lab.Forwarding.NATGATE);
        }
        finally
        {
            if (made == null)
            {
                LabFiles.deleteRecursively(directory);
            }
        }
        lab = made;
    }

    /**
     * Makes the lab, starts natgate with the lab's config followed by {@code extraConfig} (YAML at the top
     * level: {@code providers:}, {@code firewall:}), then runs the test's own set-up; all of it is removed
     * again when a step fails.
     */
    static ProvidersLab start(final String tag, final String extraConfig, final Consumer<ProvidersLab> setUp)
    {
        final ProvidersLab fixture = start(tag, extraConfig);
        try
        {
            setUp.accept(fixture);
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    private static ProvidersLab start(final String tag, final String extraConfig)
    {
        final ProvidersLab fixture = new ProvidersLab(tag);
        try
        {
            // the server routes to the remote site: make it the outside port's next hop
            final String base = LabGatewayConfig.text(Backend.AFPACKET, "small-2core").replace(
                "address: " + LabTopology.PUBLIC_ADDRESS + "/" + LabTopology.PREFIX_LENGTH + "\n",
                "address: " + LabTopology.PUBLIC_ADDRESS + "/" + LabTopology.PREFIX_LENGTH + "\n" +
                "    nextHop: " + LabTopology.SERVER_ADDRESS + "\n");
            final Path config = Files.writeString(fixture.directory.resolve(LabGatewayConfig.FILE_NAME),
                base + extraConfig);
            fixture.gateway = LabGateway.start(fixture.lab, fixture.jvm, config, null);
            return fixture;
        }
        catch (final IOException ex)
        {
            fixture.close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    LabGateway gateway()
    {
        return gateway;
    }

    /**
     * Runs a command in a namespace.
     */
    Exec.Result exec(final Role role, final String... command)
    {
        return lab.exec(role, COMMAND_TIMEOUT, command);
    }

    /**
     * Runs a set-up command in a namespace that must succeed.
     */
    void check(final Role role, final String... command)
    {
        exec(role, command).check();
    }

    /**
     * Starts the lab's HTTP server in a namespace and waits until it listens.
     */
    LabProcess httpServer(final Role role, final int port, final String name)
    {
        final LabProcess server = lab.start(role, "http server in " + role.suffix(), null,
            jvm.natgate("lab", "http-server", "--port", String.valueOf(port), "--name", name));
        server.awaitLine(line -> line.startsWith(HttpTestServer.READY), LabGateway.START_TIMEOUT);
        return server;
    }

    /**
     * @return the provider instance named so, as {@code GET /providers} lists it; null when there is none.
     */
    Map<String, Object> provider(final String name)
    {
        for (final Map<String, Object> instance : Json.objects(Json.parse(gateway.admin("/providers"))))
        {
            if (name.equals(instance.get("name")))
            {
                return instance;
            }
        }
        return null;
    }

    /**
     * Waits until the named provider instance matches.
     *
     * @return the instance as listed then.
     */
    Map<String, Object> awaitProvider(final String name, final Predicate<Map<String, Object>> wanted,
        final Duration timeout, final String what)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        Map<String, Object> instance = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            instance = provider(name);
            if (instance != null && wanted.test(instance))
            {
                return instance;
            }
            sleep(100);
        }
        fail("timed out after " + timeout + " waiting until " + name + " " + what + "; last seen " + instance +
            "; the gateway said " + gateway.output());
        return null;
    }

    /**
     * Waits until the named provider instance is active.
     */
    void awaitActive(final String name)
    {
        awaitProvider(name, instance -> "ACTIVE".equals(instance.get("state")), Duration.ofSeconds(30), "is active");
    }

    /**
     * Waits until the gateway has printed a line that contains {@code text}.
     */
    void awaitOutput(final String text, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (gateway.output().stream().noneMatch(line -> line.contains(text)))
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                fail("the gateway never said \"" + text + "\"; it said " + gateway.output());
            }
            sleep(50);
        }
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    static List<String> lines(final Exec.Result result)
    {
        return result.stdout().lines().toList();
    }

    @Override
    public void close()
    {
        try
        {
            if (lab != null)
            {
                lab.close();
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }
}
