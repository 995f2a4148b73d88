package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.WorkerSteering;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The lab's gateway config is one the loader accepts, on the lab's interfaces, with the ports,
 * pool, port forwards and admin address the lab and its tests rely on. Needs no privileges.
 */
class LabGatewayConfigTest
{
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"AFPACKET", "PCAP"})
    void shouldLoadWithTheLabsPortsForwardsAndAdminAddress(final Backend backend, @TempDir final Path directory)
    {
        final Path file = LabGatewayConfig.write(directory, backend, "small-2core");
        final GatewayConfig config =
            TestHosts.linuxLoader(TestHosts.labInterfaces(directory.resolve("sys"))).load(file);

        assertEquals(List.of("lan veth-lan 10.0.0.1/24 " + backend, "wan veth-wan 203.0.113.1/24 " + backend),
            config.ports().stream().map(port -> port.name() + " " + port.interfaceName() + " " + port.prefix() + " " +
                port.backend()).toList());
        assertEquals(List.of("tcp 203.0.113.1:8080 -> 10.0.0.3:8080", "udp 203.0.113.1:7000 -> 10.0.0.3:7000"),
            config.staticMappings().stream().map(Object::toString).toList());
        assertEquals(LabTopology.ADMIN_ADDRESS,
            config.adminAddress().getHostString() + ":" + config.adminAddress().getPort());
        assertEquals(directory.resolve("journal"), config.journalDirectory());
        assertEquals("small-2core", config.profileName().orElseThrow());
    }

    @Test
    void shouldCopyAProfileChangingOnlyItsThreadingAndWorkersLines(@TempDir final Path directory) throws IOException
    {
        final String name = LabGatewayConfig.writeProfile(directory, "small-2core", "shared-network", 2);

        final List<String> copy = Files.readAllLines(directory.resolve(name));
        final List<String> original;
        try (java.io.InputStream in = LabGatewayConfig.class.getResourceAsStream("/hw-profiles/small-2core.yaml"))
        {
            original = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
        assertEquals("small-2core-shared-network-2w.yaml", name);
        assertEquals(original.size(), copy.size());
        final List<String> changed = java.util.stream.IntStream.range(0, copy.size())
            .filter(i -> !copy.get(i).equals(original.get(i))).mapToObj(i -> copy.get(i).replaceAll(" *#.*", ""))
            .toList();
        assertEquals(List.of("workers: 2", "threading: shared-network"), changed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared-network", "run-to-completion"})
    void shouldAcceptTheLabConfigOnTwoWorkersWithinTheProfilesBudget(final String threading, @TempDir final Path directory)
    {
        final String profile = LabGatewayConfig.writeProfile(directory, "small-2core", threading, 2);
        final Path file = LabGatewayConfig.write(directory, Backend.AFPACKET, profile);

        final EffectiveSettings settings = EffectiveSettings.load(file, null,
            TestHosts.linuxLoader(TestHosts.labInterfaces(directory.resolve("sys"))), TestHosts.SMALL_LINUX,
            HardwareProfiles.builtin());

        assertEquals(2, settings.pipelineConfig().workers());
        assertEquals(threading, settings.pipelineConfig().threadingMode().configName());
    }

    /**
     * The two-worker lab relies on it: the first client's second address is on the other worker of two than the
     * second client, the forwards' target, so a hairpin between them crosses workers.
     */
    @Test
    void shouldPutTheFirstClientsSecondAddressOnTheOtherWorkerOfTwoThanTheSecondClient()
    {
        assertEquals(0, WorkerSteering.insideWorker(Ipv4.parse(LabTopology.CLIENT_SECOND_ADDRESS), 2));
        assertNotEquals(WorkerSteering.insideWorker(Ipv4.parse(LabTopology.CLIENT_SECOND_ADDRESS), 2),
            WorkerSteering.insideWorker(Ipv4.parse(LabTopology.CLIENT2_ADDRESS), 2));
    }
}
