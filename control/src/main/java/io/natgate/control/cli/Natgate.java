package io.natgate.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the natgate command line.
 */
@Command(
    name = "natgate",
    mixinStandardHelpOptions = true,
    versionProvider = Natgate.Version.class,
    description = "Userspace NAT44 and firewall-traversal gateway.",
    subcommands = {
        DemoCommand.class, LabCommand.class, RunCommand.class, StatCommand.class, ConfigCommand.class,
        ProfilesCommand.class, SessionsCommand.class, ClientsCommand.class, SummaryCommand.class, ReloadCommand.class,
        InstallCommand.class, PcapCommand.class,
        FirewallCommand.class, ProvidersCommand.class, JournalCommand.class, NatCommand.class, HaCommand.class,
        CommandLine.HelpCommand.class})
public final class Natgate implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    public static void main(final String[] args)
    {
        System.exit(newCommandLine().execute(args));
    }

    /**
     * @return the command line with every subcommand, for main and tests.
     */
    public static CommandLine newCommandLine()
    {
        return HelpLayout.install(oneLineErrors(new CommandLine(new Natgate())));
    }

    /**
     * @return the command line with every subcommand, whose commands that read configuration see
     * {@code environment} instead of this host (for tests).
     */
    public static CommandLine newCommandLine(final Environment environment)
    {
        return HelpLayout.install(oneLineErrors(new CommandLine(new Natgate(), new CommandLine.IFactory()
        {
            public <K> K create(final Class<K> type) throws Exception
            {
                try
                {
                    final java.lang.reflect.Constructor<K> constructor = type.getDeclaredConstructor(Environment.class);
                    constructor.setAccessible(true);
                    return constructor.newInstance(environment);
                }
                catch (final NoSuchMethodException ex)
                {
                    return CommandLine.defaultFactory().create(type);
                }
            }
        })));
    }

    /**
     * Every error a command line can end in is one line on standard error: a usage error names what was
     * wrong and where the help is (exit 2), a failure while running says what failed (exit 1), never a
     * stack trace.
     */
    static CommandLine oneLineErrors(final CommandLine commandLine)
    {
        commandLine.setParameterExceptionHandler((ex, args) ->
        {
            final CommandLine command = ex.getCommandLine();
            command.getErr().println(qualifiedName(command) + ": " + oneLine(ex.getMessage()) +
                " (see " + qualifiedName(command) + " --help)");
            command.getErr().flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((ex, command, parseResult) ->
        {
            command.getErr().println(qualifiedName(command) + ": " + describe(ex));
            command.getErr().flush();
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        return commandLine;
    }

    private static String qualifiedName(final CommandLine command)
    {
        return command.getCommandSpec().qualifiedName();
    }

    /**
     * @return the exception's message on one line, or its kind when it has none.
     */
    static String describe(final Throwable ex)
    {
        final String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() : oneLine(message);
    }

    private static String oneLine(final String text)
    {
        return text == null ? "" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /**
     * Version from the jar manifest.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            return new String[] {"natgate " + io.natgate.control.gateway.Gateway.version() + " on Java " +
                Runtime.version()};
        }
    }
}
