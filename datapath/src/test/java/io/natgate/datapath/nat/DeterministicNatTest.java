package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic NAT (RFC 7422): every inside address of the prefix maps into its own range of its own
 * public address and nowhere else, the reverse lookup names it, and addresses outside the prefix get nothing.
 */
class DeterministicNatTest
{
    private static final int[] PUBLIC = {ip("203.0.113.8"), ip("203.0.113.9")};

    private static DeterministicMap map()
    {
        return new DeterministicMap(ip("100.64.0.0"), 22, PUBLIC, 1024, 0);
    }

    @Test
    @DisplayName("the ranges partition the public ports: 1024 hosts over 2 addresses, 126 ports each, both ways")
    void shouldComputeRangesBothWaysFromConfigAlone()
    {
        final DeterministicMap map = map();
        assertEquals(512, map.hostsPerAddress());
        assertEquals((65_536 - 1024) / 512, map.portsPerHost());
        // hand-computed: host 7 is the 8th of the first address, host 600 the 89th of the second
        assertEquals(ip("203.0.113.8"), map.publicAddress(ip("100.64.0.7")));
        assertEquals(1024 + 7 * 126, map.firstPort(ip("100.64.0.7")));
        assertEquals(1024 + 8 * 126 - 1, map.lastPort(ip("100.64.0.7")));
        assertEquals(ip("203.0.113.9"), map.publicAddress(ip("100.64.2.88")));
        assertEquals(1024 + 88 * 126, map.firstPort(ip("100.64.2.88")));
        for (int host = 0; host < 1024; host++)
        {
            final int inside = ip("100.64.0.0") + host;
            for (final int port : new int[] {map.firstPort(inside), map.lastPort(inside)})
            {
                assertEquals(inside & 0xFFFF_FFFFL, map.insideAddress(map.publicAddress(inside), port), "host " + host);
            }
        }
        assertEquals(-1, map.insideAddress(ip("203.0.113.8"), 1023), "below the first port");
        assertEquals(-1, map.insideAddress(ip("203.0.113.10"), 5000), "not a public address");
    }

    @Test
    @DisplayName("live translation puts each inside address's ports in its range and nowhere else")
    void shouldTranslateEveryInsideAddressIntoItsRangeOnly()
    {
        final DeterministicMap map = map();
        final NatHarness nat = new NatHarness(new NatConfig().deterministic(map));
        for (int host = 0; host < 1024; host += 37)
        {
            final int inside = ip("100.64.0.0") + host;
            for (int i = 0; i < 5; i++)
            {
                final byte[] out = nat.out(udp(inside, 3000 + i, ip(REMOTE_1), 53, PAYLOAD), 0);
                final int port = Packets.sourcePort(out);
                assertEquals(map.publicAddress(inside), Packets.source(out), "host " + host);
                assertTrue(port >= map.firstPort(inside) && port <= map.lastPort(inside),
                    "host " + host + " port " + port);
                assertEquals(inside & 0xFFFF_FFFFL, map.insideAddress(Packets.source(out), port));
            }
        }
        assertTrue(nat.events.allocationEvents.isEmpty(), "no block events in deterministic NAT");
    }

    @Test
    @DisplayName("a host that used up its range gets a quota drop; an address outside the prefix gets no port")
    void shouldDropBeyondRangeAndOutsidePrefix()
    {
        final NatHarness nat = new NatHarness(new NatConfig().deterministic(map()));
        final int inside = ip("100.64.0.5");
        for (int i = 0; i < 126; i++)
        {
            nat.out(udp(inside, 10_000 + i, ip(REMOTE_1), 53, PAYLOAD), 0);
        }
        nat.assertDropsOut(udp(inside, 11_000, ip(REMOTE_1), 53, PAYLOAD), DropReason.CLIENT_PORT_QUOTA, 1);
        assertEquals("quota 100.64.0.5 126", nat.events.allocationEvents.get(0));
        nat.assertDropsOut(udp(ip("10.9.9.9"), 1000, ip(REMOTE_1), 53, PAYLOAD), DropReason.OUT_OF_PORTS, 1);
    }

    @Test
    @DisplayName("too few public addresses for the inside prefix are refused naming the key")
    void shouldRefuseTooFewPublicAddresses()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> new DeterministicMap(ip("100.64.0.0"), 10, PUBLIC, 1024, 0));
        assertEquals(DeterministicMap.PUBLIC, ex.key());
        final ConfigurationException ports = assertThrows(ConfigurationException.class,
            () -> new DeterministicMap(ip("100.64.0.0"), 22, PUBLIC, 1024, 127));
        assertEquals(DeterministicMap.PORTS_PER_HOST, ports.key());
    }
}
