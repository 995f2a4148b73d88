package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.natgate.control.lab.LabTopology.CLIENT2_ADDRESS;
import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's inside floods, live and bounded (10 s each): hping3 in the first client's namespace floods the server
 * with a new flow per packet, then with the sources of its neighbours. The second client keeps pinging the server
 * and fetching from it over HTTP during and after each flood; the flooder keeps to its quota; spoofed sources get
 * nothing and are counted; and {@code natgate journal who} names the holder of the mappings {@code /mappings} shows,
 * during the flood and after it. Prints the second client's success rate, the flood's share of the tables and the
 * gateway's RSS. A TCP connection the second client made before the floods carries a line after each. The flood
 * comes in on the second client's own port and fills the port's capture ring, so the
 * kernel drops some of the second client's frames too (counted, printed): during a flood it is served when 14 of
 * its 20 pings come back ({@link Floods#SERVED_PINGS_DURING}; a locked-out client gets none), after it when 19 do.
 * Needs root and hping3.
 */
@Timeout(300)
class InsideFloodLabTest
{
    private static final int FLOOD_SECONDS = 10;
    /** Journal records sampled during and after a flood. */
    private static final int SAMPLED = 10;
    private static final int CONNECTION_PORT = 9001;
    private static LabFixture fixture;
    private static Floods.Connection connection;

    @BeforeAll
    static void startLab()
    {
        fixture = LabFixture.startWithClientsResolved(Backend.AFPACKET);
        try
        {
            // an established connection from the other client, to carry a line after every flood
            connection = Floods.Connection.open(fixture.lab(), Role.CLIENT2, CONNECTION_PORT);
        }
        catch (final RuntimeException | Error ex)
        {
            removeLab();
            throw ex;
        }
    }

    @AfterAll
    static void removeLab()
    {
        if (fixture != null)
        {
            fixture.close();
            fixture = null;
        }
    }

    @Test
    void shouldServeTheOtherClientAndKeepTheJournalTrueWhileAClientSynFloodsWithIncrementingPorts()
    {
        final LabGateway gateway = fixture.gateway();
        final Path journal = fixture.directory().resolve("journal");
        final long rssBefore = Floods.gatewayRssKiB(gateway);
        final double quotaDropsBefore = quotaDrops(gateway);
        final double kernelDropsBefore = Floods.kernelDrops(gateway, "lan");

        // a SYN a packet, each from the next source port: a new mapping and session each
        final LabProcess flood = Floods.hping3(fixture.lab(), Role.CLIENT, FLOOD_SECONDS, "-S", "-p", "9",
            SERVER_ADDRESS);
        Floods.sleep(1500);
        final List<Floods.Service> during = Floods.probe(fixture.lab(), Role.CLIENT2);
        final List<Map<String, Object>> held = flooderMappings(gateway);
        for (int i = 0; i < held.size(); i += Math.max(1, held.size() / SAMPLED))
        {
            Floods.assertJournalNamesHolder(journal, held.get(i)); // while the flood goes on
        }
        Floods.awaitEnd(flood, FLOOD_SECONDS);
        final double flooderPorts = gateway.metric("natgate_client_ports_in_use", Map.of("inside", CLIENT_ADDRESS));
        final double flooderSessions = gateway.metric("natgate_client_sessions", Map.of("inside", CLIENT_ADDRESS));
        final List<Floods.Service> after = Floods.probe(fixture.lab(), Role.CLIENT2);

        final double sessionCapacity = Floods.sessionCapacity(gateway);
        final double mappingCapacity = gateway.metric("natgate_table_capacity", Map.of("table", "mappings"));
        final double refused = quotaDrops(gateway) - quotaDropsBefore;
        final double kernelDropped = Floods.kernelDrops(gateway, "lan") - kernelDropsBefore;
        System.out.printf("inside SYN flood with incrementing ports from %s (%d s, %d packets sent): during %s; " +
            "after %s; the " +
            "flooder held %.0f of %.0f sessions (%.2f%%) and %.0f public ports, %.0f flows refused over its quota, " +
            "%.0f frames lost below the lan port (capture ring full); " +
            "journal who named the holder of %d sampled mappings during and after; gateway RSS %d KiB before, " +
            "%d KiB after%n", CLIENT_ADDRESS, FLOOD_SECONDS, Floods.sent(flood), during, after, flooderSessions, sessionCapacity,
            100.0 * flooderSessions / sessionCapacity, flooderPorts, refused, kernelDropped,
            Math.min(SAMPLED, held.size()), rssBefore, Floods.gatewayRssKiB(gateway));
        Floods.assertServedDuring(during);
        Floods.assertServedAfter(after);
        connection.assertCarries("after the SYN flood");
        // one client holds at most a sixteenth of each table (the documented fair-share default)
        assertTrue(flooderSessions <= Math.max(64, sessionCapacity / 16), "the flooder's sessions: " + flooderSessions);
        assertTrue(flooderPorts <= Math.max(64, mappingCapacity / 16), "the flooder's ports: " + flooderPorts);
        assertTrue(refused > 0, "flows over the flooder's quota were counted");
        assertTrue(held.size() > 100, "the flood made mappings: " + held.size());

        final List<Map<String, Object>> heldAfter = flooderMappings(gateway);
        for (int i = 0; i < heldAfter.size(); i += Math.max(1, heldAfter.size() / SAMPLED))
        {
            Floods.assertJournalNamesHolder(journal, heldAfter.get(i));
        }
    }

    @Test
    void shouldServeTheOtherClientWhileAClientFloodsFromItsNeighboursAddresses()
    {
        final LabGateway gateway = fixture.gateway();
        final double mismatchedBefore = Floods.drops(gateway, "lan", "source_mac_mismatch");
        final double unresolvedBefore = Floods.drops(gateway, "lan", "source_unresolved");
        final double kernelDropsBefore = Floods.kernelDrops(gateway, "lan");

        // the second client's address from the first client's MAC, and neighbours that do not exist, one by one
        final LabProcess asOther = Floods.hping3(fixture.lab(), Role.CLIENT, FLOOD_SECONDS, "--udp",
            "-a", CLIENT2_ADDRESS, "-p", "53", SERVER_ADDRESS);
        final LabProcess asAbsent = fixture.lab().start(Role.CLIENT, "hping3 as absent neighbours", null, List.of(
            "sh", "-c", "for host in $(seq 4 40); do timeout -s INT 0.25 hping3 -q --flood --udp -a 10.0.0.$host " +
                "-p 53 " +
                SERVER_ADDRESS + "; done"));
        Floods.sleep(1500);
        final List<Floods.Service> during = Floods.probe(fixture.lab(), Role.CLIENT2);
        Floods.awaitEnd(asOther, FLOOD_SECONDS);
        Floods.awaitEnd(asAbsent, FLOOD_SECONDS);
        final List<Floods.Service> after = Floods.probe(fixture.lab(), Role.CLIENT2);

        final double mismatched = Floods.drops(gateway, "lan", "source_mac_mismatch") - mismatchedBefore;
        final double unresolved = Floods.drops(gateway, "lan", "source_unresolved") - unresolvedBefore;
        final double kernelDropped = Floods.kernelDrops(gateway, "lan") - kernelDropsBefore;
        final List<String> spoofedHolders = Floods.mappings(gateway).stream()
            .map(mapping -> String.valueOf(mapping.get("inside")).split(":")[0])
            .filter(inside -> !inside.equals(CLIENT_ADDRESS) && !inside.equals(CLIENT2_ADDRESS)).distinct().toList();
        final long spoofedAsOther = Floods.mappings(gateway).stream()
            .filter(mapping -> String.valueOf(mapping.get("inside")).startsWith(CLIENT2_ADDRESS + ":") &&
                "udp".equals(mapping.get("protocol")) && !"static".equals(mapping.get("kind"))).count();
        System.out.printf("inside UDP flood from spoofed neighbours (%s, %d packets, and 10.0.0.4-40, %d s): " +
            "during %s; after %s; " +
            "%.0f frames dropped as source_mac_mismatch, %.0f as source_unresolved, %.0f lost below the lan port " +
            "(capture ring full); mappings held for spoofed addresses: %s%n", CLIENT2_ADDRESS, Floods.sent(asOther),
            FLOOD_SECONDS, during,
            after, mismatched, unresolved, kernelDropped, spoofedHolders);
        Floods.assertServedDuring(during);
        Floods.assertServedAfter(after);
        connection.assertCarries("after the spoofed-neighbour floods");
        assertTrue(mismatched > 0, "frames with the second client's address from another MAC were counted");
        assertTrue(unresolved > 0, "frames from addresses nobody answers for were counted");
        assertEquals(List.of(), spoofedHolders, "no mapping for an address nobody has");
        assertEquals(0, spoofedAsOther, "no mapping made in the second client's name");
    }

    private static List<Map<String, Object>> flooderMappings(final LabGateway gateway)
    {
        return Floods.mappings(gateway).stream()
            .filter(mapping -> String.valueOf(mapping.get("inside")).startsWith(CLIENT_ADDRESS + ":") &&
                "tcp".equals(mapping.get("protocol")))
            .toList();
    }

    private static double quotaDrops(final LabGateway gateway)
    {
        return Floods.drops(gateway, "lan", "client_session_quota") + Floods.drops(gateway, "lan", "client_port_quota");
    }
}
