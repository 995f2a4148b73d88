package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.datapath.pipeline.ThreadingMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config file of the lab's gateway: the inside port on {@value LabTopology#GATEWAY_INSIDE_INTERFACE}
 * (10.0.0.1/24), the outside port on {@value LabTopology#GATEWAY_OUTSIDE_INTERFACE} (203.0.113.1/24, the
 * public pool), the default address-dependent filtering, and port forwards from the public address to the second client: TCP {@value #FORWARDED_TCP_PORT} to its HTTP
 * server and UDP {@value #FORWARDED_UDP_PORT}. The journal is written beside the file.
 */
public final class LabGatewayConfig
{
    /** The public TCP port forwarded to {@value LabTopology#CLIENT2_ADDRESS}, same port. */
    public static final int FORWARDED_TCP_PORT = 8080;
    /** The public UDP port forwarded to {@value LabTopology#CLIENT2_ADDRESS}, same port. */
    public static final int FORWARDED_UDP_PORT = 7000;
    /** The name of the file {@link #write} makes. */
    public static final String FILE_NAME = "natgate-lab.yaml";

    private LabGatewayConfig()
    {
    }

    /**
     * @return the file's text.
     */
    public static String text(final Backend backend, final String profile)
    {
        return """
            # The gateway of `natgate lab` (docs/lab.md): run in its gw namespace with
            #   ip netns exec <prefix>gw natgate run --config THIS_FILE
            profile: %1$s
            ports:
              - name: lan
                interface: %2$s
                backend: %3$s
                role: inside
                address: %4$s/%5$d
              - name: wan
                interface: %6$s
                backend: %3$s
                role: outside
                address: %7$s/%5$d
            nat:
              publicAddresses: [%7$s]
              filtering: address-dependent
              staticMappings:
                - {protocol: tcp, public: %7$s:%8$d, inside: %9$s:%8$d}
                - {protocol: udp, public: %7$s:%10$d, inside: %9$s:%10$d}
            journal:
              directory: journal
            admin:
              address: %11$s
            """.formatted(profile, LabTopology.GATEWAY_INSIDE_INTERFACE, backend.configName(),
            LabTopology.GATEWAY_INSIDE_ADDRESS, LabTopology.PREFIX_LENGTH, LabTopology.GATEWAY_OUTSIDE_INTERFACE,
            LabTopology.PUBLIC_ADDRESS, FORWARDED_TCP_PORT, LabTopology.CLIENT2_ADDRESS, FORWARDED_UDP_PORT,
            LabTopology.ADMIN_ADDRESS);
    }

    /**
     * Writes a copy of a built-in hardware profile with another {@code threading} into
     * {@code directory}, for a config there to name in its {@code profile:} (a path, relative to it).
     *
     * @return the file's name.
     */
    public static String writeProfile(final Path directory, final String builtin, final String threading)
    {
        return writeProfile(directory, builtin, threading, 0);
    }

    /** The memory budget of a copy with several workers running to completion: {@value}. */
    public static final String RUN_TO_COMPLETION_BUDGET = "128m";

    /**
     * Writes a copy of a built-in hardware profile with another {@code threading} and {@code workers} (0: the
     * profile's own) into {@code directory}, for a config there to name in its {@code profile:} (a path,
     * relative to it); with several workers running to completion, its {@code memoryBudget}
     * {@value #RUN_TO_COMPLETION_BUDGET} (each worker has its own sockets' rings).
     *
     * @return the file's name.
     */
    public static String writeProfile(final Path directory, final String builtin, final String threading,
        final int workers)
    {
        final String resource = "/" + io.natgate.control.profile.HardwareProfiles.DIRECTORY + "/" + builtin + ".yaml";
        try (java.io.InputStream in = LabGatewayConfig.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalArgumentException("no built-in profile " + builtin);
            }
            final String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String changed = replaceLine(builtin, text, "threading", "[a-z-]+", threading);
            String name = builtin + "-" + threading;
            if (workers > 0)
            {
                changed = replaceLine(builtin, changed, "workers", "[0-9]+", String.valueOf(workers));
                name += "-" + workers + "w";
            }
            if (workers > 1 && ThreadingMode.RUN_TO_COMPLETION.configName().equals(threading))
            {
                // each worker its own socket's rings on every device
                changed = replaceLine(builtin, changed, "memoryBudget", "[0-9]+[kmg]?", RUN_TO_COMPLETION_BUDGET);
            }
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(name + ".yaml"), changed);
            return name + ".yaml";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String replaceLine(final String builtin, final String text, final String key,
        final String valuePattern, final String value)
    {
        final java.util.regex.Matcher line =
            java.util.regex.Pattern.compile("(?m)^" + key + ": *" + valuePattern + "(?=\\s|$)").matcher(text);
        if (!line.find())
        {
            throw new IllegalArgumentException("profile " + builtin + " has no " + key + " line to change");
        }
        return text.substring(0, line.start()) + key + ": " + value + text.substring(line.end());
    }

    /**
     * Writes the file into {@code directory}, the journal to go beside it.
     *
     * @return the file.
     */
    public static Path write(final Path directory, final Backend backend, final String profile)
    {
        try
        {
            Files.createDirectories(directory);
            return Files.writeString(directory.resolve(FILE_NAME), text(backend, profile));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
