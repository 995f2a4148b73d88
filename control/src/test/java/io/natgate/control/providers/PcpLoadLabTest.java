package io.natgate.control.providers;

import io.natgate.control.lab.Exec;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.providers.pcp.PcpProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The figure of mapping requests served per second: {@link PcpLoad} in the lab's client namespace keeps
 * PCP requests outstanding against natgate's server on 10.0.0.1:5351, through the datapath's punt and
 * inject path: new mappings (each a firewall session's inbound mapping, so a policy compiled and installed
 * on the worker and a NAT command), renewals (a NAT command each) and ANNOUNCE (the protocol path alone).
 * Prints each figure; asserts only that every request was answered with success. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class PcpLoadLabTest
{
    static final int MAPPINGS = 2_000;
    static final int WINDOW = 32;
    static final String CONFIG = """
        providers:
          - {type: natpmp-pcp, ports: [lan], mappingsPerClient: %d}
        firewall:
          rules:
            - {name: mapped-udp-in, action: allow, direction: inbound, protocol: udp, ports: %d-%d}
        """.formatted(MAPPINGS, PcpLoad.FIRST_PORT, PcpLoad.FIRST_PORT + MAPPINGS - 1);
    private static final Pattern RATE = Pattern.compile("answered in ([0-9.]+) s .*: ([0-9]+) requests/s \\{SUCCESS=(\\d+)}");

    private static ProvidersLab fixture;

    @BeforeAll
    static void start()
    {
        fixture = ProvidersLab.start("load", CONFIG, lab -> lab.awaitActive(PcpProvider.NAME));
    }

    @AfterAll
    static void stop()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    private static long load(final String mode, final int count)
    {
        final List<String> command = new ArrayList<>(List.of(fixture.jvm.java(), "@" + fixture.jvm.jvmOptions(), "-cp",
            fixture.jvm.classPath(), PcpLoad.class.getName(), LabTopology.GATEWAY_INSIDE_ADDRESS,
            LabTopology.CLIENT_ADDRESS, mode, String.valueOf(count), String.valueOf(WINDOW)));
        final Exec.Result result = Exec.run(Duration.ofMinutes(3), fixture.lab.in(Role.CLIENT, command)).check();
        final String line = result.stdout().lines().filter(text -> text.startsWith(PcpLoad.RESULT)).findFirst()
            .orElseThrow(() -> new AssertionError(result.describe()));
        System.out.println("FIGURE " + line);
        final Matcher matcher = RATE.matcher(line);
        assertTrue(matcher.find(), line);
        assertTrue(Integer.parseInt(matcher.group(3)) == count, "every request answered with success: " + line);
        return Long.parseLong(matcher.group(2));
    }

    @Test
    @Order(1)
    void shouldServeNewMappingsAtAMeasuredRate()
    {
        assertTrue(load("map", MAPPINGS) > 10);
    }

    @Test
    @Order(2)
    void shouldServeRenewalsAtAMeasuredRate()
    {
        assertTrue(load("renew", MAPPINGS) > 10);
    }

    @Test
    @Order(3)
    void shouldServeAnnounceRequestsAtAMeasuredRate()
    {
        assertTrue(load("announce", 20_000) > 10);
    }
}
