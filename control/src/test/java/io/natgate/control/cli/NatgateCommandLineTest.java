package io.natgate.control.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

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
        final CommandLine commandLine = Natgate.newCommandLine();
        for (final var entry : commandLine.getSubcommands().entrySet())
        {
            final StringWriter text = new StringWriter();
            entry.getValue().setOut(new PrintWriter(text));
            assertEquals(0, entry.getValue().execute("--help"), entry.getKey());
            assertTrue(text.toString().startsWith("Usage: natgate " + entry.getKey()), text.toString());
        }
    }

    @Test
    void shouldExitWithUsageErrorOnUnknownSubcommand()
    {
        final CommandLine commandLine = Natgate.newCommandLine();
        commandLine.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, commandLine.execute("no-such-command"));
    }
}
