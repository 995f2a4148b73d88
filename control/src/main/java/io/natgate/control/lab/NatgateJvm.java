package io.natgate.control.lab;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command that runs natgate in a child JVM, as {@code ip netns exec} runs it inside a lab
 * namespace: this JVM's own {@code java}, the repository's {@code jvm.options} (the one place the JVM
 * options are kept) and this JVM's class path, so the child runs the very code of its parent,
 * whether that is {@code natgate.jar}, the benchmarks jar or a test class path. {@code natgate run}
 * starts as the launcher starts it, through {@code bin/run-with-heap-bound}.
 */
public record NatgateJvm(String java, Path jvmOptions, String classPath)
{
    /** Names {@code jvm.options} explicitly when it cannot be found from the code's location. */
    public static final String JVM_OPTIONS_PROPERTY = "natgate.jvmOptions";
    private static final String MAIN_CLASS = "io.natgate.control.cli.Natgate";
    /** Beside jvm.options, in bin/: starts {@code natgate run} with the heap its profile needs, as the launcher does. */
    private static final String HEAP_BOUND_SCRIPT = "run-with-heap-bound";

    /**
     * @return the command of this JVM.
     * @throws LabException when {@code jvm.options} cannot be found.
     */
    public static NatgateJvm current()
    {
        final String java = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Absolute, so the child may run in another working directory.
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(entry -> Path.of(entry).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
        return new NatgateJvm(java, findJvmOptions(), classPath);
    }

    /**
     * @return {@code natgate ARGUMENTS...} as a command.
     */
    public List<String> natgate(final String... arguments)
    {
        final List<String> command = new ArrayList<>();
        final Path heapBound = jvmOptions.resolveSibling("bin").resolve(HEAP_BOUND_SCRIPT);
        if (arguments.length > 0 && arguments[0].equals("run") && Files.isExecutable(heapBound))
        {
            // as the launcher starts a gateway: its heap bounded from its profile
            command.add(heapBound.toString());
        }
        command.addAll(List.of(java, "@" + jvmOptions, "-cp", classPath, MAIN_CLASS));
        if (!command.getFirst().equals(java))
        {
            command.add("--");
        }
        command.addAll(List.of(arguments));
        return command;
    }

    /**
     * {@code jvm.options} from the system property {@value #JVM_OPTIONS_PROPERTY}, else the first found walking
     * up from where this class was loaded (the repository holds {@code control/target/natgate.jar}) and then
     * from the working directory.
     */
    static Path findJvmOptions()
    {
        final String named = System.getProperty(JVM_OPTIONS_PROPERTY);
        if (named != null)
        {
            return Path.of(named).toAbsolutePath();
        }
        final List<Path> starts = new ArrayList<>();
        try
        {
            starts.add(Path.of(NatgateJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        catch (final URISyntaxException | NullPointerException | SecurityException ignored)
        {
            // no code source: the working directory is searched
        }
        starts.add(Path.of("").toAbsolutePath());
        for (final Path start : starts)
        {
            for (Path directory = start.toAbsolutePath(); directory != null; directory = directory.getParent())
            {
                final Path candidate = directory.resolve("jvm.options");
                if (Files.isRegularFile(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new LabException("cannot find natgate's jvm.options above " + starts.getFirst() +
            "; give its path with -D" + JVM_OPTIONS_PROPERTY + "=FILE");
    }
}
