package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.natgate.control.lab.LabTopology.SERVER_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 64 KiB GSO aggregates through natgate to an egress that cannot carry them: the client keeps its
 * default offloads (TSO: its TCP leaves in aggregates of up to 64 KiB, checksum partial), natgate's
 * inside port is AF_PACKET with vnet headers, its outside port pcap, so natgate must complete the
 * checksums and cut every aggregate into segments itself. tcpdump on the gateway's inside end is the
 * witness that aggregates arrived; the server's sha256 of what it received is the check that every
 * byte did. The server's end sends complete checksums (a NIC's wire), since pcap sees no offload state.
 */
@Timeout(120)
class GsoToPcapLabTest
{
    private static final int PORT = 9000;
    private static final int BYTES = 8 << 20;

    @Test
    void shouldCarryEveryByteOfTcpAggregatesToAPcapEgressCutIntoSegments() throws Exception
    {
        try (LabFixture fixture = LabFixture.bare("gso"))
        {
            final Lab lab = fixture.lab();
            lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "ethtool", "-K", LabTopology.HOST_INTERFACE, "tx", "off").check();
            final String config = LabGatewayConfig.text(Backend.AFPACKET, "small-2core");
            final int wan = config.lastIndexOf("backend: afpacket");
            final Path configFile = Files.writeString(fixture.directory().resolve(LabGatewayConfig.FILE_NAME),
                config.substring(0, wan) + "backend: pcap" + config.substring(wan + "backend: afpacket".length()));
            final LabGateway gateway = LabGateway.start(lab, NatgateJvm.current(), configFile, null);
            assertTrue(gateway.output().stream().anyMatch(line -> line.contains("pcap sees no offload metadata")),
                String.join("\n", gateway.output()));

            final byte[] data = new byte[BYTES];
            new Random(10).nextBytes(data);
            final Path file = Files.write(fixture.directory().resolve("upload.bin"), data);

            final LabProcess witness = lab.start(Role.GATEWAY, "tcpdump", null, List.of("tcpdump", "-l", "-nn", "-i",
                LabTopology.GATEWAY_INSIDE_INTERFACE, "-c", "20", "tcp and dst port " + PORT + " and greater 3000"));
            witness.awaitLine(line -> line.contains("listening on"), Duration.ofSeconds(10));
            final LabProcess sink = lab.start(Role.SERVER, "sink", null,
                List.of("sh", "-c", "nc -l " + PORT + " </dev/null | sha256sum"));
            awaitTcpListener(lab);

            final Exec.Result upload = lab.exec(Role.CLIENT, Duration.ofSeconds(60), "sh", "-c",
                "nc -N " + SERVER_ADDRESS + " " + PORT + " < " + file);

            assertEquals(0, upload.exitStatus(), upload.describe());
            final String digest = sink.awaitLine(line -> line.matches("[0-9a-f]{64} .*"), Duration.ofSeconds(30));
            assertEquals(sha256(data), digest.substring(0, 64), "what the server received");
            witness.waitFor(Duration.ofSeconds(5));
            final List<String> aggregates = witness.stdout().stream().filter(line -> line.contains(" IP ")).toList();
            assertTrue(!aggregates.isEmpty(), "no frame over 3000 bytes reached the gateway: " + witness.stderr());
            assertEquals(0.0, gateway.metric("natgate_drops_total", Map.of("port", "lan", "reason", "bad_l4_checksum")));
        }
    }

    private static void awaitTcpListener(final Lab lab) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (lab.exec(Role.SERVER, Exec.SETUP_TIMEOUT, "ss", "-Htln", "sport", "= :" + PORT).stdout().isBlank())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("nothing listens on TCP port " + PORT + " in the server");
            }
            Thread.sleep(50);
        }
    }

    private static String sha256(final byte[] data) throws NoSuchAlgorithmException
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
