package io.natgate.control.admin;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.pipeline.Pipeline;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.List;
import java.util.Locale;

/**
 * Renders the datapath counters in the Prometheus text exposition format (version 0.0.4).
 */
public final class Metrics
{
    private Metrics()
    {
    }

    /**
     * @param pipeline for ring occupancy; null when the rings are not in this process.
     */
    public static String render(final DatapathCounters counters, final List<String> portNames, final Pipeline pipeline)
    {
        final StringBuilder out = new StringBuilder(8192);
        for (final PortCounter counter : PortCounter.values())
        {
            final String name = "natgate_port_" + counter.name().toLowerCase(Locale.ROOT) + "_total";
            header(out, name, counter.label(), "counter");
            for (int port = 0; port < portNames.size(); port++)
            {
                out.append(name).append("{port=\"").append(portNames.get(port)).append("\"} ")
                    .append(counters.get(port, counter)).append('\n');
            }
        }
        header(out, "natgate_drops_total", "frames dropped, by port and reason", "counter");
        for (int port = 0; port < portNames.size(); port++)
        {
            for (final DropReason reason : DropReason.values())
            {
                out.append("natgate_drops_total{port=\"").append(portNames.get(port)).append("\",reason=\"")
                    .append(reason.name().toLowerCase(Locale.ROOT)).append("\"} ").append(counters.get(port, reason))
                    .append('\n');
            }
        }
        for (final GlobalCounter counter : GlobalCounter.values())
        {
            final boolean gauge = counter == GlobalCounter.SESSIONS_ACTIVE || counter == GlobalCounter.MAPPINGS_ACTIVE ||
                counter == GlobalCounter.PORTS_IN_USE;
            final String name = "natgate_" + counter.name().toLowerCase(Locale.ROOT) + (gauge ? "" : "_total");
            header(out, name, counter.label(), gauge ? "gauge" : "counter");
            out.append(name).append(' ').append(counters.get(counter)).append('\n');
        }
        if (pipeline != null)
        {
            header(out, "natgate_ring_used_bytes", "bytes waiting in a ring", "gauge");
            for (int port = 0; port < portNames.size(); port++)
            {
                ring(out, "rx", portNames.get(port), pipeline.rxRing(port));
                ring(out, "tx", portNames.get(port), pipeline.txRing(port));
            }
            ring(out, "command", "", pipeline.commandRing());
            ring(out, "event", "", pipeline.eventRing());
        }
        return out.toString();
    }

    private static void ring(final StringBuilder out, final String ring, final String port, final RingBuffer buffer)
    {
        out.append("natgate_ring_used_bytes{ring=\"").append(ring).append('"');
        if (!port.isEmpty())
        {
            out.append(",port=\"").append(port).append('"');
        }
        out.append("} ").append(buffer.size()).append('\n');
        out.append("natgate_ring_capacity_bytes{ring=\"").append(ring).append('"');
        if (!port.isEmpty())
        {
            out.append(",port=\"").append(port).append('"');
        }
        out.append("} ").append(buffer.capacity()).append('\n');
    }

    private static void header(final StringBuilder out, final String name, final String help, final String type)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
