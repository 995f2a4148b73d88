package io.natgate.control.profile;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Location;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareProfilesTest
{
    private static final long GIB = 1L << 30;

    private final HardwareProfiles profiles = HardwareProfiles.builtin();

    @TempDir
    Path directory;

    @Test
    void shouldCarryTheRepositorysProfilesEachValidOnItsOwn() throws IOException
    {
        assertEquals(List.of("server-16core-10g", "small-2core", "windows-npcap"), profiles.names());
        for (final String name : profiles.names())
        {
            final HardwareProfile profile = profiles.get(name, null);
            assertEquals(name, profile.name());
            assertEquals("hw-profiles/" + name + ".yaml", profile.location().source());
            assertEquals(values(HardwareProfiles.directory(TestHosts.repositoryFile("hw-profiles")).get(name, null)),
                values(profile));
        }
    }

    @Test
    void shouldDetectTheMostDemandingProfileThatFitsTheHost()
    {
        assertEquals("small-2core", detect(OperatingSystem.LINUX, 2, 24 * GIB));
        assertEquals("small-2core", detect(OperatingSystem.LINUX, 1, GIB));
        assertEquals("server-16core-10g", detect(OperatingSystem.LINUX, 32, 64 * GIB));
        assertEquals("server-16core-10g", detect(OperatingSystem.LINUX, 16, 16 * GIB));
        assertEquals("small-2core", detect(OperatingSystem.LINUX, 16, 8 * GIB));
        assertEquals("small-2core", detect(OperatingSystem.MAC_OS, 64, 64 * GIB));
        assertEquals("windows-npcap", detect(OperatingSystem.WINDOWS, 8, 16 * GIB));
        assertEquals("windows-npcap", detect(OperatingSystem.WINDOWS, 64, 256 * GIB));
    }

    @Test
    void shouldNotDetectAProfileWithMoreWorkersOrPinnedCpusThanTheHostHas() throws IOException
    {
        Files.writeString(directory.resolve("one-worker.yaml"), """
            description: one worker, anywhere
            detect: {os: [linux], minCpus: 1}
            """);
        Files.writeString(directory.resolve("four-workers.yaml"), """
            description: four workers, detected from 2 CPUs up
            detect: {os: [linux], minCpus: 2}
            workers: 4     # a worker per CPU
            """);
        Files.writeString(directory.resolve("pinned.yaml"), """
            description: one worker pinned to CPU 3, detected from 2 CPUs up
            detect: {os: [linux], minCpus: 2, minMemory: 1g}
            pinning: {worker: [3]}     # its own CPU
            """);
        final HardwareProfiles mine = HardwareProfiles.directory(directory);

        assertEquals("one-worker", mine.detect(new Host(OperatingSystem.LINUX, 2, 24 * GIB)).profile().name());
        assertEquals("one-worker", mine.detect(new Host(OperatingSystem.LINUX, 3, 24 * GIB)).profile().name());
        assertEquals("pinned", mine.detect(new Host(OperatingSystem.LINUX, 4, 24 * GIB)).profile().name(),
            "of those that fit, the most demanding: the same CPUs, more memory");
        assertEquals("four-workers", mine.detect(new Host(OperatingSystem.LINUX, 4, GIB / 2)).profile().name());
    }

    @Test
    void shouldDetectTheServerProfileOnlyWhereEachOfItsWorkersHasACpu()
    {
        final Host server = new Host(OperatingSystem.LINUX, 16, 16 * GIB);
        final HardwareProfile profile = profiles.detect(server).profile();

        assertEquals("server-16core-10g", profile.name());
        assertTrue(profile.settings().get(ProfileKey.WORKERS).intValue() > 1);
        assertTrue(EffectiveSettings.of(profile).fits(server));
        assertEquals("small-2core", detect(OperatingSystem.LINUX, 15, 64 * GIB));
    }

    @Test
    void shouldSayWhyItDetected()
    {
        final Host host = new Host(OperatingSystem.LINUX, 2, 24 * GIB);
        assertEquals("detected: linux, 2 cpus, 24.0 GiB", profiles.detect(host).reason());
    }

    @Test
    void shouldRefuseWhenNoProfileFits()
    {
        final Host tiny = new Host(OperatingSystem.LINUX, 1, 64L << 20);
        assertEquals("--profile: no hardware profile fits this host (linux, 1 cpu, 64.0 MiB); choose one by name",
            assertThrows(ConfigException.class, () -> profiles.detect(tiny)).getMessage());
    }

    @Test
    void shouldPreferTheOptionThenTheConfigThenDetection() throws IOException
    {
        final Host host = TestHosts.SMALL_LINUX;
        final GatewayConfig config = configNamingProfile("windows-npcap");

        assertEquals("server-16core-10g", profiles.select("server-16core-10g", config, host).profile().name());
        assertEquals("--profile", profiles.select("server-16core-10g", config, host).reason());
        assertEquals("windows-npcap", profiles.select(null, config, host).profile().name());
        assertEquals("config " + directory.resolve("natgate.yaml") + ":1", profiles.select(null, config, host).reason());
        assertEquals("small-2core", profiles.select(null, null, host).profile().name());
    }

    @Test
    void shouldRefuseAnUnknownNameWhereItWasGiven()
    {
        assertEquals("--profile=huge: no such hardware profile (there are server-16core-10g, small-2core, " +
            "windows-npcap; or give a path to a profile file)",
            assertThrows(ConfigException.class, () -> profiles.select("huge", null, TestHosts.SMALL_LINUX)).getMessage());
    }

    @Test
    void shouldLoadAProfileFileByPathRelativeToTheConfig() throws IOException
    {
        Files.writeString(directory.resolve("lab.yaml"), "description: a profile of my own\nburstSize: 16\n");
        final GatewayConfig config = configNamingProfile("./lab.yaml");

        final HardwareProfile profile = profiles.select(null, config, TestHosts.SMALL_LINUX).profile();

        assertEquals("lab", profile.name());
        assertEquals(16L, profile.settings().get(ProfileKey.BURST_SIZE).value());
        assertEquals(new Location(directory.resolve("./lab.yaml").toString(), 2, "burstSize", "16"),
            profile.settings().get(ProfileKey.BURST_SIZE).location());
    }

    private static List<Object> values(final HardwareProfile profile)
    {
        return profile.settings().values().stream().map(Setting::value).toList();
    }

    private String detect(final OperatingSystem os, final int cpus, final long memoryBytes)
    {
        return profiles.detect(new Host(os, cpus, memoryBytes)).profile().name();
    }

    private GatewayConfig configNamingProfile(final String profile) throws IOException
    {
        final Path sysfs = TestHosts.labInterfaces(directory.resolve("sys"));
        final String example = Files.readString(TestHosts.repositoryFile("config/natgate.example.yaml"));
        final String text = "profile: " + profile + "\n" + example.replaceFirst("(?m)^profile: .*$", "");
        return TestHosts.linuxLoader(sysfs).load(Files.writeString(directory.resolve("natgate.yaml"), text));
    }
}
