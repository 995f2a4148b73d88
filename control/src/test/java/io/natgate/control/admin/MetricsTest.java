package io.natgate.control.admin;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.port.InMemoryPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest
{
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
}
