package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.datapath.counters.DropReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.natgate.control.lab.LabTopology.CLIENT2_ADDRESS;
import static io.natgate.control.lab.LabTopology.CLIENT_ADDRESS;
import static io.natgate.control.lab.LabTopology.GATEWAY_INSIDE_ADDRESS;
import static io.natgate.control.lab.LabTopology.PUBLIC_ADDRESS;
import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 11's malformed and spoofed frames, live: scapy (an independent frame builder) sends them from the lab's
 * client (inside) and server (outside) namespaces straight to the gateway's MAC. Each kind must be dropped with
 * its own reason, counted in {@code /metrics} once per frame; a capture behind the gateway (tcpdump on the
 * server for the inside's frames, on the second client for the outside's) must see none of them, while a
 * well-formed frame sent the same way does get through, and the real clients keep forwarding after each case.
 * Needs root, tcpdump and python3-scapy.
 */
@Timeout(300)
class HostileFrameLabTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Long enough for a source the gateway asks about by ARP to fail its retries (3 at 1 s). */
    private static final Duration COUNTED_WITHIN = Duration.ofSeconds(10);
    private static final Pattern PORT_MAC = Pattern.compile("natgate: port (\\w+) \\S+ \\S+ \\S+ \\S+ mac (\\S+) ");
    private static final int INSIDE_MARKER_PORT = 9999;

    private static LabFixture fixture;
    private static LabProcess insideSender;
    private static LabProcess outsideSender;
    /** Sees what reaches the server from inside on the marker port. */
    private static LabProcess serverCapture;
    /** Sees what reaches the second client from outside through the forwards, from the senders' ports. */
    private static LabProcess client2Capture;

    /**
     * @param side      where the frames come from: the client (inside, port lan) or the server (outside, wan).
     * @param command   the sender's case and its arguments.
     * @param reason    the one reason every frame of it must be counted under.
     * @param dropped   how many of its frames must be dropped so.
     * @param sent      how many frames it sends.
     */
    record HostileCase(String side, String command, DropReason reason, int dropped, int sent)
    {
        HostileCase(final String side, final String command, final DropReason reason, final int frames)
        {
            this(side, command, reason, frames, frames);
        }

        @Override
        public String toString()
        {
            return side + " " + command + " -> " + reason.name().toLowerCase(Locale.ROOT) + " x" + dropped;
        }
    }

    static Stream<HostileCase> insideCases()
    {
        return Stream.of(
            new HostileCase("lan", "truncated-ip-header", DropReason.TRUNCATED_FRAME, 1),
            new HostileCase("lan", "truncated-tcp-header", DropReason.TRUNCATED_L4_HEADER, 1),
            new HostileCase("lan", "bad-ihl", DropReason.BAD_IP_HEADER_LENGTH, 2),
            new HostileCase("lan", "bad-total-length", DropReason.BAD_IP_TOTAL_LENGTH, 2),
            new HostileCase("lan", "source-routed", DropReason.SOURCE_ROUTED, 2),
            new HostileCase("lan", "malformed-ip-options", DropReason.BAD_IP_OPTIONS, 2),
            new HostileCase("lan", "from-sources 127.0.0.1 0.0.0.0 255.255.255.255 224.0.0.5 " + GATEWAY_INSIDE_ADDRESS +
                " " + PUBLIC_ADDRESS + " 10.0.0.0 10.0.0.255", DropReason.MARTIAN_SOURCE, 8),
            // the second client's address from this client's MAC: the gateway resolved it to the second client
            new HostileCase("lan", "from-sources " + CLIENT2_ADDRESS, DropReason.SOURCE_MAC_MISMATCH, 1),
            // neighbours that do not exist: the gateway asks, nobody answers
            new HostileCase("lan", "from-sources 10.0.0.40 10.0.0.41", DropReason.SOURCE_UNRESOLVED, 2),
            new HostileCase("lan", "bad-tcp-flags", DropReason.BAD_TCP_FLAGS, 5),
            // a first fragment, the same again, and a TCP fragment over the header: the last two dropped
            new HostileCase("lan", "overlapping-fragments", DropReason.FRAGMENT_OVERLAP, 2, 3),
            new HostileCase("lan", "vlan-tagged", DropReason.VLAN_MISMATCH, 1),
            new HostileCase("lan", "arp-unsolicited 10.0.0.77 " + GATEWAY_INSIDE_ADDRESS, DropReason.ARP_UNSOLICITED, 1),
            new HostileCase("lan", "arp-spoof " + CLIENT2_ADDRESS + " " + GATEWAY_INSIDE_ADDRESS,
                DropReason.ARP_MAC_CHANGED, 2));
    }

    static Stream<HostileCase> outsideCases()
    {
        return Stream.of(
            new HostileCase("wan", "from-sources " + CLIENT2_ADDRESS + " " + CLIENT_ADDRESS + " " + PUBLIC_ADDRESS +
                " " + GATEWAY_INSIDE_ADDRESS + " 127.0.0.1 0.0.0.0 255.255.255.255", DropReason.MARTIAN_SOURCE, 7),
            new HostileCase("wan", "source-routed", DropReason.SOURCE_ROUTED, 2),
            new HostileCase("wan", "malformed-ip-options", DropReason.BAD_IP_OPTIONS, 2),
            new HostileCase("wan", "bad-tcp-flags", DropReason.BAD_TCP_FLAGS, 5),
            new HostileCase("wan", "bad-total-length", DropReason.BAD_IP_TOTAL_LENGTH, 2),
            new HostileCase("wan", "vlan-tagged", DropReason.VLAN_MISMATCH, 1));
    }

    @BeforeAll
    static void startLab() throws IOException
    {
        fixture = LabFixture.startWithClientsResolved(Backend.AFPACKET);
        try
        {
            final Path script = fixture.directory().resolve("hostile_frames.py");
            try (InputStream in = HostileFrameLabTest.class.getResourceAsStream("hostile_frames.py"))
            {
                Files.copy(in, script);
            }
            serverCapture = capture(Role.SERVER, "udp port " + INSIDE_MARKER_PORT + " or tcp port " + INSIDE_MARKER_PORT);
            client2Capture = capture(Role.CLIENT2, "udp port " + LabGatewayConfig.FORWARDED_UDP_PORT +
                " or tcp port 40999");
            insideSender = sender(script, Role.CLIENT, "lan", CLIENT_ADDRESS, SERVER_ADDRESS, INSIDE_MARKER_PORT,
                INSIDE_MARKER_PORT);
            outsideSender = sender(script, Role.SERVER, "wan", SERVER_ADDRESS, PUBLIC_ADDRESS,
                LabGatewayConfig.FORWARDED_UDP_PORT, LabGatewayConfig.FORWARDED_TCP_PORT);

            // the oracle sees a well-formed frame sent the same way, each way
            send(insideSender, "valid");
            send(outsideSender, "valid");
            awaitCaptured(serverCapture, 1);
            awaitCaptured(client2Capture, 1);
        }
        catch (final IOException | RuntimeException | Error ex)
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("insideCases")
    void shouldDropEachHostileInsideFrameWithItsCountedReasonAndKeepForwardingTheRealClients(final HostileCase hostile)
    {
        dropsAndCounts(insideSender, hostile, serverCapture);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outsideCases")
    void shouldDropEachHostileOutsideFrameWithItsCountedReasonAndKeepForwardingTheRealClients(final HostileCase hostile)
    {
        dropsAndCounts(outsideSender, hostile, client2Capture);
    }

    private static void dropsAndCounts(final LabProcess sender, final HostileCase hostile, final LabProcess capture)
    {
        final LabGateway gateway = fixture.gateway();
        final Map<String, String> labels = Map.of("port", hostile.side(), "reason",
            hostile.reason().name().toLowerCase(Locale.ROOT));
        final double before = gateway.metric("natgate_drops_total", labels);
        final int capturedBefore = captured(capture);

        assertEquals(hostile.sent(), send(sender, hostile.command()), "frames scapy sent");
        final long deadlineNs = System.nanoTime() + COUNTED_WITHIN.toNanos();
        double counted = gateway.metric("natgate_drops_total", labels) - before;
        while (counted < hostile.dropped() && System.nanoTime() - deadlineNs < 0)
        {
            Floods.sleep(100);
            counted = gateway.metric("natgate_drops_total", labels) - before;
        }
        Floods.sleep(300); // a frame counted twice, or one let through, shows by now
        assertEquals(hostile.dropped(), gateway.metric("natgate_drops_total", labels) - before,
            hostile + ": frames counted under " + labels);
        assertEquals(capturedBefore, captured(capture), hostile + ": frames that got through: " +
            capture.stdout().subList(capturedBefore, captured(capture)));
        if (hostile.reason() == DropReason.ARP_MAC_CHANGED)
        {
            // logged too, once a second at most
            gateway.awaitOutput(line -> line.startsWith("natgate: port " + hostile.side() + ": ") &&
                line.endsWith("ARP claims of a new MAC for a known neighbour refused, confirmation asked " +
                "(arp_mac_changed)"), WAIT);
        }

        // the real clients are served on: the first by its server, the second (whose address a case claimed) too
        assertEquals(3, LabTraffic.ping(fixture.lab(), Role.CLIENT, SERVER_ADDRESS, 3).received(), hostile.toString());
        assertEquals(3, LabTraffic.ping(fixture.lab(), Role.CLIENT2, SERVER_ADDRESS, 3).received(), hostile.toString());
    }

    private static LabProcess capture(final Role role, final String filter)
    {
        final List<String> command = new ArrayList<>(List.of("tcpdump", "-i", LabTopology.HOST_INTERFACE, "-n", "-l",
            "-p"));
        command.addAll(List.of(filter.split(" ")));
        final LabProcess tcpdump = fixture.lab().start(role, "tcpdump in " + role.suffix(), null, command);
        tcpdump.awaitLine(line -> line.contains("listening on"), WAIT);
        return tcpdump;
    }

    /**
     * @return the packets the capture printed so far (one line each).
     */
    private static int captured(final LabProcess capture)
    {
        return capture.stdout().size();
    }

    private static void awaitCaptured(final LabProcess capture, final int packets)
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (captured(capture) < packets && System.nanoTime() - deadlineNs < 0)
        {
            Floods.sleep(100);
        }
        assertEquals(packets, captured(capture), capture.name() + " saw " + capture.stdout());
    }

    private static LabProcess sender(
        final Path script, final Role role, final String port, final String own, final String target,
        final int udpPort, final int tcpPort)
    {
        final LabProcess sender = fixture.lab().start(role, "scapy in " + role.suffix(), null, List.of("/usr/bin/python3",
            "-u", script.toString(), LabTopology.HOST_INTERFACE, gatewayMac(port), own, target,
            String.valueOf(udpPort), String.valueOf(tcpPort)));
        sender.awaitLine(line -> line.startsWith("ready"), Duration.ofSeconds(60));
        return sender;
    }

    /**
     * @return how many frames the sender says it sent for the case.
     */
    private static int send(final LabProcess sender, final String command)
    {
        final String name = command.split(" ")[0];
        final int answered = sender.stdout().size();
        sender.write(command + "\n");
        final String line = sender.awaitLine(said -> said.startsWith("sent " + name + " ") &&
            sender.stdout().indexOf(said) >= answered, WAIT);
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String gatewayMac(final String port)
    {
        for (final String line : fixture.gateway().output())
        {
            final Matcher matcher = PORT_MAC.matcher(line);
            if (matcher.find() && matcher.group(1).equals(port))
            {
                return matcher.group(2);
            }
        }
        throw new AssertionError("the gateway named no MAC for port " + port + ": " + fixture.gateway().output());
    }
}
