package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's outsider floods, live and bounded (10 s each): hping3 in the server namespace floods the lab's port
 * forwards with spoofed sources. Both inside clients, the forwarded host among them, keep pinging the server and
 * fetching from it over HTTP during (10 of 20 pings, {@link Floods#SERVED_PINGS_DURING}) and after (19 of 20) each
 * flood, a TCP connection established before it carries data
 * after it, another remote reaches the flooded forward during each flood (a full forward gives up its own
 * half-open sessions to a new flow), and the limits that stopped the flood are counted in {@code /metrics}. Prints each client's success
 * rate, the flood's share of the session table and the gateway's RSS. The one-remote flood goes first: the
 * random-source floods fill the forwards' limits with half-open sessions for the transitory timeout (4 minutes). Needs root and hping3.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutsideFloodLabTest
{
    private static final int FLOOD_SECONDS = 10;
    private static final int CONNECTION_PORT = 9000;
    private static final String MAPPING_EARLY_DROPS = "natgate_mapping_sessions_early_dropped_total";
    private static LabFixture fixture;
    private static Floods.Connection connection;

    @BeforeAll
    static void startLab()
    {
        fixture = LabFixture.startWithClientsResolved(Backend.AFPACKET);
        try
        {
            // an established connection from the first client, to carry a line after every flood
            connection = Floods.Connection.open(fixture.lab(), Role.CLIENT, CONNECTION_PORT);
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
    @Order(1)
    void shouldServeBothClientsAndOtherRemotesWhileOneSpoofedOutsiderSynFloodsTheTcpForward()
    {
        final LabGateway gateway = fixture.gateway();
        final String remote = "198.51.100.50";
        final long rssBefore = Floods.gatewayRssKiB(gateway);
        final double limitedBefore = Floods.drops(gateway, "wan", "remote_session_limit");

        final LabProcess flood = Floods.hping3(fixture.lab(), Role.SERVER, FLOOD_SECONDS, "-S", "-a", remote,
            "-p", String.valueOf(LabFixture.HTTP_PORT), PUBLIC_ADDRESS);
        Floods.sleep(1500);
        final List<Floods.Service> during = Floods.probe(fixture.lab(), Role.CLIENT, Role.CLIENT2);
        // another remote (the server itself) still reaches the forwarded service
        final LabTraffic.HttpResult forwarded = LabTraffic.httpGet(fixture.lab(), Role.SERVER,
            "http://" + PUBLIC_ADDRESS + ":" + LabFixture.HTTP_PORT + "/");
        final int fromRemote = Floods.sessions(gateway, "remote=" + remote);
        Floods.awaitEnd(flood, FLOOD_SECONDS);
        final List<Floods.Service> after = Floods.probe(fixture.lab(), Role.CLIENT, Role.CLIENT2);

        final double capacity = Floods.sessionCapacity(gateway);
        final double limited = Floods.drops(gateway, "wan", "remote_session_limit") - limitedBefore;
        System.out.printf("outside SYN flood from %s through tcp %s:%d (%d s, %d packets sent): during %s, another " +
            "remote's HTTP " +
            "through the forward %s; after %s; the flood held " +
            "%d of %.0f sessions (%.2f%%), %.0f SYNs refused as remote_session_limit; gateway RSS %d KiB before, " +
            "%d KiB after%n", remote, PUBLIC_ADDRESS, LabFixture.HTTP_PORT, FLOOD_SECONDS, Floods.sent(flood), during,
            forwarded.exitStatus() == 0 ? "ok" : "failed", after, fromRemote,
            capacity, 100.0 * fromRemote / capacity, limited, rssBefore, Floods.gatewayRssKiB(gateway));
        Floods.assertServedDuring(during);
        assertTrue(forwarded.exitStatus() == 0 && forwarded.body().startsWith("hello from client2"),
            "another remote through the forward during the flood: " + forwarded);
        Floods.assertServedAfter(after);
        connection.assertCarries("after the SYN flood");
        // one remote opens at most a sixty-fourth of the table from outside (the documented default)
        assertTrue(fromRemote > 0 && fromRemote <= Math.max(16, capacity / 64), "sessions from " + remote + ": " +
            fromRemote);
        assertTrue(limited > 0, "the remote's SYNs over its limit were counted");
    }

    @Test
    @Order(2)
    void shouldServeBothClientsWhileRandomSpoofedOutsidersFloodBothForwards()
    {
        final LabGateway gateway = fixture.gateway();
        final long rssBefore = Floods.gatewayRssKiB(gateway);
        final double evictedBefore = gateway.metric(MAPPING_EARLY_DROPS, Map.of());
        final double limitedBefore = Floods.drops(gateway, "wan", "mapping_session_limit");
        final double martiansBefore = Floods.drops(gateway, "wan", "martian_source");

        final LabProcess tcpFlood = Floods.hping3(fixture.lab(), Role.SERVER, FLOOD_SECONDS, "-S",
            "--rand-source", "-p", String.valueOf(LabFixture.HTTP_PORT), PUBLIC_ADDRESS);
        final LabProcess udpFlood = Floods.hping3(fixture.lab(), Role.SERVER, FLOOD_SECONDS, "--udp",
            "--rand-source", "-p", String.valueOf(LabGatewayConfig.FORWARDED_UDP_PORT), PUBLIC_ADDRESS);
        Floods.sleep(1500);
        final List<Floods.Service> during = Floods.probe(fixture.lab(), Role.CLIENT, Role.CLIENT2);
        // another remote (the server itself) still reaches the forward its flood fills: the forward's own half-open
        // sessions give way to it
        final LabTraffic.HttpResult forwarded = LabTraffic.httpGet(fixture.lab(), Role.SERVER,
            "http://" + PUBLIC_ADDRESS + ":" + LabFixture.HTTP_PORT + "/");
        Floods.awaitEnd(tcpFlood, FLOOD_SECONDS);
        Floods.awaitEnd(udpFlood, FLOOD_SECONDS);
        // counted once the floods stopped: a listing walks the table a chunk at a time while the worker goes on, so
        // during a flood a session given up and replaced by one in a later slot could be listed twice
        final int throughTcp = Floods.sessions(gateway, "public=" + PUBLIC_ADDRESS + ":" + LabFixture.HTTP_PORT);
        final int throughUdp = Floods.sessions(gateway, "public=" + PUBLIC_ADDRESS + ":" +
            LabGatewayConfig.FORWARDED_UDP_PORT);
        final List<Floods.Service> after = Floods.probe(fixture.lab(), Role.CLIENT, Role.CLIENT2);

        final double capacity = Floods.sessionCapacity(gateway);
        final double evicted = gateway.metric(MAPPING_EARLY_DROPS, Map.of()) - evictedBefore;
        final double limited = Floods.drops(gateway, "wan", "mapping_session_limit") - limitedBefore;
        final double martians = Floods.drops(gateway, "wan", "martian_source") - martiansBefore;
        System.out.printf("outside floods from random sources through both forwards (%d s, %d + %d packets sent): " +
            "during %s, another remote's HTTP through the TCP forward %s; after %s; " +
            "the floods held %d (tcp) + %d (udp) of %.0f sessions (%.2f%%), %.0f half-open sessions given up " +
            "by the full forwards, %.0f refused as mapping_session_limit, %.0f as martian_source; gateway RSS " +
            "%d KiB before, %d KiB after%n", FLOOD_SECONDS, Floods.sent(tcpFlood), Floods.sent(udpFlood), during,
            forwarded.exitStatus() == 0 ? "ok" : "failed", after, throughTcp, throughUdp, capacity,
            100.0 * (throughTcp + throughUdp) / capacity, evicted, limited, martians, rssBefore,
            Floods.gatewayRssKiB(gateway));
        // the forwarded host (the second client) is served: the floods' sessions do not use up its own quota
        Floods.assertServedDuring(during);
        assertTrue(forwarded.exitStatus() == 0 && forwarded.body().startsWith("hello from client2"),
            "another remote through the flooded forward during the floods: " + forwarded);
        Floods.assertServedAfter(after);
        connection.assertCarries("after the random-source floods");
        // one forward carries at most a thirty-second of the table opened from outside (the documented default)
        final double perMapping = Math.max(64, capacity / 32);
        assertTrue(throughTcp > 0 && throughTcp <= perMapping, "sessions through the TCP forward: " + throughTcp);
        assertTrue(throughUdp > 0 && throughUdp <= perMapping, "sessions through the UDP forward: " + throughUdp);
        assertTrue(evicted > 0, "the full forwards gave up their own half-open sessions to new flows, counted");
        assertTrue(martians > 0, "random sources include martians (0/8, 127/8, 224/3 ...), counted");
    }
}
