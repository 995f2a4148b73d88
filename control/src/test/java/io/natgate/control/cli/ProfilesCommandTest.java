package io.natgate.control.cli;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.profile.Host;
import io.natgate.control.profile.ProfileKey;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfilesCommandTest
{
    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldListTheProfilesAndMarkTheOneDetectedHere()
    {
        assertEquals(0, run(TestHosts.smallLinux(directory), "profiles", "list"), err.toString());

        final String text = out.toString();
        assertTrue(text.matches("(?s).*\nsmall-2core \\* +linux/macos/other with 1\\+ cpus and 512m\\+ memory +2 CPUs, a few GB.*"),
            text);
        assertTrue(text.contains("server-16core-10g  "), text);
        assertTrue(text.contains("windows-npcap  "), text);
        assertTrue(text.contains("* detected on this host (linux, 2 cpus, 24.0 GiB): small-2core"), text);
    }

    @Test
    void shouldListWhatDetectionPicksOnAnotherHost()
    {
        final Environment windows = new Environment(new Host(OperatingSystem.WINDOWS, 8, 16L << 30),
            new ConfigLoader(OperatingSystem.WINDOWS, name -> java.util.Optional.empty()), HardwareProfiles.builtin());

        assertEquals(0, run(windows, "profiles", "list"));
        assertTrue(out.toString().contains("windows-npcap *"), out.toString());
    }

    @Test
    void shouldShowEveryEffectiveSettingWithItsSource()
    {
        assertEquals(0, run(TestHosts.smallLinux(directory), "profiles", "show", "windows-npcap"), err.toString());

        final String text = out.toString();
        assertTrue(text.startsWith("profile windows-npcap (--profile): Windows with Npcap"), text);
        for (final ProfileKey key : ProfileKey.values())
        {
            assertTrue(text.contains("\n" + key.path() + " "), key.path() + " missing from " + text);
        }
        assertTrue(text.matches("(?s).*\nrings\\.rx +2m +profile +hw-profiles/windows-npcap\\.yaml:16\n.*"), text);
        assertTrue(text.matches("(?s).*\nafpacket\\.blockSize +256k +default *\n.*"), text);
        assertTrue(text.contains("memory: tables 19.5 MiB + pipeline rings 13.1 MiB + backend rings 20.0 MiB (2 ports) = " +
            "52.5 MiB of memoryBudget 256m (checked for 2 ports on their costliest backend)"), text);
    }

    @Test
    void shouldShowEachWorkersPortRangesAndTableShare()
    {
        assertEquals(0, run(TestHosts.smallLinux(directory), "profiles", "show", "server-16core-10g"), err.toString());

        final String text = out.toString();
        assertTrue(text.contains("\nworkers: 10 workers, each the single writer of its own tables and port ranges: a " +
            "client (inside address) lives on one worker"), text);
        // 4194304 sessions and mappings, 262144 clients and 1024 fragment flows, each divided by 10, rounded up;
        // ports 1-1023 and 1024-65535 each cut in 10 contiguous ranges; worker k on CPU 6 + k
        assertTrue(text.matches("(?s).*\nWORKER +PUBLIC PORTS +SESSIONS +MAPPINGS +CLIENTS +FRAGMENT FLOWS +CPU\n" +
            "0 +1-103,1024-7475 +419431 +419431 +26215 +103 +6\n" +
            "1 +104-205,7476-13926 +419431 +419431 +26215 +103 +7\n.*"), text);
        assertTrue(text.matches("(?s).*\n9 +922-1023,59085-65535 +419431 +419431 +26215 +103 +15\nmemory: .*"), text);
        assertTrue(text.contains("(2 ports, 10 workers)"), text);
    }

    @Test
    void shouldNotShowASplitForOneWorker()
    {
        assertEquals(0, run(TestHosts.smallLinux(directory), "profiles", "show", "small-2core"), err.toString());

        assertTrue(!out.toString().contains("\nWORKER ") && !out.toString().contains("\nworkers: "), out.toString());
    }

    @Test
    void shouldShowTheDetectedProfileWithTheConfigsOverrides() throws IOException
    {
        final Environment environment = TestHosts.smallLinux(TestHosts.labInterfaces(directory.resolve("sys")));
        final String example = Files.readString(TestHosts.repositoryFile("config/natgate.example.yaml"));
        final Path config = Files.writeString(directory.resolve("natgate.yaml"), example
            .replaceFirst("(?m)^profile: .*$", "")
            .replace("maxSessions: 65536", "maxSessions: 100000"));

        assertEquals(0, run(environment, "profiles", "show", "--config", config.toString()), err.toString());

        final String text = out.toString();
        assertTrue(text.startsWith("profile small-2core (detected: linux, 2 cpus, 24.0 GiB)"), text);
        final List<String> lines = Files.readAllLines(config);
        final int maxSessionsLine = 1 + java.util.stream.IntStream.range(0, lines.size())
            .filter(i -> lines.get(i).startsWith("  maxSessions: 100000")).findFirst().orElseThrow();
        assertTrue(text.matches("(?s).*\ntables\\.maxSessions +100000 +config +" +
            Pattern.quote(config + ":" + maxSessionsLine) + "\n.*"),
            text);
        assertTrue(text.matches("(?s).*\ntables\\.maxClients +4096 +profile +hw-profiles/small-2core\\.yaml:\\d+\n.*"), text);
    }

    @Test
    void shouldExitWithStatus2OnAnUnknownProfile()
    {
        assertEquals(2, run(TestHosts.smallLinux(directory), "profiles", "show", "huge"));
        assertEquals("--profile=huge: no such hardware profile (there are server-16core-10g, small-2core, " +
            "windows-npcap; or give a path to a profile file)" + System.lineSeparator(), err.toString());
    }

    @Test
    void shouldCheckTheExampleConfigWithItsProfile()
    {
        final Environment environment = TestHosts.smallLinux(TestHosts.labInterfaces(directory));
        final Path example = TestHosts.repositoryFile("config/natgate.example.yaml");

        assertEquals(0, run(environment, "config", "check", example.toString()), err.toString());
        assertTrue(out.toString().contains("port 0 lan: inside 10.0.0.1/24 on veth-lan via afpacket"), out.toString());
        assertTrue(out.toString().contains("profile small-2core (config " + example + ":15)"), out.toString());
    }

    @Test
    void shouldPrintTheCommentedExample() throws IOException
    {
        assertEquals(0, run(TestHosts.smallLinux(directory), "config", "example"));
        assertEquals(Files.readString(TestHosts.repositoryFile("config/natgate.example.yaml")), out.toString());
    }

    private int run(final Environment environment, final String... arguments)
    {
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(arguments);
    }
}
