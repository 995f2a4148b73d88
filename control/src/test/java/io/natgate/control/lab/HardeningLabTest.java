package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's traversal fix in the lab: the RFC 5780 hairpinning probe (a datagram from one inside socket to
 * another's public endpoint) passes under the default address-dependent filtering. Needs root and python3.
 */
@Timeout(180)
class HardeningLabTest
{
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(40);
    private static final int MARKER_PORT = 9999;
    private static LabFixture fixture;

    @BeforeAll
    static void startLab()
    {
        fixture = LabFixture.start(Backend.AFPACKET);
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
    void shouldPassTheRfc5780HairpinningProbeUnderAddressDependentFiltering()
    {
        // the gateway binds an inside source to the MAC it resolved (source guard): a ping resolves it first
        LabTraffic.ping(fixture.lab(), Role.CLIENT, SERVER_ADDRESS, 1);
        // RFC 5780 4.5: from a second socket, send to the first socket's public endpoint
        try (LabProcess probe = fixture.lab().start(Role.CLIENT, "hairpin probe", null, List.of("python3", "-u", "-c", """
            import socket, sys
            a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("0.0.0.0", 40001))
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("0.0.0.0", 40002))
            a.sendto(b"binding", ("%s", 3478)); b.sendto(b"binding", ("%s", 3478))
            print("bound", flush=True)
            host, port = sys.stdin.readline().split()
            b.sendto(b"hairpin probe", (host, int(port)))
            a.settimeout(5)
            data, peer = a.recvfrom(100)
            print("received", data.decode(), "from", peer[0], peer[1], flush=True)
            """.formatted(SERVER_ADDRESS, SERVER_ADDRESS))))
        {
            probe.awaitLine(line -> line.equals("bound"), TOOL_TIMEOUT);
            sleep(300);
            final String publicA = publicEndpointOf(CLIENT_ADDRESS + ":40001");
            final String publicB = publicEndpointOf(CLIENT_ADDRESS + ":40002");
            probe.write(publicA.replace(':', ' ') + "\n");
            final String received = probe.awaitLine(line -> line.startsWith("received"), TOOL_TIMEOUT);
            assertEquals("received hairpin probe from " + publicB.replace(':', ' '), received);
        }
    }

    private static String publicEndpointOf(final String inside)
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String found = findPublicEndpointOf(inside);
            if (found != null)
            {
                return found;
            }
            sleep(100);
        }
        throw new AssertionError("no mapping for " + inside + " within 5 s");
    }

    private static String findPublicEndpointOf(final String inside)
    {
        return Json.objects(Json.parse(fixture.gateway().admin("/mappings?limit=100000"))).stream()
            .filter(mapping -> "udp".equals(mapping.get("protocol")) && inside.equals(mapping.get("inside")))
            .map(mapping -> String.valueOf(mapping.get("public"))).findFirst().orElse(null);
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
