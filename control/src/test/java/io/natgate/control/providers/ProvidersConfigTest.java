package io.natgate.control.providers;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.providers.vxlan.VxlanProvider;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The providers' config keys: defaults, every key given, and refusals that name the line and key; and what
 * the gateway derives from them (the provider interfaces' MTU, the tunnel's local address).
 */
class ProvidersConfigTest
{
    private static final String PORTS = """
        ports:
          - {name: lan, interface: veth-lan, backend: afpacket, role: inside, address: 10.0.0.1/24}
          - {name: wan, interface: veth-wan, backend: afpacket, role: outside, address: 203.0.113.1/24,
             nextHop: 203.0.113.254}
        nat:
          publicAddresses: [203.0.113.1]
        """;

    @TempDir
    Path sysfs;

    private GatewayConfig load(final String providers)
    {
        return TestHosts.linuxLoader(TestHosts.labInterfaces(sysfs)).parse("test.yaml", sysfs, PORTS + providers);
    }

    @Test
    void shouldDefaultEveryOptionalKey()
    {
        final GatewayConfig config = load("""
            providers:
              - {type: natpmp-pcp, ports: [lan]}
              - {type: vxlan, peer: 198.51.100.20, vni: 42, remoteSubnet: 192.0.2.0/24}
            """);

        assertEquals(List.of(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.MINUTES.toNanos(2),
            TimeUnit.HOURS.toNanos(24), false, 64), new ProviderConfig.Vxlan(
            new Ipv4Endpoint(Ipv4.parse("198.51.100.20"), 4789), 42, new Ipv4Prefix(Ipv4.parse("192.0.2.0"), 24), 4789,
            Ipv4.parse("192.0.2.1"), TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(30))), config.providers());
    }

    @Test
    void shouldReadEveryKey()
    {
        final GatewayConfig config = load("""
            providers:
              - {type: natpmp-pcp, ports: [lan], minLifetime: 30s, maxLifetime: 2h, thirdParty: true,
                 mappingsPerClient: 5}
              - {type: vxlan, peer: 198.51.100.20:8472, vni: 7, remoteSubnet: 192.0.2.0/24, localPort: 8472,
                 probe: 192.0.2.254, keepalive: 200ms, timeout: 2s}
            """);

        assertEquals(List.of(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.SECONDS.toNanos(30),
            TimeUnit.HOURS.toNanos(2), true, 5), new ProviderConfig.Vxlan(
            new Ipv4Endpoint(Ipv4.parse("198.51.100.20"), 8472), 7, new Ipv4Prefix(Ipv4.parse("192.0.2.0"), 24), 8472,
            Ipv4.parse("192.0.2.254"), TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.SECONDS.toNanos(2))),
            config.providers());
    }

    @Test
    void shouldRefuseInconsistentValuesNamingTheLineAndKey()
    {
        final String[][] cases = {
            {"  - {type: natpmp-pcp, ports: [lan], minLifetime: 1h, maxLifetime: 1m}", "maxLifetime", "minLifetime"},
            {"  - {type: natpmp-pcp, ports: [lan], minLifetime: 0s}", "providers[0]", "1s"},
            {"  - {type: natpmp-pcp, ports: [lan], mappingsPerClient: 0}", "mappingsPerClient", ""},
            {"  - {type: vxlan, peer: 198.51.100.20, vni: 1, remoteSubnet: 192.0.2.0/24, probe: 198.51.100.1}",
                "probe", "remote subnet"},
            {"  - {type: vxlan, peer: 198.51.100.20, vni: 1, remoteSubnet: 192.0.2.0/24, keepalive: 5s, timeout: 5s}",
                "timeout", "keepalive < timeout"},
            {"  - {type: vxlan, peer: 198.51.100.20, vni: 1, remoteSubnet: 192.0.2.0/24, localPort: 0}", "localPort", ""},
        };
        for (final String[] item : cases)
        {
            final ConfigException refused = assertThrows(ConfigException.class, () -> load("providers:\n" + item[0] +
                "\n"), item[0]);
            assertTrue(refused.getMessage().contains("test.yaml:8") && refused.getMessage().contains(item[1]) &&
                refused.getMessage().contains(item[2]), refused.getMessage());
        }
    }

    @Test
    void shouldLeaveRoomForTheTunnelInTheProviderInterfacesMtu()
    {
        final GatewayConfig withTunnel = load("""
            providers:
              - {type: vxlan, peer: 198.51.100.20, vni: 42, remoteSubnet: 192.0.2.0/24}
            """);
        final GatewayConfig without = load("""
            providers:
              - {type: natpmp-pcp, ports: [lan]}
            """);

        assertEquals(1500 - VxlanProvider.OVERHEAD, Providers.interfaceMtu(withTunnel.ports(), withTunnel.providers(),
            1500));
        assertEquals(1500, Providers.interfaceMtu(without.ports(), without.providers(), 1500));
    }

    @Test
    void shouldStartTheTunnelFromTheOutsidePortFacingThePeer()
    {
        final GatewayConfig config = load("");

        assertEquals(Ipv4.parse("203.0.113.1"), Providers.outsideAddressFacing(config.ports(), Ipv4.parse("198.51.100.20")));
    }
}
