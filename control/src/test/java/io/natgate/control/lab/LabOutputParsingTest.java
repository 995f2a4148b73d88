package io.natgate.control.lab;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the lab reads from its tools: iperf3's tab-indented JSON, the admin endpoint's JSON and
 * Prometheus text, nc's report of a UDP peer. Needs no privileges.
 */
class LabOutputParsingTest
{
    @Test
    void shouldReadIperf3JsonIndentedWithTabs()
    {
        final String report = "{\n\t\"end\":\t{\n\t\t\"sum_received\":\t{\n\t\t\t\"bytes\":\t4597888,\n" +
            "\t\t\t\"bits_per_second\":\t3.6777256416229820e+07,\n\t\t\t\"lost_percent\":\t0\n\t\t}\n\t}\n}\n";

        final Object json = Json.parse(report);

        assertEquals(4597888.0, Json.number(json, "end", "sum_received", "bytes"));
        assertEquals(3.677725641622982e7, Json.number(json, "end", "sum_received", "bits_per_second"), 1e-3);
        assertEquals(0.0, Json.number(json, "end", "sum_received", "lost_percent"));
        assertThrows(LabException.class, () -> Json.number(json, "end", "sum_sent", "bytes"));
    }

    @Test
    void shouldReadTheSessionsArray()
    {
        final List<Map<String, Object>> sessions = Json.objects(Json.parse("[\n" +
            "{\"protocol\":\"udp\",\"inside\":\"10.0.0.2:5000\",\"public\":\"203.0.113.1:5000\"," +
            "\"remote\":\"203.0.113.2:53\",\"kind\":\"dynamic\",\"expiresInMs\":119000}\n]\n"));

        assertEquals(1, sessions.size());
        assertEquals("203.0.113.2:53", sessions.getFirst().get("remote"));
        assertEquals(119000, sessions.getFirst().get("expiresInMs"));
    }

    @Test
    void shouldSumPrometheusSamplesCarryingTheGivenLabels()
    {
        final String metrics = """
            # HELP natgate_drops_total frames dropped, by port and reason
            # TYPE natgate_drops_total counter
            natgate_drops_total{port="lan",reason="no_mapping"} 1
            natgate_drops_total{port="wan",reason="no_mapping"} 4
            natgate_drops_total{port="wan",reason="filtered"} 2
            natgate_sessions_active 3
            """;

        assertEquals(4, PrometheusText.sum(metrics, "natgate_drops_total", Map.of("port", "wan", "reason", "no_mapping")));
        assertEquals(6, PrometheusText.sum(metrics, "natgate_drops_total", Map.of("port", "wan")));
        assertEquals(3, PrometheusText.sum(metrics, "natgate_sessions_active", Map.of()));
        assertEquals(0, PrometheusText.sum(metrics, "natgate_sessions", Map.of()));
        assertThrows(LabException.class, () -> PrometheusText.parse("natgate_x{port=\"wan\" 1"));
    }

    @Test
    void shouldReadTheUdpPeerNcReports()
    {
        assertEquals("203.0.113.1:41234", LabTraffic.peerOf("Connection received on 203.0.113.1 41234"));
        assertNull(LabTraffic.peerOf("Bound on 0.0.0.0 5353"));
    }
}
