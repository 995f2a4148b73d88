package io.natgate.control.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion within a time limit and returns its exit status and output. The
 * lab drives {@code ip}, {@code ping}, {@code curl}, {@code nc}, {@code iperf3} and {@code nft}
 * through it; a command still running at its deadline is killed and reported as timed out.
 */
public final class Exec
{
    /** How long set-up commands ({@code ip}, {@code sysctl}, {@code ethtool}, {@code nft}) may take. */
    public static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    /** The exit status reported for a command killed at its deadline. */
    public static final int TIMED_OUT = -1;

    private Exec()
    {
    }

    /**
     * What a finished command left.
     *
     * @param exitStatus its exit status, or {@link #TIMED_OUT}.
     */
    public record Result(List<String> command, int exitStatus, String stdout, String stderr)
    {
        public boolean succeeded()
        {
            return exitStatus == 0;
        }

        /**
         * @return this result when the command succeeded.
         * @throws LabException naming the command, its status and its standard error otherwise.
         */
        public Result check()
        {
            if (exitStatus != 0)
            {
                throw new LabException(describe());
            }
            return this;
        }

        /**
         * @return the command, its status and its standard error (or output), for messages.
         */
        public String describe()
        {
            final String status = exitStatus == TIMED_OUT ? "timed out" : "exit " + exitStatus;
            final String said = stderr.isBlank() ? stdout.strip() : stderr.strip();
            return String.join(" ", command) + ": " + status + (said.isEmpty() ? "" : ": " + said);
        }
    }

    /**
     * Runs {@code command} with nothing on its standard input.
     */
    public static Result run(final Duration timeout, final List<String> command)
    {
        return run(timeout, command, null);
    }

    /**
     * Runs {@code command}, feeding it {@code stdin} (null: nothing).
     */
    public static Result run(final Duration timeout, final List<String> command, final String stdin)
    {
        final Process process = start(command, stdin == null, null);
        try
        {
            final CompletableFuture<String> stdout = drain(process.getInputStream());
            final CompletableFuture<String> stderr = drain(process.getErrorStream());
            if (stdin != null)
            {
                try (var in = process.getOutputStream())
                {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                catch (final IOException ignored)
                {
                    // the command exited without reading all of it; its status says why
                }
            }
            final boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished)
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            return new Result(List.copyOf(command), finished ? process.exitValue() : TIMED_OUT,
                stdout.get(5, TimeUnit.SECONDS), stderr.get(5, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException(String.join(" ", command) + ": interrupted", ex);
        }
        catch (final ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            process.destroyForcibly();
            throw new LabException(String.join(" ", command) + ": could not read its output", ex);
        }
    }

    /**
     * Runs a set-up command that must succeed.
     *
     * @return its standard output.
     * @throws LabException when it fails or times out.
     */
    public static String check(final List<String> command)
    {
        return run(SETUP_TIMEOUT, command).check().stdout();
    }

    /**
     * Starts {@code command}.
     *
     * @param noStdin          true to give it an empty standard input, false to keep a pipe to it open.
     * @param workingDirectory where it runs (null: this process's working directory).
     */
    static Process start(final List<String> command, final boolean noStdin, final Path workingDirectory)
    {
        final ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDirectory != null)
        {
            builder.directory(workingDirectory.toFile());
        }
        if (noStdin)
        {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        try
        {
            return builder.start();
        }
        catch (final IOException ex)
        {
            throw new LabException(command.getFirst() + ": cannot run it (" + ex.getMessage() + ")", ex);
        }
    }

    private static CompletableFuture<String> drain(final InputStream stream)
    {
        final CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() ->
        {
            try (stream)
            {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                text.completeExceptionally(new UncheckedIOException(ex));
            }
        });
        return text;
    }
}
