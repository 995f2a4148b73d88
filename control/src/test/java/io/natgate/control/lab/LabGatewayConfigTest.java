package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
