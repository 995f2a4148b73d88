package io.natgate.control.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the config loader: any text either loads (and its NAT and forwarder
 * settings validate) or is refused with a {@link ConfigException} whose message is one line naming
 * the file. Anything else thrown (a parser's or a validator's exception escaping) is a finding. The
 * seeds are the example config and the lab's.
 */
class ConfigLoaderFuzzTest
{
    private static final Path HOST = host();
    private static final ConfigLoader LOADER = TestHosts.linuxLoader(HOST.resolve("sys"));

    private static Path host()
    {
        try
        {
            final Path root = Files.createTempDirectory("natgate-config-fuzz");
            TestHosts.labInterfaces(root.resolve("sys"));
            TestHosts.fakeInterface(root.resolve("sys"), "lo", "00:00:00:00:00:00", 65536);
            return root;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @FuzzTest
    void shouldLoadOrRefuseAnyConfigTextInOneLine(final byte[] input)
    {
        final String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        try
        {
            final GatewayConfig config = LOADER.parse("fuzz.yaml", HOST, text);
            config.forwarderConfig();
            config.natConfig(1024, 0, 64).validate();
        }
        catch (final ConfigException ex)
        {
            final String message = ex.getMessage();
            if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0 || !message.startsWith("fuzz.yaml"))
            {
                throw new AssertionError("not one line naming the file: " + message, ex);
            }
        }
    }

    @AfterAll
    static void removeHost() throws IOException
    {
        io.natgate.control.lab.LabFiles.deleteRecursively(HOST);
    }
}
