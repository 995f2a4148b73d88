package io.natgate.control.cli;

import io.natgate.control.config.ConfigLoader;
import io.natgate.control.testing.DocumentedExamples;
import io.natgate.control.testing.DocumentedExamples.Example;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each command's {@code --help} as a reader gets it: every description one paragraph, printed whole (wrapped at
 * spaces only, so no value such as {@code 127.0.0.1:9464} is split across lines), no line wider than the help, and
 * every document it names in the repository;
 * the options the documents use with a command are in its help; the admin endpoint's default is the one README
 * states; and every documented command that needs neither a running gateway nor root runs and exits 0.
 */
class HelpTextTest
{
    /** Commands a test here runs as documented: they need no gateway, no root and no network. */
    private static final Set<List<String>> OFFLINE = Set.of(
        List.of("config", "check"), List.of("profiles", "list"), List.of("profiles", "show"), List.of("install"),
        List.of("demo"));

    @TempDir
    Path directory;

    private Environment environment;
    private Path config;

    @BeforeEach
    void host() throws IOException
    {
        environment = TestHosts.smallLinux(TestHosts.labInterfaces(directory.resolve("sys")));
        config = Files.copy(TestHosts.repositoryFile("config/natgate.example.yaml"), directory.resolve("natgate.yaml"));
    }

    @Test
    void shouldPrintEveryDescriptionAsOneParagraphWholeWithinTheWidth()
    {
        final List<String> failures = new ArrayList<>();
        final List<List<String>> paths = new ArrayList<>();
        collect(Natgate.newCommandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 30, paths.toString());
        for (final List<String> path : paths)
        {
            final CommandSpec command = command(path);
            final String help = help(path);
            final int width = command.usageMessage().width();
            help.lines().filter(line -> line.length() > width)
                .forEach(line -> failures.add(path + ": wider than " + width + ": " + line));
            final String flowed = flow(help);
            final Matcher named = Pattern.compile("(?:docs|hw-profiles)/[\\w.-]+\\.md|[A-Z]+\\.md").matcher(help);
            while (named.find())
            {
                if (!Files.exists(TestHosts.repositoryFile(named.group())))
                {
                    failures.add(path + ": names " + named.group() + ", which is not in the repository");
                }
            }
            final String[] description = command.usageMessage().description();
            if (description.length != 1)
            {
                failures.add(path + ": description of " + description.length + " lines, not one paragraph");
            }
            else if (!flowed.contains(flow(description[0])))
            {
                failures.add(path + ": description not printed whole: " + description[0]);
            }
            for (final OptionSpec option : command.options())
            {
                final String text = flow(String.join(" ", option.renderedDescription()));
                if (!option.hidden() && !flowed.contains(text))
                {
                    failures.add(path + " " + option.longestName() + ": not printed whole: " + text);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldNameInEachCommandsHelpTheOptionsTheDocsUseWithIt()
    {
        final List<String> failures = new ArrayList<>();
        for (final Example example : DocumentedExamples.commands())
        {
            for (final List<String> arguments : DocumentedExamples.expand(example.text(),
                name -> DocumentedExamples.placeholder(name, config, directory)))
            {
                final CommandLine.ParseResult parsed;
                try
                {
                    parsed = Natgate.newCommandLine(environment).parseArgs(arguments.toArray(String[]::new));
                }
                catch (final CommandLine.ParameterException ex)
                {
                    continue; // DocsExamplesTest names it
                }
                CommandLine.ParseResult leaf = parsed;
                final List<String> path = new ArrayList<>();
                while (leaf.hasSubcommand())
                {
                    leaf = leaf.subcommand();
                    path.add(leaf.commandSpec().name());
                }
                final String help = help(path);
                for (final OptionSpec option : leaf.matchedOptions())
                {
                    if (!help.contains(option.longestName()))
                    {
                        failures.add(example + ": " + option.longestName() + " missing from natgate " +
                            String.join(" ", path) + " --help");
                    }
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldShowTheAdminEndpointsDefaultAsReadmeStatesIt() throws IOException
    {
        final Matcher stated = Pattern.compile("`admin\\.address`, default `([^`]+)`")
            .matcher(Files.readString(TestHosts.repositoryFile("README.md")));
        assertTrue(stated.find(), "README states admin.address's default");
        final String readme = stated.group(1);
        assertEquals(ConfigLoader.ADMIN_ADDRESS_DEFAULT, readme);

        final List<List<String>> paths = new ArrayList<>();
        collect(Natgate.newCommandLine(), new ArrayList<>(), paths);
        int commands = 0;
        for (final List<String> path : paths)
        {
            if (command(path).findOption("--admin") != null)
            {
                commands++;
                final String help = help(path);
                assertTrue(help.lines().anyMatch(line -> line.contains(readme + ")")), path + ":\n" + help);
            }
        }
        assertTrue(commands >= 10, commands + " commands with --admin");
    }

    @Test
    void shouldRunEveryDocumentedCommandThatNeedsNoGatewayAndExitZero()
    {
        final List<String> failures = new ArrayList<>();
        int ran = 0;
        for (final Example example : DocumentedExamples.commands())
        {
            for (final List<String> arguments : DocumentedExamples.expand(example.text(),
                name -> DocumentedExamples.placeholder(name, config, directory.resolve("root"))))
            {
                // prose that names a command alone ("`natgate config check` says ...") refers to it; blocks run
                if (OFFLINE.stream().noneMatch(path -> arguments.size() >= path.size() &&
                    arguments.subList(0, path.size()).equals(path) &&
                    (example.inBlock() || arguments.size() > path.size())) ||
                    arguments.getFirst().equals("install") && !arguments.contains("--root"))
                {
                    continue;
                }
                final CommandLine commandLine = Natgate.newCommandLine(environment);
                final StringWriter out = new StringWriter();
                final StringWriter err = new StringWriter();
                commandLine.setOut(new PrintWriter(out));
                commandLine.setErr(new PrintWriter(err));
                final int status = commandLine.execute(arguments.toArray(String[]::new));
                ran++;
                if (status != 0)
                {
                    failures.add(example + " -> " + arguments + ": exit " + status + ": " + err);
                }
            }
        }
        assertTrue(ran >= 5, ran + " documented commands run");
        assertEquals(List.of(), failures);
    }

    private static CommandSpec command(final List<String> path)
    {
        CommandLine commandLine = Natgate.newCommandLine();
        for (final String name : path)
        {
            commandLine = commandLine.getSubcommands().get(name);
        }
        return commandLine.getCommandSpec();
    }

    /**
     * @return {@code natgate PATH --help} as a user gets it (through the root, as picocli needs).
     */
    static String help(final List<String> path)
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        final StringWriter text = new StringWriter();
        commandLine.setOut(new PrintWriter(text));
        final List<String> arguments = new ArrayList<>(path);
        arguments.add("--help");
        assertEquals(0, commandLine.execute(arguments.toArray(String[]::new)), path.toString());
        return text.toString();
    }

    /**
     * @return the text with every run of white space one space: what wrapping at spaces may change.
     */
    private static String flow(final String text)
    {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static void collect(final CommandLine commandLine, final List<String> path, final List<List<String>> paths)
    {
        paths.add(path);
        for (final Map.Entry<String, CommandLine> entry : commandLine.getSubcommands().entrySet())
        {
            if (entry.getValue().getCommandSpec().usageMessage().hidden() || entry.getKey().equals("help"))
            {
                continue;
            }
            final List<String> subPath = new ArrayList<>(path);
            subPath.add(entry.getKey());
            collect(entry.getValue(), subPath, paths);
        }
    }
}
