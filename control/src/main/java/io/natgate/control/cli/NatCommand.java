package io.natgate.control.cli;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.Ipv4;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code natgate nat lookup}: deterministic NAT (RFC 7422) answered from the config alone, both ways, with no
 * gateway and no journal: the public address and port range of an inside address, and the inside address that
 * owns a public address and port.
 */
@Command(
    name = "nat",
    mixinStandardHelpOptions = true,
    description = "NAT questions answered offline from the config.",
    subcommands = NatCommand.Lookup.class)
final class NatCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "lookup",
        mixinStandardHelpOptions = true,
        description = "Deterministic NAT (nat.deterministic): --inside ADDR prints its public address and port " +
            "range; --public ADDR:PORT prints the inside address that owns it. From the config alone. Exit status 0 " +
            "when answered, 1 when no inside address owns the public endpoint, 2 for a bad config.")
    static final class Lookup implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway's YAML config.")
        private Path config;

        @Option(names = "--inside", paramLabel = "ADDR", description = "An inside address.")
        private String inside;

        @Option(names = "--public", paramLabel = "ADDR:PORT", description = "A public endpoint.")
        private String publicEndpoint;

        public Integer call()
        {
            if ((inside == null) == (publicEndpoint == null))
            {
                spec.commandLine().getErr().println("natgate nat lookup: give one of --inside or --public");
                return 2;
            }
            final DeterministicMap map;
            try
            {
                map = ConfigLoader.deterministic(config);
            }
            catch (final ConfigException ex)
            {
                spec.commandLine().getErr().println(ex.getMessage());
                return ConfigException.EXIT_STATUS;
            }
            if (map == null)
            {
                spec.commandLine().getErr().println(config + ": no nat.deterministic section: ports are not " +
                    "assigned deterministically (use natgate journal who)");
                return 2;
            }
            final var out = spec.commandLine().getOut();
            if (inside != null)
            {
                final int address;
                try
                {
                    address = Ipv4.parse(inside);
                }
                catch (final IllegalArgumentException ex)
                {
                    spec.commandLine().getErr().println("--inside " + inside + ": " + ex.getMessage());
                    return 2;
                }
                if (!map.covers(address))
                {
                    out.printf("%s is not in nat.deterministic.inside (%s/%d): it has no public range%n", inside,
                        Ipv4.toString(map.insideNetwork()), map.insidePrefixLength());
                    return 1;
                }
                out.printf("%s -> %s:%d-%d%n", Ipv4.toString(address), Ipv4.toString(map.publicAddress(address)),
                    map.firstPort(address), map.lastPort(address));
                return 0;
            }
            final Ipv4Endpoint endpoint;
            try
            {
                endpoint = Ipv4Endpoint.parse(publicEndpoint, 1);
            }
            catch (final IllegalArgumentException ex)
            {
                spec.commandLine().getErr().println("--public " + publicEndpoint + ": " + ex.getMessage());
                return 2;
            }
            final long owner = map.insideAddress(endpoint.address(), endpoint.port());
            if (owner < 0)
            {
                out.printf("%s belongs to no inside address%n", endpoint);
                return 1;
            }
            final int address = (int)owner;
            out.printf("%s <- %s (its range %s:%d-%d)%n", endpoint, Ipv4.toString(address),
                Ipv4.toString(map.publicAddress(address)), map.firstPort(address), map.lastPort(address));
            return 0;
        }
    }
}
