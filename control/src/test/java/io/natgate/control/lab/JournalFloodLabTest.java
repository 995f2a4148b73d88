package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accountability under a flood: natgate with a full session table (maxSessions 1024) and a small event ring
 * (64 KiB) takes an inside UDP flood, a new mapping per packet, for 4 s. No mapping may exist that the journal
 * does not hold: afterwards {@code natgate journal replay --compare} finds the journal's tables and the
 * gateway's {@code /mappings} the same, and {@code natgate journal who} names the holder of a sample of them.
 * Prints the journal's bytes per second during the flood. Needs root and hping3.
 */
@Timeout(180)
class JournalFloodLabTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldNameTheRightHolderForEveryMappingAfterAFloodThatOverflowsTheEventRing() throws IOException
    {
        try (LabFixture fixture = LabFixture.bare("jflood"))
        {
            final Lab lab = fixture.lab();
            final NatgateJvm jvm = NatgateJvm.current();
            final Path directory = fixture.directory();
            Files.writeString(directory.resolve("tiny-events.yaml"), Files.readString(profile("small-2core"))
                .replace("  event: 1m ", "  event: 64k"));
            final String text = LabGatewayConfig.text(Backend.AFPACKET, "tiny-events.yaml")
                .replace("  filtering: address-dependent\n",
                    "  filtering: address-dependent\n  maxSessions: 1024\n  quotas: {sessionsPerClient: 0, portsPerClient: 0}\n");
            final Path config = Files.writeString(directory.resolve(LabGatewayConfig.FILE_NAME), text);
            final Path journal = directory.resolve("journal");
            try (LabGateway gateway = LabGateway.start(lab, jvm, config, null))
            {
                assertEquals(2, LabTraffic.ping(lab, Role.CLIENT2, LabTopology.SERVER_ADDRESS, 2).received());
                final long bytesBefore = size(journal);
                final long startNs = System.nanoTime();
                final Exec.Result flood = lab.exec(Role.CLIENT2, WAIT, "timeout", "4", "hping3", "-q", "--udp",
                    "--flood", "-p", "53", LabTopology.SERVER_ADDRESS);
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                final long bytesAfter = size(journal);
                final double refused = gateway.metric("natgate_drops_total", Map.of("port", "lan", "reason",
                    "event_ring_full"));
                final double earlyDropped = gateway.metric("natgate_sessions_early_dropped_total", Map.of());
                System.out.printf("journal flood lab: %.0f journal bytes/s during a %.1f s table-full flood " +
                    "(%d bytes), %.0f new mappings refused for the event ring, %.0f sessions early-dropped, " +
                    "hping3 status %d%n", (bytesAfter - bytesBefore) / seconds, seconds, bytesAfter - bytesBefore,
                    refused, earlyDropped, flood.exitStatus());
                assertTrue(earlyDropped > 0, "the table was full");
                sleep(2000); // the journal writer drains the ring

                final List<Map<String, Object>> mappings =
                    Json.objects(Json.parse(gateway.admin("/mappings?limit=1000000")));
                assertTrue(mappings.size() > 500, "mappings after the flood: " + mappings.size());
                final Exec.Result compare = lab.exec(Role.GATEWAY, WAIT, jvm.natgate("journal", "replay", "--compare",
                    "--journal", journal.toString(), "--admin", LabTopology.ADMIN_ADDRESS).toArray(new String[0]));
                assertEquals(0, compare.exitStatus(), compare.describe());
                assertTrue(compare.stdout().contains("journal and gateway agree: " + mappings.size() + " mappings"),
                    compare.stdout());

                final int step = Math.max(1, mappings.size() / 10);
                for (int i = 0; i < mappings.size(); i += step)
                {
                    Floods.assertJournalNamesHolder(journal, mappings.get(i));
                }
            }
        }
    }

    private static Path profile(final String name)
    {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent())
        {
            final Path candidate = directory.resolve("hw-profiles").resolve(name + ".yaml");
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        throw new AssertionError("hw-profiles/" + name + ".yaml not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * @return the bytes the journal's files take on disk (Chronicle maps its files sparsely: their length is not
     * what was written).
     */
    private static long size(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return 0;
        }
        final Exec.Result du = Exec.run(Duration.ofSeconds(10), List.of("du", "-s", "--block-size=1", directory.toString()));
        assertEquals(0, du.exitStatus(), du.describe());
        return Long.parseLong(du.stdout().split("\\s+")[0]);
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
