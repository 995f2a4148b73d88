package io.natgate.control.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatgateCommandLineTest
{
    @Test
    void shouldListEverySubcommandInHelp()
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        final StringWriter text = new StringWriter();
        commandLine.setOut(new PrintWriter(text));
        assertEquals(0, commandLine.execute("--help"));
        for (final String subcommand : commandLine.getSubcommands().keySet())
        {
            assertTrue(text.toString().contains(subcommand), subcommand + " missing from: " + text);
        }
    }

    @Test
    void shouldGiveHelpForEverySubcommand()
    {
        // Through the root, as a user types it: picocli cannot execute a subcommand's CommandLine
        // on its own (it asks the unparsed parent whether help was requested, and fails).
        final List<List<String>> paths = new ArrayList<>();
        collect(Natgate.newCommandLine(), new ArrayList<>(), paths);
        assertTrue(paths.contains(List.of("profiles", "show")), paths.toString());
        for (final List<String> path : paths)
        {
            final String help = HelpTextTest.help(path);
            assertTrue(help.contains("Usage: natgate " + String.join(" ", path)), help);
        }
    }

    private static void collect(final CommandLine commandLine, final List<String> path, final List<List<String>> paths)
    {
        for (final var entry : commandLine.getSubcommands().entrySet())
        {
            final List<String> subPath = new ArrayList<>(path);
            subPath.add(entry.getKey());
            paths.add(subPath);
            collect(entry.getValue(), subPath, paths);
        }
    }

    @Test
    void shouldExitWithUsageErrorOnUnknownSubcommand()
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, commandLine.execute("no-such-command"));
    }

    @Test
    void shouldRefuseAnEmptyLabPrefixInOneLineWithoutAStackTrace()
    {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setErr(new PrintWriter(err));

        final int status = commandLine.execute("lab", "down", "--prefix", "");

        assertEquals(List.of("natgate lab down: a lab prefix is 1 to 41 letters, digits, '.', '-' or '_', starting " +
            "with a letter or digit, not ''"), err.toString().lines().toList());
        assertEquals(1, status);
    }

    @Test
    void shouldReportAUsageErrorInOneLine()
    {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setErr(new PrintWriter(err));

        final int status = commandLine.execute("journal", "who", "--public", "203.0.113.1:80");

        assertEquals(2, status);
        assertEquals(List.of("natgate journal who: Missing required options: '--proto=udp|tcp', '--at=TIME' " +
            "(see natgate journal who --help)"), err.toString().lines().toList());
    }

    @Test
    void shouldReportAFailureWithoutAMessageByItsKindInOneLine()
    {
        assertEquals("NullPointerException", Natgate.describe(new NullPointerException()));
        assertEquals("first; second", Natgate.describe(new IllegalStateException("first\n  second\n")));
    }
}
