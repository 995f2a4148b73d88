package io.natgate.control.cli;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.control.profile.HardwareProfile;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.profile.Setting;
import io.natgate.control.profile.WorkerSplit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code natgate profiles list|show [NAME]}: the hardware profiles, and the effective settings of
 * one with where each value came from (default, profile, config).
 */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = "Lists the hardware profiles, or shows one's effective settings.",
    subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.Show.class})
final class ProfilesCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Lists the hardware profiles with their descriptions, and which one detection picks on this host.")
    static final class ListProfiles implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        private final Supplier<Environment> environment;

        ListProfiles(final Environment environment)
        {
            this.environment = () -> environment;
        }

        ListProfiles()
        {
            environment = Environment::current;
        }

        public Integer call()
        {
            final Environment environment = this.environment.get();
            final PrintWriter out = spec.commandLine().getOut();
            final HardwareProfiles profiles = environment.profiles();
            String detected;
            try
            {
                detected = profiles.detect(environment.host()).profile().name();
            }
            catch (final ConfigException ex)
            {
                detected = null;
            }
            final List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "DETECTS", "DESCRIPTION"});
            int status = 0;
            for (final String name : profiles.names())
            {
                try
                {
                    final HardwareProfile profile = profiles.get(name, null);
                    rows.add(new String[] {name + (name.equals(detected) ? " *" : ""), profile.detection().describe(),
                        profile.description()});
                }
                catch (final ConfigException ex)
                {
                    rows.add(new String[] {name, "-", "INVALID: " + ex.getMessage()});
                    status = ConfigException.EXIT_STATUS;
                }
            }
            printTable(out, rows);
            out.println(detected == null ?
                "No profile fits this host (" + environment.host().describe() + "); choose one with --profile." :
                "* detected on this host (" + environment.host().describe() + "): " + detected);
            out.flush();
            return status;
        }
    }

    @Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Shows every effective hardware setting of profile NAME (default: the config's, else the one " +
            "detected), its value and its source: default, profile or config (with --config); with several workers " +
            "each worker's public port ranges and table share; and the memory the tables and rings take against " +
            "the profile's budget.")
    static final class Show implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..1",
            description = "A profile name or profile file; default: the config's, else the one detected.")
        private String name;

        @Option(names = "--config", paramLabel = "FILE",
            description = "Apply this config file's overrides (table sizes) and count its ports.")
        private Path configFile;

        private final Supplier<Environment> environment;

        Show(final Environment environment)
        {
            this.environment = () -> environment;
        }

        Show()
        {
            environment = Environment::current;
        }

        public Integer call()
        {
            final Environment environment = this.environment.get();
            final EffectiveSettings settings;
            try
            {
                final GatewayConfig config = configFile == null ? null : environment.configLoader().load(configFile);
                settings = EffectiveSettings.resolve(config, name, environment.host(), environment.profiles());
            }
            catch (final ConfigException ex)
            {
                spec.commandLine().getErr().println(ex.getMessage());
                return ConfigException.EXIT_STATUS;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final HardwareProfile profile = settings.profile();
            out.println("profile " + profile.name() + " (" + settings.selection() + "): " + profile.description());
            out.println("file " + profile.location().source() + "; detects " + profile.detection().describe());
            final List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KEY", "VALUE", "SOURCE", "WHERE"});
            for (final Setting setting : settings.settings())
            {
                rows.add(ProfilesCommand.row(setting));
            }
            printTable(out, rows);
            if (settings.workers() > 1)
            {
                final WorkerSplit split = settings.workerSplit();
                out.println("workers: " + split.summary());
                printTable(out, split.rows());
            }
            out.println("memory: " + settings.memory().describe() + " of memoryBudget " +
                settings.setting(io.natgate.control.profile.ProfileKey.MEMORY_BUDGET).text() +
                (configFile == null ? " (checked for " + EffectiveSettings.PROFILE_CHECK_PORTS +
                " ports on their costliest backend)" : ""));
            out.flush();
            return 0;
        }
    }

    static String[] row(final Setting setting)
    {
        return new String[] {setting.key().path(), setting.text(), setting.source().label(),
            setting.location() == null ? "" : setting.location().where()};
    }

    static void printTable(final PrintWriter out, final List<String[]> rows)
    {
        final int columns = rows.get(0).length;
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns - 1; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (final String[] row : rows)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++)
            {
                line.append(i < columns - 1 ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
