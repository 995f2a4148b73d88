package io.natgate.control.admin;

import io.natgate.control.gateway.CountersFile;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.PrometheusText;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.port.InMemoryPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest
{
    @TempDir
    Path directory;

    private static final Pattern SAMPLE =
        Pattern.compile("[a-z_]+(\\{[a-z]+=\"[a-z0-9_]*\"(,[a-z]+=\"[a-z0-9_]*\")*})? -?\\d+");

    @Test
    void shouldRenderCountersPerPortAndReasonInPrometheusTextFormat()
    {
        final DatapathCounters counters = new DatapathCounters(2);
        counters.add(0, PortCounter.RX_FRAMES, 12);
        counters.drop(1, DropReason.NO_MAPPING);
        counters.set(GlobalCounter.SESSIONS_ACTIVE, 3);
        try (InMemoryPort lan = InMemoryPort.ethernet("lan", 0x0200_0000_0001L);
            InMemoryPort wan = InMemoryPort.ethernet("wan", 0x0200_0000_0002L);
            Pipeline pipeline = new Pipeline(new PipelineConfig(), List.of(lan, wan), counters))
        {
            final String text = Metrics.render(counters, List.of("lan", "wan"), pipeline);

            assertTrue(text.contains("natgate_port_rx_frames_total{port=\"lan\"} 12\n"), text);
            assertTrue(text.contains("natgate_drops_total{port=\"wan\",reason=\"no_mapping\"} 1\n"), text);
            assertTrue(text.contains("# TYPE natgate_sessions_active gauge\nnatgate_sessions_active 3\n"), text);
            assertTrue(text.contains("natgate_ring_used_bytes{ring=\"rx\",port=\"lan\"} 0\n"), text);
            for (final String line : text.split("\n"))
            {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || SAMPLE.matcher(line).matches(),
                    "not exposition format: " + line);
            }
        }
    }

    @Test
    void shouldRenderAOneWorkerCountersFileExactlyAsItsOneSetWithNoWorkerLabel()
    {
        try (CountersFile file = CountersFile.create(directory.resolve("one.counters"), List.of("lan", "wan"));
            InMemoryPort lan = InMemoryPort.ethernet("lan", 0x0200_0000_0001L);
            InMemoryPort wan = InMemoryPort.ethernet("wan", 0x0200_0000_0002L);
            Pipeline pipeline = new Pipeline(new PipelineConfig(), List.of(lan, wan), file.counters()))
        {
            file.counters().add(0, PortCounter.RX_FRAMES, 12);
            file.counters().set(GlobalCounter.SESSIONS_ACTIVE, 3);

            final String text = Metrics.render(file, pipeline);

            assertEquals(Metrics.render(file.counters(), List.of("lan", "wan"), pipeline), text);
            assertFalse(text.contains("worker="), text);
            assertTrue(text.contains("natgate_port_rx_frames_total{port=\"lan\"} 12\n"), text);
            assertTrue(text.contains("natgate_ring_used_bytes{ring=\"command\"} 0\n"), text);
        }
    }

    @Test
    void shouldLabelEverySeriesWithItsWorkerSoTheirSumIsTheGatewaysAndPassPromtool()
    {
        try (CountersFile file = CountersFile.create(directory.resolve("two.counters"), List.of("lan", "wan"), 2);
            InMemoryPort lan = InMemoryPort.ethernet("lan", 0x0200_0000_0001L);
            InMemoryPort wan = InMemoryPort.ethernet("wan", 0x0200_0000_0002L);
            Pipeline pipeline = new Pipeline(new PipelineConfig().workers(2), List.of(lan, wan),
                new DatapathCounters[]{file.workerCounters(0), file.workerCounters(1)}, file.steeringCounters()))
        {
            file.workerCounters(0).add(0, PortCounter.RX_FRAMES, 12);
            file.workerCounters(1).add(0, PortCounter.RX_FRAMES, 30);
            file.workerCounters(0).set(GlobalCounter.SESSIONS_ACTIVE, 3);
            file.workerCounters(1).set(GlobalCounter.SESSIONS_ACTIVE, 4);
            file.workerCounters(1).drop(1, DropReason.NO_MAPPING);
            file.steeringCounters().drop(1, DropReason.NO_MAPPING);

            final String text = Metrics.render(file, pipeline);

            assertTrue(text.contains("natgate_port_rx_frames_total{port=\"lan\",worker=\"0\"} 12\n"), text);
            assertTrue(text.contains("natgate_port_rx_frames_total{port=\"lan\",worker=\"1\"} 30\n"), text);
            assertTrue(text.contains("natgate_port_rx_frames_total{port=\"lan\",worker=\"rx\"} 0\n"), text);
            assertTrue(text.contains("natgate_drops_total{port=\"wan\",reason=\"no_mapping\",worker=\"rx\"} 1\n"),
                text);
            assertTrue(text.contains("natgate_sessions_active{worker=\"1\"} 4\n"), text);
            assertTrue(text.contains("natgate_ring_used_bytes{ring=\"handoff\",worker=\"1\"} 0\n"), text);
            assertEquals(42, PrometheusText.sum(text, "natgate_port_rx_frames_total", Map.of("port", "lan")));
            assertEquals(7, PrometheusText.sum(text, "natgate_sessions_active", Map.of()));
            assertEquals(2, PrometheusText.sum(text, "natgate_drops_total",
                Map.of("port", "wan", "reason", "no_mapping")));
            for (final PrometheusText.Sample sample : PrometheusText.parse(text))
            {
                assertTrue(sample.labels().containsKey("worker"), "unlabelled: " + sample);
            }

            final Exec.Result promtool = Exec.run(Duration.ofSeconds(60), List.of("promtool", "check", "metrics"), text);
            assertEquals(0, promtool.exitStatus(), promtool.describe());
            assertEquals("", (promtool.stdout() + promtool.stderr()).strip(), promtool.describe());
        }
    }
}
