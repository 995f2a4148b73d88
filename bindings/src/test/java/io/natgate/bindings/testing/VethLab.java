package io.natgate.bindings.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of its own holding one veth pair, both ends up, IPv6 off (so the kernel
 * sends no router solicitations or DAD probes into captures) and no IP addresses: traffic a test
 * injects on one end arrives on the other and goes nowhere else. Names carry the PID and a
 * counter so parallel runs do not clash. {@link #close()} deletes the namespace, which deletes the
 * pair; a shutdown hook does the same if a test run is killed.
 * Shared with the datapath port tests through the bindings test-jar.
 */
public final class VethLab implements AutoCloseable
{
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String namespace;
    private final String endA;
    private final String endB;
    private final Thread cleanup;
    private boolean closed;

    private VethLab(final String namespace, final String endA, final String endB)
    {
        this.namespace = namespace;
        this.endA = endA;
        this.endB = endB;
        this.cleanup = new Thread(this::deleteNamespace, "veth-lab-cleanup-" + namespace);
    }

    /**
     * Creates the namespace and the pair; on any failure removes what was made and throws.
     */
    public static VethLab create()
    {
        final long pid = ProcessHandle.current().pid();
        final int n = COUNTER.incrementAndGet();
        final VethLab lab = new VethLab("ngtest-" + pid + "-" + n, "nga" + pid + "x" + n, "ngb" + pid + "x" + n);
        lab.deleteNamespace();
        Runtime.getRuntime().addShutdownHook(lab.cleanup);
        try
        {
            run("ip", "netns", "add", lab.namespace);
            run("ip", "netns", "exec", lab.namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            run("ip", "netns", "exec", lab.namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            run("ip", "-n", lab.namespace, "link", "add", lab.endA, "type", "veth", "peer", "name", lab.endB);
            run("ip", "-n", lab.namespace, "link", "set", lab.endA, "up");
            run("ip", "-n", lab.namespace, "link", "set", lab.endB, "up");
            return lab;
        }
        catch (final RuntimeException ex)
        {
            lab.close();
            throw ex;
        }
    }

    public String namespace()
    {
        return namespace;
    }

    public String endA()
    {
        return endA;
    }

    public String endB()
    {
        return endB;
    }

    /**
     * @return the MAC address of an end, as the low 48 bits.
     */
    public long mac(final String end)
    {
        final String out = run("ip", "-n", namespace, "-o", "link", "show", end);
        final int at = out.indexOf("link/ether ");
        return Long.parseLong(out.substring(at + 11, at + 28).replace(":", ""), 16);
    }

    /**
     * Adds another veth pair in the namespace, both ends up, each end with {@code queues} rx and tx
     * queues; delete it with {@code exec("ip", "link", "del", one)}.
     */
    public void addPair(final String one, final String other, final int queues)
    {
        final String count = Integer.toString(queues);
        exec("ip", "link", "add", one, "numtxqueues", count, "numrxqueues", count, "type", "veth",
            "peer", "name", other, "numtxqueues", count, "numrxqueues", count);
        exec("ip", "link", "set", one, "up");
        exec("ip", "link", "set", other, "up");
    }

    /**
     * Runs a command inside the namespace.
     *
     * @return its standard output.
     */
    public String exec(final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /**
     * Starts a command inside the namespace and returns at once.
     */
    public Process start(final String... command) throws IOException
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return new ProcessBuilder(full).start();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        deleteNamespace();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException ignored)
        {
            // already shutting down: the hook is running or has run
        }
    }

    /**
     * Runs a command to completion.
     *
     * @return its standard output.
     * @throws IllegalStateException with the command's standard error when it fails.
     */
    public static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).start();
            final byte[] out = process.getInputStream().readAllBytes();
            final byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": timed out");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + ": exit " + process.exitValue() + ": " +
                    new String(err, StandardCharsets.UTF_8).trim());
            }
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + ": interrupted", ex);
        }
    }

    private void deleteNamespace()
    {
        try
        {
            final Process process = new ProcessBuilder("ip", "netns", "del", namespace)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final IOException ignored)
        {
            // nothing to delete, or ip is missing and nothing was created
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
