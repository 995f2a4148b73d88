package io.natgate.control.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A long-running command of the lab (the gateway, a server, a listening {@code nc}) whose output
 * lines are collected as they come, so a caller can wait for one ("listening", "forwarding")
 * and look at everything it said. {@link #close()} stops it: SIGTERM, then SIGKILL after a grace.
 */
public final class LabProcess implements AutoCloseable
{
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private LabProcess(final String name, final Process process, final Consumer<String> echo)
    {
        this.name = name;
        this.process = process;
        this.stdoutReader = collect(process.getInputStream(), stdout, echo);
        this.stderrReader = collect(process.getErrorStream(), stderr, echo);
    }

    /**
     * Starts {@code command}, its standard input a pipe ({@link #write}).
     *
     * @param name             what messages call it.
     * @param workingDirectory where it runs (null: this process's working directory).
     * @param echo             sees every line it prints, as it prints it (null: none).
     */
    public static LabProcess start(final String name, final List<String> command, final Path workingDirectory,
        final Consumer<String> echo)
    {
        return new LabProcess(name, Exec.start(command, false, workingDirectory), echo);
    }

    public String name()
    {
        return name;
    }

    public long pid()
    {
        return process.pid();
    }

    /**
     * Waits until a line of its standard output or error matches.
     *
     * @return the line.
     * @throws LabException when the process exits first or the time runs out, with what it printed.
     */
    public String awaitLine(final Predicate<String> match, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (this)
        {
            int seenOut = 0;
            int seenErr = 0;
            while (true)
            {
                for (; seenOut < stdout.size(); seenOut++)
                {
                    if (match.test(stdout.get(seenOut)))
                    {
                        return stdout.get(seenOut);
                    }
                }
                for (; seenErr < stderr.size(); seenErr++)
                {
                    if (match.test(stderr.get(seenErr)))
                    {
                        return stderr.get(seenErr);
                    }
                }
                final long leftNs = deadlineNs - System.nanoTime();
                if (!process.isAlive() && !stdoutReader.isAlive() && !stderrReader.isAlive())
                {
                    throw new LabException(name + " exited with status " + process.exitValue() + " before it was " +
                        "ready" + said());
                }
                if (leftNs <= 0)
                {
                    throw new LabException(name + " was not ready within " + timeout.toSeconds() + " s" + said());
                }
                try
                {
                    wait(Math.min(TimeUnit.NANOSECONDS.toMillis(leftNs) + 1, 100));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new LabException(name + ": interrupted while waiting for it", ex);
                }
            }
        }
    }

    /**
     * Writes text to its standard input, at once.
     */
    public void write(final String text)
    {
        try
        {
            final OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
        catch (final IOException ex)
        {
            throw new LabException(name + ": cannot write to it (" + ex.getMessage() + ")", ex);
        }
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Waits for it to exit by itself.
     *
     * @return its exit status, or {@link Exec#TIMED_OUT} when it is still running at the deadline.
     */
    public int waitFor(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                return Exec.TIMED_OUT;
            }
            stdoutReader.join(timeout.toMillis());
            stderrReader.join(timeout.toMillis());
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new LabException(name + ": interrupted while waiting for it", ex);
        }
    }

    /**
     * @return the lines of standard output so far.
     */
    public synchronized List<String> stdout()
    {
        return List.copyOf(stdout);
    }

    /**
     * @return the lines of standard error so far.
     */
    public synchronized List<String> stderr()
    {
        return List.copyOf(stderr);
    }

    /**
     * Stops it: SIGTERM, and SIGKILL if it is still running after a grace period.
     *
     * @return its exit status (143 or 137 when the signal ended it without a handler).
     */
    public int stop()
    {
        if (process.isAlive())
        {
            // Through the handle: Process.destroy() also closes the pipes, losing what it prints while stopping.
            process.toHandle().destroy();
            if (waitFor(STOP_GRACE) == Exec.TIMED_OUT)
            {
                process.toHandle().destroyForcibly();
                waitFor(STOP_GRACE);
            }
        }
        return waitFor(STOP_GRACE);
    }

    @Override
    public void close()
    {
        stop();
    }

    /**
     * @return what it printed, as the tail of a message: its standard error, else its output.
     */
    public String said()
    {
        final List<String> lines = stderr().isEmpty() ? stdout() : stderr();
        if (lines.isEmpty())
        {
            return "";
        }
        return ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private Thread collect(final InputStream stream, final List<String> lines, final Consumer<String> echo)
    {
        return Thread.ofPlatform().daemon().name(name + "-output").start(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    if (echo != null)
                    {
                        echo.accept(line);
                    }
                    synchronized (this)
                    {
                        lines.add(line);
                        notifyAll();
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process is gone; what it printed so far is kept
            }
            synchronized (this)
            {
                notifyAll();
            }
        });
    }
}
