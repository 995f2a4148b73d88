package io.natgate.control.config;

import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log.level}: read from the config, info when absent, and anything but info or debug refused by line.
 */
class LogLevelConfigTest
{
    @TempDir
    Path directory;

    private ConfigLoader loader;
    private String example;

    @BeforeEach
    void host() throws IOException
    {
        loader = TestHosts.linuxLoader(TestHosts.labInterfaces(directory.resolve("sys")));
        example = Files.readString(TestHosts.repositoryFile("config/natgate.example.yaml"));
    }

    private GatewayConfig load(final String text) throws IOException
    {
        return loader.load(Files.writeString(directory.resolve("natgate.yaml"), text));
    }

    @Test
    void shouldReadTheLogLevelAndTakeInfoWhenTheConfigGivesNone() throws IOException
    {
        final String withoutLog = example.substring(0, example.indexOf("\nlog:"));

        assertEquals(LogLevel.INFO, load(example).logLevel());
        assertEquals(LogLevel.DEBUG, load(withoutLog + "\nlog: {level: debug}\n").logLevel());
        assertEquals(LogLevel.INFO, load(withoutLog + "\n").logLevel());
    }

    @Test
    void shouldRefuseALevelItDoesNotKnowNamingTheKeyAndValue()
    {
        final String text = example.replace("  level: info ", "  level: loud ");

        final ConfigException refused = assertThrows(ConfigException.class, () -> load(text));

        assertTrue(refused.getMessage().contains("log.level=loud: expected info or debug"), refused.getMessage());
    }
}
