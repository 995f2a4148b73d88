package io.natgate.control.lab;

import io.natgate.control.gateway.LogTimestamps;
import io.natgate.control.lab.HaLab.Node;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale-out beyond one pair (docs/ha.md): two independent natgate gateways, each with its own public pool and no
 * state shared, behind a router with an ECMP default route ({@link HaLab#ecmp}). Flows from several client
 * addresses and ports spread over both; each keeps one public address from start to end, works end to end (TCP
 * and UDP to the server), and each gateway's mappings hold only its own pool's addresses.
 */
class ScaleOutLabTest
{
    private static final int PORT = 5056;
    private static final int FLOWS_PER_CLIENT = 4;
    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void shouldSpreadFlowsOverIndependentGatewaysEachKeepingItsOwnPool()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(240), this::spread);
    }

    private void spread() throws Exception
    {
        final NatgateJvm jvm = NatgateJvm.current();
        final Path directory = LabFiles.temporaryDirectory("natgate-scale-out-lab-test");
        try (HaLab lab = HaLab.ecmp("ng" + ProcessHandle.current().pid() + "so-"))
        {
            startGateway(lab, jvm, directory, Node.GW1, HaLab.ECMP_INSIDE_1, HaLab.ECMP_PUBLIC_1);
            startGateway(lab, jvm, directory, Node.GW2, HaLab.ECMP_INSIDE_2, HaLab.ECMP_PUBLIC_2);
            final LabProcess server = lab.start(Node.SERVER, "probe server", directory, null,
                HaLabTest.probe(jvm, "server", String.valueOf(PORT)));
            server.awaitLine(line -> line.startsWith("listening"), START);
            final List<String> arguments = new java.util.ArrayList<>(List.of("spread", LabTopology.SERVER_ADDRESS,
                String.valueOf(PORT), String.valueOf(FLOWS_PER_CLIENT)));
            arguments.addAll(HaLab.ECMP_CLIENTS);
            final LabProcess client = lab.start(Node.CLIENT, "probe spread", directory, null,
                HaLabTest.probe(jvm, arguments.toArray(String[]::new)));
            client.awaitLine(line -> line.equals("spread done"), START);

            // each gateway's mappings: the inside endpoint of each flow, and only its own pool's address
            final Map<String, String> publicOf = new HashMap<>();
            final Map<Node, Integer> flowsThrough = new HashMap<>();
            for (final Node gateway : List.of(Node.GW1, Node.GW2))
            {
                final String pool = gateway == Node.GW1 ? HaLab.ECMP_PUBLIC_1 : HaLab.ECMP_PUBLIC_2;
                final Exec.Result mappings = lab.exec(gateway, Duration.ofSeconds(10), "curl", "-sf", "-m", "5",
                    "http://" + LabTopology.ADMIN_ADDRESS + "/mappings");
                assertTrue(mappings.succeeded(), mappings.describe());
                for (final Map<String, Object> mapping : Json.objects(Json.parse(mappings.stdout())))
                {
                    final String publicEndpoint = String.valueOf(mapping.get("public"));
                    assertTrue(publicEndpoint.startsWith(pool + ":"), gateway + " holds only its pool: " + mapping);
                    publicOf.put(mapping.get("protocol") + " " + mapping.get("inside"), publicEndpoint);
                    flowsThrough.merge(gateway, 1, Integer::sum);
                }
            }
            System.out.println("scale-out lab: mappings per gateway " + flowsThrough);
            assertTrue(flowsThrough.getOrDefault(Node.GW1, 0) > 0 && flowsThrough.getOrDefault(Node.GW2, 0) > 0,
                "flows go through both gateways: " + flowsThrough);

            // each UDP flow: every answer came back, from one public endpoint, the one its gateway's mapping holds
            final List<String> lines = client.stdout();
            final Set<String> udpFlows = new HashSet<>();
            for (final String line : lines.stream().filter(line -> line.startsWith("udp ")).toList())
            {
                final String[] fields = line.split(" ");
                final String inside = fields[1];
                udpFlows.add(inside);
                final Set<String> seen = new HashSet<>(List.of(fields[3], fields[4], fields[5]));
                assertEquals(1, seen.size(), "one public endpoint through the flow's life: " + line);
                assertEquals(publicOf.get("udp " + inside), fields[3], "the server saw the mapping's endpoint: " + line);
            }
            assertEquals(HaLab.ECMP_CLIENTS.size() * FLOWS_PER_CLIENT, udpFlows.size(), String.join("\n", lines));
            // each TCP connection: three lines from the server, and a mapping on one gateway
            final List<String> tcp = lines.stream().filter(line -> line.startsWith("tcp ")).toList();
            assertEquals(HaLab.ECMP_CLIENTS.size() * FLOWS_PER_CLIENT, tcp.size(), String.join("\n", lines));
            for (final String line : tcp)
            {
                assertTrue(line.endsWith(" lines 3"), line);
                assertTrue(publicOf.containsKey("tcp " + line.split(" ")[1]), "a mapping for " + line);
            }
            server.stop();
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    private static void startGateway(
        final HaLab lab, final NatgateJvm jvm, final Path directory, final Node node, final String inside,
        final String pool)
    {
        final Path own = directory.resolve(node.name().toLowerCase());
        final Path config;
        try
        {
            Files.createDirectories(own);
            config = Files.writeString(own.resolve("natgate.yaml"), config(inside, pool));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final LabProcess process = lab.start(node, "natgate run " + node, own, null, jvm.natgate("run", "--config",
            config.toString(), "--counters", own.resolve("natgate.counters").toString()));
        process.awaitLine(line -> LogTimestamps.strip(line).startsWith(LabGateway.FORWARDING), START);
    }

    /**
     * A gateway behind the ECMP router: its own inside and outside addresses, its outside address its whole pool,
     * the clients' network routed through the router. The same text as docs/ha.md's scale-out example.
     */
    static String config(final String inside, final String pool)
    {
        return """
            profile: small-2core
            ports:
              - {name: lan, interface: %s, backend: afpacket, role: inside, address: %s/24, nextHop: %s, routes: [%s]}
              - {name: wan, interface: %s, backend: afpacket, role: outside, address: %s/24}
            nat:
              publicAddresses: [%s]
            journal:
              directory: journal
            admin:
              address: %s
            """.formatted(LabTopology.GATEWAY_INSIDE_INTERFACE, inside, HaLab.ROUTER_FABRIC_ADDRESS,
            HaLab.CLIENT_NETWORK, LabTopology.GATEWAY_OUTSIDE_INTERFACE, pool, pool, LabTopology.ADMIN_ADDRESS);
    }
}
