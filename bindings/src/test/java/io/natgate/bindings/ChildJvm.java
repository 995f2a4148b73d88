package io.natgate.bindings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the tests in a child JVM, behind a command that changes its surroundings
 * (drops capabilities, hides a library), and returns what it printed.
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @param wrapper the command and options that run the JVM, e.g. {@code setpriv ... --}.
     * @throws AssertionError when the child fails or does not finish within a minute.
     */
    static String run(final List<String> wrapper, final Class<?> mainClass) throws Exception
    {
        final List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(60, TimeUnit.SECONDS))
        {
            child.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + command);
        }
        if (child.exitValue() != 0)
        {
            throw new AssertionError("child JVM exited with " + child.exitValue() + ": " + output);
        }
        return output;
    }
}
