package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * natgate on AF_XDP ports in the lab: under run-to-completion threading the frames it forwards leave
 * from where they were received in the UMEM its ports share, and a port on a device with several
 * queues has a socket on each. What the gateway says of its sockets when it stops is checked against
 * what the clients and the server saw.
 */
@Timeout(600)
class AfXdpLabTest
{
    private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofMinutes(4);
    /** The line the gateway prints for each AF_XDP socket as it stops. */
    private static final Pattern SOCKET_TOTALS = Pattern.compile("natgate: port (\\S+) afxdp queue (\\d+): (\\d+) " +
        "frames received; sent (\\d+) from where they were received, (\\d+) copied");

    @Test
    void shouldSendForwardedFramesFromWhereTheyWereReceivedUnderRunToCompletion() throws IOException
    {
        try (LabFixture fixture = LabFixture.bare("xz"))
        {
            final Path config = writeConfig(fixture.directory(), "run-to-completion", "");
            final LabGateway gateway = start(fixture.lab(), NatgateJvm.current(), config);
            Iperf3.server(fixture.lab(), Role.SERVER, Iperf3.PORT);

            final Iperf3.UdpResult udp = Iperf3.udp(fixture.lab(), Role.CLIENT, LabTopology.SERVER_ADDRESS,
                Iperf3.PORT, 3, "10M", 1400);
            gateway.stop();

            assertTrue(udp.receivedPackets() > 2000, udp::toString);
            final List<String> output = gateway.output();
            assertTrue(output.stream().anyMatch(line -> line.contains(
                "afxdp ports share one UMEM: frames pass between them by UMEM address, not copied")), output::toString);
            final long[] wan = totals(output, "wan", 0);
            assertTrue(wan[1] >= udp.receivedPackets(), () -> "wan sent " + wan[1] + " in place, the server received " +
                udp.receivedPackets() + ": " + output);
            // what wan copies is the gateway's own (ARP), not what it forwards
            assertTrue(wan[2] < 10, () -> "wan copied " + wan[2] + ": " + output);
        }
    }

    @Test
    void shouldReceiveOnEveryQueueOfAMultiQueueDevice() throws IOException
    {
        try (LabFixture fixture = LabFixture.bare("xq"))
        {
            final Lab lab = fixture.lab();
            // the outside link again, with two queues each way: the server's flows spread over them by hash
            lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "ip", "link", "del", LabTopology.GATEWAY_OUTSIDE_INTERFACE).check();
            lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "ip", "link", "add", "name", LabTopology.GATEWAY_OUTSIDE_INTERFACE,
                "numtxqueues", "2", "numrxqueues", "2", "type", "veth", "peer", "name", LabTopology.HOST_INTERFACE,
                "numtxqueues", "2", "numrxqueues", "2", "netns", lab.namespace(Role.SERVER)).check();
            lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "ip", "link", "set", LabTopology.GATEWAY_OUTSIDE_INTERFACE, "up")
                .check();
            lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "ip", "addr", "add", LabTopology.SERVER_ADDRESS + "/" +
                LabTopology.PREFIX_LENGTH, "dev", LabTopology.HOST_INTERFACE).check();
            lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "ip", "link", "set", LabTopology.HOST_INTERFACE, "up").check();
            lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "ip", "route", "add", "default", "via",
                LabTopology.PUBLIC_ADDRESS).check();
            final Path config = writeConfig(fixture.directory(), "run-to-completion", "queues: [0, 1]");
            final LabGateway gateway = start(lab, NatgateJvm.current(), config);
            Iperf3.server(lab, Role.SERVER, Iperf3.PORT);

            final int connections = 16;
            int accepted = 0;
            for (int i = 0; i < connections; i++)
            {
                accepted += LabTraffic.tcpConnect(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, Iperf3.PORT) == 0 ? 1 : 0;
            }
            gateway.stop();

            assertEquals(connections, accepted, "connections through a gateway with a socket on each queue");
            final List<String> output = gateway.output();
            assertTrue(output.stream().noneMatch(line -> line.contains("never reach natgate")), output::toString);
            for (int queue = 0; queue < 2; queue++)
            {
                final long[] totals = totals(output, "wan", queue);
                assertTrue(totals[0] > 0, "wan queue " + queue + " received nothing: " + output);
            }
        }
    }

    @Test
    void shouldLeaveNoXdpProgramAfterStopAndReplaceTheOneAKilledGatewayLeft() throws IOException
    {
        try (LabFixture fixture = LabFixture.bare("xk"))
        {
            final Lab lab = fixture.lab();
            final Path config = LabGatewayConfig.write(fixture.directory(), Backend.AFXDP, "small-2core");
            final LabGateway killed = start(lab, NatgateJvm.current(), config);
            ProcessHandle.of(killed.process().pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no teardown
            killed.process().waitFor(java.time.Duration.ofSeconds(30));
            final String left = xdpProgram(lab);
            assertTrue(left.contains("prog/xdp"), "a killed gateway leaves its program: " + left);

            // a journal of its own: the killed gateway's is not what this test is about
            final Path nextConfig = LabGatewayConfig.write(fixture.directory().resolve("next"), Backend.AFXDP,
                "small-2core");
            final LabGateway next = start(lab, NatgateJvm.current(), nextConfig);
            assertEquals(0, LabTraffic.ping(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, 3).exitStatus());
            next.stop();

            assertTrue(next.output().stream().anyMatch(line -> line.contains("replaced XDP program id ")),
                next.output()::toString);
            final String after = xdpProgram(lab);
            assertTrue(!after.contains("prog/xdp"), "after stop: " + after);
        }
    }

    @Test
    void shouldPassEveryCheckOfTheLabDemoOnAfXdp() throws Exception
    {
        final LabTopology topology = LabTopology.unique("xd");
        final List<String> command = NatgateJvm.current().natgate("lab", "demo", "--backend", "afxdp", "--prefix",
            topology.prefix());
        final Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(demo.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(demo.waitFor(300, java.util.concurrent.TimeUnit.SECONDS));

        assertEquals(0, demo.exitValue(), output);
        final Matcher passed = Pattern.compile("natgate lab demo: (\\d+) of (\\d+) checks passed").matcher(output);
        assertTrue(passed.find(), output);
        assertEquals(passed.group(2), passed.group(1), output);
    }

    /**
     * Starts natgate, giving it longer than the default to be ready: on a loaded machine the journal's
     * start-up is slow.
     */
    private static LabGateway start(final Lab lab, final NatgateJvm jvm, final Path config)
    {
        return LabGateway.start(lab, jvm, config, null, List.of(), START_TIMEOUT);
    }

    /**
     * @return what {@code ip link show} says of the gateway's outside end, where the program would be.
     */
    private static String xdpProgram(final Lab lab)
    {
        return lab.exec(Role.GATEWAY, Exec.SETUP_TIMEOUT, "ip", "link", "show", "dev",
            LabTopology.GATEWAY_OUTSIDE_INTERFACE).check().stdout();
    }

    /**
     * @return received, sent in place and copied, as the gateway said at stop for one socket.
     */
    private static long[] totals(final List<String> output, final String port, final int queue)
    {
        for (final String line : output)
        {
            final Matcher matcher = SOCKET_TOTALS.matcher(line);
            if (matcher.find() && matcher.group(1).equals(port) && Integer.parseInt(matcher.group(2)) == queue)
            {
                return new long[] {Long.parseLong(matcher.group(3)), Long.parseLong(matcher.group(4)),
                    Long.parseLong(matcher.group(5))};
            }
        }
        throw new AssertionError("no totals for " + port + " queue " + queue + ": " + output);
    }

    /**
     * @return the lab's config on afxdp with small-2core's settings but {@code threading}, the outside
     * port given {@code outsideLine} too.
     */
    private static Path writeConfig(final Path directory, final String threading, final String outsideLine)
        throws IOException
    {
        final String profile = LabGatewayConfig.writeProfile(directory, "small-2core", threading);
        final Path config = LabGatewayConfig.write(directory, Backend.AFXDP, profile);
        if (!outsideLine.isEmpty())
        {
            final String text = Files.readString(config);
            final String changed = text.replace("role: outside\n", "role: outside\n    " + outsideLine + "\n");
            assertTrue(!changed.equals(text), text);
            Files.writeString(config, changed);
        }
        return config;
    }
}
