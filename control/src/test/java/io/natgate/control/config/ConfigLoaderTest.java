package io.natgate.control.config;

import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.Ipv6Policy;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.forward.StaticNeighbour;
import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.port.LinkLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest
{
    static final Path EXAMPLE = TestHosts.repositoryFile("config/natgate.example.yaml");

    @TempDir
    Path sysfs;

    @Test
    void shouldLoadTheExampleConfig()
    {
        final GatewayConfig config = TestHosts.linuxLoader(TestHosts.labInterfaces(sysfs)).load(EXAMPLE);

        assertEquals("small-2core", config.profileName().orElseThrow());
        assertEquals(EXAMPLE + ":1", config.location().where());

        final List<PortConfig> ports = config.ports();
        assertEquals(2, ports.size());
        assertEquals(new PortSettings(0, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, 0x0200_0000_0001L, 1500,
            Ipv4.parse("10.0.0.1"), 24, 0), ports.get(0).settings());
        assertEquals("veth-lan", ports.get(0).interfaceName());
        assertEquals(Backend.AFPACKET, ports.get(0).backend());
        assertEquals(new PortSettings(1, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, 0x0200_0000_000bL, 1500,
            Ipv4.parse("203.0.113.1"), 24, Ipv4.parse("203.0.113.254")), ports.get(1).settings());
        assertEquals("veth-wan", ports.get(1).interfaceName());

        final ForwarderConfig forwarder = config.forwarderConfig();
        assertEquals(List.of(ports.get(0).settings(), ports.get(1).settings()), forwarder.ports());
        assertEquals(Ipv6Policy.DROP, forwarder.ipv6());

        final NatConfig nat = config.natConfig(1000, 0, 100).validate();
        assertArrayEquals(new int[] {Ipv4.parse("203.0.113.1")}, nat.publicAddresses());
        assertEquals(FilteringMode.ADDRESS_DEPENDENT, nat.filtering());
        assertEquals(TimeUnit.MINUTES.toNanos(5), nat.udpTimeoutNs());
        assertEquals(TimeUnit.MINUTES.toNanos(124), nat.tcpEstablishedTimeoutNs());
        assertEquals(TimeUnit.MINUTES.toNanos(4), nat.tcpTransitoryTimeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(60), nat.icmpTimeoutNs());
        assertEquals(4096, nat.portsPerClient());
        assertEquals(4096, nat.sessionsPerClient());
        assertEquals(64, new NatConfig().maxSessions(1000).sessionsPerClient(), "by default a fair share, at least 64");
        assertEquals(1000, nat.maxSessions());
        assertEquals("65536", config.profileOverrides().get("tables.maxSessions").asText());

        assertEquals(List.of(new StaticMapping(Ipv4Protocols.TCP, new Ipv4Endpoint(Ipv4.parse("203.0.113.1"), 8080),
            new Ipv4Endpoint(Ipv4.parse("10.0.0.3"), 80))), config.staticMappings());
        assertEquals(List.of(new FirewallRuleConfig("web-in", FirewallRuleConfig.Action.ALLOW,
            FirewallRuleConfig.Direction.INBOUND, "tcp", Ipv4Prefix.ANY, Ipv4Prefix.ANY, 80, 443, null, null)),
            config.firewallRules());
        assertEquals(List.of(new ProviderConfig.NatPmpPcp(List.of("lan")),
            new ProviderConfig.Vxlan(new Ipv4Endpoint(Ipv4.parse("198.51.100.20"), 4789), 42,
                new Ipv4Prefix(Ipv4.parse("192.0.2.0"), 24))), config.providers());
        assertEquals(Path.of("/var/lib/natgate/journal"), config.journalDirectory());
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), config.adminAddress());
        assertTrue(config.adminAddress().getAddress().isLoopbackAddress());
    }

    /**
     * Found by {@code ConfigLoaderFuzzTest}: a quoted value may hold line breaks and other control characters,
     * and the refusal echoing it must still be one line.
     */
    @Test
    void shouldRefuseAValueWithLineBreaksInOneLineEscapingThem()
    {
        final ConfigException refused = assertThrows(ConfigException.class, () -> TestHosts.linuxLoader(sysfs)
            .parse("breaks.yaml", Path.of("/etc/natgate"), "nonsense: \"a\\nb\\r\\tc\\u0007\"\n"));

        assertTrue(refused.getMessage().startsWith("breaks.yaml:1: nonsense=a\\nb\\r\\tc\\u0007: unknown key ("),
            refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count(), refused.getMessage());
    }

    @Test
    void shouldCarryTheExampleInTheJarAsTheSameFile() throws Exception
    {
        try (var in = ConfigLoader.class.getClassLoader().getResourceAsStream("config/natgate.example.yaml"))
        {
            assertEquals(java.nio.file.Files.readString(EXAMPLE), new String(in.readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldTakeMacAndMtuFromTheInterfaceAndDefaultTheRest()
    {
        TestHosts.fakeInterface(sysfs, "in0", "02:aa:bb:cc:dd:ee", 1400);
        TestHosts.fakeInterface(sysfs, "out0", "02:11:22:33:44:55", 9000);
        final GatewayConfig config = TestHosts.linuxLoader(sysfs).parse("minimal.yaml", Path.of("/etc/natgate"), """
            ports:
              - {name: a, interface: in0, role: inside, address: 192.168.1.1/24}
              - {name: b, interface: out0, backend: pcap, role: outside, address: 198.51.100.2/30}
            nat:
              publicAddresses: [198.51.100.2]
            journal: {directory: journal}
            admin: {address: 127.0.0.1:0}
            """);

        assertEquals(0x02aa_bbcc_ddeeL, config.ports().get(0).settings().macAddress());
        assertEquals(1400, config.ports().get(0).settings().mtu());
        assertEquals(Backend.AFPACKET, config.ports().get(0).backend());
        assertEquals(9000, config.ports().get(1).settings().mtu());
        assertEquals(Backend.PCAP, config.ports().get(1).backend());
        assertTrue(config.profileName().isEmpty());
        assertNull(config.profileLocation());
        assertTrue(config.profileOverrides().isEmpty());
        assertEquals(Path.of("/etc/natgate/journal"), config.journalDirectory());
        assertEquals(0, config.adminAddress().getPort());
        final NatConfig nat = config.natConfig(NatConfig.MAX_SESSIONS_DEFAULT, 0, NatConfig.MAX_CLIENTS_DEFAULT);
        assertEquals(NatConfig.UDP_TIMEOUT_DEFAULT_NS, nat.udpTimeoutNs());
        assertEquals(NatConfig.FILTERING_DEFAULT, nat.filtering());
        assertTrue(config.staticMappings().isEmpty() && config.firewallRules().isEmpty() && config.providers().isEmpty());
    }

    @Test
    void shouldBindConfiguredNeighboursToTheirMacsAndRefuseOnesOffTheNetwork()
    {
        TestHosts.fakeInterface(sysfs, "in0", "02:aa:bb:cc:dd:ee", 1500);
        TestHosts.fakeInterface(sysfs, "out0", "02:11:22:33:44:55", 1500);
        final String text = """
            ports:
              - name: a
                interface: in0
                role: inside
                address: 192.168.1.1/24
                neighbours: [{address: 192.168.1.5, mac: "02:00:00:00:00:05"}]
              - {name: b, interface: out0, role: outside, address: 198.51.100.2/30}
            nat:
              publicAddresses: [198.51.100.2]
            journal: {directory: journal}
            admin: {address: 127.0.0.1:0}
            """;
        final GatewayConfig config = TestHosts.linuxLoader(sysfs).parse("neighbours.yaml", Path.of("/etc/natgate"), text);

        assertEquals(List.of(new StaticNeighbour(0, Ipv4.parse("192.168.1.5"), 0x0200_0000_0005L)),
            config.forwarderConfig().staticNeighbours());
        final ConfigException offNetwork = assertThrows(ConfigException.class, () -> TestHosts.linuxLoader(sysfs)
            .parse("neighbours.yaml", Path.of("/etc/natgate"), text.replace("192.168.1.5", "192.168.2.5")));
        assertTrue(offNetwork.getMessage().contains("neighbours"), offNetwork.getMessage());
    }
}
