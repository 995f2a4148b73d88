package io.natgate.control.cli;

import io.natgate.bindings.OperatingSystem;
import io.natgate.bindings.pcap.PcapException;
import io.natgate.control.capture.CaptureReplay;
import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.profile.EffectiveSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code natgate pcap}: a capture replayed through the NAT offline ({@link CaptureReplay}).
 */
@Command(
    name = "pcap",
    mixinStandardHelpOptions = true,
    description = "Replays a capture through the NAT offline: each frame of the --inside file enters the inside " +
        "port (with --from outside, each frame of the --outside file enters the outside port) and what leaves the " +
        "other port is written to the other file, stamped with the time of the frame that caused it, so a capture " +
        "from the field comes out translated, with its timing, for Wireshark. The gateway is built from the config " +
        "as natgate run builds it (NAT settings, static mappings, firewall rules; no journal or providers, and the " +
        "interfaces need not exist: a port without a mac takes the MAC the capture's frames are sent to), and its " +
        "ARP requests are answered as the network would. Prints the frames read, written and dropped by reason.")
final class PcapCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's YAML config.")
    private Path config;

    @Option(names = "--inside", required = true, paramLabel = "FILE",
        description = "The capture on the inside link: read, or written with --from outside.")
    private Path inside;

    @Option(names = "--outside", required = true, paramLabel = "FILE",
        description = "The capture on the outside link: written, or read with --from outside.")
    private Path outside;

    @Option(names = "--from", paramLabel = "SIDE", defaultValue = "inside",
        description = "The side whose capture is replayed: inside or outside (default: ${DEFAULT-VALUE}).")
    private String from;

    @Option(names = "--profile", paramLabel = "NAME", description = "The hardware profile (table sizes), as for run.")
    private String profile;

    private final Supplier<Environment> environment;

    PcapCommand(final Environment environment)
    {
        this.environment = () -> environment;
    }

    PcapCommand()
    {
        environment = Environment::current;
    }

    public Integer call()
    {
        if (!from.equals("inside") && !from.equals("outside"))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from is inside or outside, not " + from);
        }
        final boolean fromInside = from.equals("inside");
        final Path input = fromInside ? inside : outside;
        final Path output = fromInside ? outside : inside;
        final PrintWriter out = spec.commandLine().getOut();
        final Environment host = environment.get();
        try
        {
            final EffectiveSettings settings = EffectiveSettings.load(config, profile,
                new ConfigLoader(OperatingSystem.current(), CaptureReplay.interfaces(CaptureReplay.gatewayMac(input))),
                host.host(), host.profiles());
            final CaptureReplay.Result result = CaptureReplay.replay(settings, from, input, output);
            out.printf("natgate pcap: %d frames read from %s (%s), %d written to %s (%s), %d sent back %s, " +
                "%d ARP requests answered%n", result.framesIn(), input, from, result.framesOut(), output,
                fromInside ? "outside" : "inside", result.framesBack(), from, result.arpAnswered());
            for (final Map.Entry<String, String> mapping : result.staticMappings().entrySet())
            {
                out.println("  static mapping " + mapping.getKey() + ": " + mapping.getValue());
            }
            for (final Map.Entry<String, Long> drop : result.drops().entrySet())
            {
                out.println("  dropped " + drop.getKey() + ": " + drop.getValue());
            }
            return 0;
        }
        catch (final ConfigException ex)
        {
            spec.commandLine().getErr().println(ex.getMessage());
            return ConfigException.EXIT_STATUS;
        }
        catch (final PcapException | IllegalArgumentException ex)
        {
            spec.commandLine().getErr().println("natgate pcap: " + Natgate.describe(ex));
            return 1;
        }
    }
}
