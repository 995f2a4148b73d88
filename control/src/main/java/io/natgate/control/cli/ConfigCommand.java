package io.natgate.control.cli;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.PortConfig;
import io.natgate.control.profile.EffectiveSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code natgate config check FILE}: loads a config file and its hardware profile as
 * {@code natgate run} would, starting nothing; {@code natgate config example}: prints the
 * commented example config.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Checks a config file, or prints the commented example.",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Example.class})
final class ConfigCommand implements Runnable
{
    /** The class path resource of the example, packed from the repository's {@code config/natgate.example.yaml}. */
    static final String EXAMPLE_RESOURCE = "config/natgate.example.yaml";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description =
            "Loads FILE and its hardware profile as `natgate run` would, checking every value, the interfaces " +
            "and backends on this host, and the memory budget; starts nothing. " +
            "Exit status 0 when it is usable, 2 with one line naming the file, line, key and value when not.")
    static final class Check implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The config file (see `natgate config example`).")
        private Path file;

        @Option(names = "--profile", paramLabel = "NAME",
            description = "Hardware profile name or file, instead of the config's `profile:` or detection.")
        private String profile;

        private final Supplier<Environment> environment;

        Check(final Environment environment)
        {
            this.environment = () -> environment;
        }

        Check()
        {
            environment = Environment::current;
        }

        public Integer call()
        {
            final Environment environment = this.environment.get();
            final EffectiveSettings settings;
            try
            {
                settings = EffectiveSettings.load(file, profile, environment.configLoader(), environment.host(),
                    environment.profiles());
            }
            catch (final ConfigException ex)
            {
                spec.commandLine().getErr().println(ex.getMessage());
                return ConfigException.EXIT_STATUS;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final GatewayConfig config = settings.gateway().orElseThrow();
            out.println(file + ": ok");
            for (final PortConfig port : config.ports())
            {
                out.printf("  port %d %s: %s %s on %s via %s%n", port.index(), port.name(),
                    port.role().name().toLowerCase(java.util.Locale.ROOT), port.prefix(), port.interfaceName(),
                    port.backend().configName());
            }
            out.println("  " + settings);
            out.println("  memory: " + settings.memory().describe());
            out.println("  admin: " + config.adminAddress().getHostString() + ":" + config.adminAddress().getPort() +
                ", journal: " + config.journalDirectory());
            return 0;
        }
    }

    @Command(
        name = "example",
        mixinStandardHelpOptions = true,
        description = "Prints the commented example config, which documents every key.")
    static final class Example implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        public Integer call() throws IOException
        {
            try (InputStream in = ConfigCommand.class.getClassLoader().getResourceAsStream(EXAMPLE_RESOURCE))
            {
                if (in == null)
                {
                    throw new IllegalStateException(EXAMPLE_RESOURCE + " is missing from the class path");
                }
                spec.commandLine().getOut().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
