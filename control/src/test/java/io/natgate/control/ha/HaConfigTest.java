package io.natgate.control.ha;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Ipv4Endpoint;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ha:} section: its defaults, and each bad value refused with file, line, key and value.
 */
class HaConfigTest
{
    private static final Path STATE = Path.of("/var/lib/natgate/journal");
    private static final String VALID = """
        ha:
          priority: 200
          link: 192.0.2.1:7400
          peer: 192.0.2.2:7400
        """;

    private static HaConfig read(final String text)
    {
        return HaConfig.read(ConfigNode.parse("gw.yaml", text).get("ha"), STATE);
    }

    @Test
    @DisplayName("defaults: a 1 s timeout, heartbeats ten times a timeout, an embedded driver under the state directory")
    void shouldApplyDefaults()
    {
        final HaConfig config = read(VALID);
        assertEquals(200, config.priority());
        assertEquals(Ipv4Endpoint.parse("192.0.2.1:7400", 1), config.link());
        assertEquals(Ipv4Endpoint.parse("192.0.2.2:7400", 1), config.peer());
        assertEquals(TimeUnit.SECONDS.toNanos(1), config.timeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), config.heartbeatNs());
        assertEquals(STATE.resolve("aeron"), config.aeronDirectory());
        assertTrue(config.embeddedDriver());
        assertNull(HaConfig.read(null, STATE), "no section, no pair");
    }

    @Test
    @DisplayName("every key read: timeout, heartbeat, Aeron directory and an external driver")
    void shouldReadEveryKey()
    {
        final HaConfig config = read(VALID + "  timeout: 300ms\n  heartbeat: 20ms\n  aeronDirectory: ha-aeron\n" +
            "  mediaDriver: external\n");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(300), config.timeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), config.heartbeatNs());
        assertEquals(STATE.resolve("ha-aeron"), config.aeronDirectory());
        assertFalse(config.embeddedDriver());
    }

    @Test
    @DisplayName("bad values are refused naming file, line, key and value")
    void shouldRefuseBadValues()
    {
        assertRefused(VALID.replace("200", "0"), "gw.yaml:2: ha.priority=0: ");
        assertRefused(VALID.replace("192.0.2.1:7400", "192.0.2.1"), "gw.yaml:3: ha.link=192.0.2.1: expected address:port");
        assertRefused(VALID.replace("192.0.2.2:7400", "192.0.2.1:7400"),
            "gw.yaml:4: ha.peer=192.0.2.1:7400: the peer's end of the link cannot be this gateway's own");
        assertRefused(VALID + "  timeout: 10ms\n", "gw.yaml:5: ha.timeout=10ms: ");
        assertRefused(VALID + "  timeout: 1s\n  heartbeat: 500ms\n", "gw.yaml:6: ha.heartbeat=500ms: ");
        assertRefused(VALID + "  mediaDriver: shared\n", "gw.yaml:5: ha.mediaDriver=shared: ");
        assertRefused(VALID + "  role: active\n", "gw.yaml:5: ha.role=active: unknown key");
        assertRefused(VALID.replace("  peer: 192.0.2.2:7400\n", ""), "ha.peer: missing; it is required");
    }

    @Test
    @DisplayName("a second heartbeat path: both ends together, on another link than the replication link's")
    void shouldReadHeartbeatPathAndRefuseHalfOrSameLink()
    {
        final HaConfig config = read(VALID + "  heartbeatLink: 192.0.2.5:7401\n  heartbeatPeer: 192.0.2.6:7401\n");
        assertTrue(config.hasHeartbeatPath());
        assertEquals(Ipv4Endpoint.parse("192.0.2.5:7401", 1), config.heartbeatLink());
        assertEquals(Ipv4Endpoint.parse("192.0.2.6:7401", 1), config.heartbeatPeer());
        assertFalse(read(VALID).hasHeartbeatPath());
        assertRefused(VALID + "  heartbeatLink: 192.0.2.5:7401\n",
            "gw.yaml:5: ha.heartbeatLink=192.0.2.5:7401: heartbeatLink and heartbeatPeer go together");
        assertRefused(VALID + "  heartbeatLink: 192.0.2.1:7401\n  heartbeatPeer: 192.0.2.6:7401\n",
            "gw.yaml:5: ha.heartbeatLink=192.0.2.1:7401: the second path must be another link than ha.link");
        assertRefused(VALID + "  heartbeatLink: 192.0.2.5:7401\n  heartbeatPeer: 192.0.2.2:7401\n",
            "gw.yaml:6: ha.heartbeatPeer=192.0.2.2:7401: the peer's end of the second path must be its own");
    }

    @Test
    @DisplayName("equal priorities are broken by the higher link endpoint, the same way on both sides")
    void shouldBreakPriorityTiesByLinkEndpoint()
    {
        final HaConfig one = read(VALID);
        final HaConfig two = read(VALID.replace("192.0.2.1:7400", "X").replace("192.0.2.2:7400", "192.0.2.1:7400")
            .replace("X", "192.0.2.2:7400"));
        assertTrue(one.outranks(100) && !one.outranks(201));
        assertTrue(two.outranks(200) != one.outranks(200), "exactly one of the two wins a tie");
        assertTrue(two.outranks(200));
    }

    private static void assertRefused(final String text, final String expected)
    {
        final ConfigException refused = assertThrows(ConfigException.class, () -> read(text));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }
}
