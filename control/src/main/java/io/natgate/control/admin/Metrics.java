package io.natgate.control.admin;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.control.gateway.ClientView;
import io.natgate.control.gateway.CountersFile;
import io.natgate.control.gateway.Gateway;
import io.natgate.control.gateway.TableUse;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.port.PortStats;
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
     * One set of counters, as a gateway with one worker has: no {@code worker} label.
     *
     * @param pipeline for ring occupancy; null when the rings are not in this process.
     */
    public static String render(final DatapathCounters counters, final List<String> portNames, final Pipeline pipeline)
    {
        return render(new DatapathCounters[]{counters}, null, portNames, pipeline);
    }

    /**
     * The counters file's sets: with one worker exactly as {@link #render(DatapathCounters, List, Pipeline)}; with
     * several, every counter series once per set with a {@code worker} label (the worker's number, {@code rx} for
     * the steering's set), so {@code sum without (worker)} gives the gateway's totals.
     *
     * @param pipeline for ring occupancy; null when the rings are not in this process.
     */
    public static String render(final CountersFile file, final Pipeline pipeline)
    {
        final DatapathCounters[] sets = new DatapathCounters[file.setCount()];
        final String[] workers = new String[sets.length];
        for (int set = 0; set < sets.length; set++)
        {
            sets[set] = file.set(set);
            workers[set] = file.setName(set);
        }
        return render(sets, file.workers() > 1 ? workers : null, file.portNames(), pipeline);
    }

    /**
     * @param workers the {@code worker} label of each set; null for one set and no label.
     */
    private static String render(
        final DatapathCounters[] sets, final String[] workers, final List<String> portNames, final Pipeline pipeline)
    {
        final StringBuilder out = new StringBuilder(8192 * sets.length);
        for (final PortCounter counter : PortCounter.values())
        {
            final String name = "natgate_port_" + counter.name().toLowerCase(Locale.ROOT) + "_total";
            header(out, name, counter.label(), "counter");
            for (int port = 0; port < portNames.size(); port++)
            {
                for (int set = 0; set < sets.length; set++)
                {
                    out.append(name).append("{port=\"").append(portNames.get(port)).append('"');
                    worker(out, workers, set).append("} ").append(sets[set].get(port, counter)).append('\n');
                }
            }
        }
        header(out, "natgate_drops_total", "frames dropped, by port and reason", "counter");
        for (int port = 0; port < portNames.size(); port++)
        {
            for (final DropReason reason : DropReason.values())
            {
                for (int set = 0; set < sets.length; set++)
                {
                    out.append("natgate_drops_total{port=\"").append(portNames.get(port)).append("\",reason=\"")
                        .append(reason.name().toLowerCase(Locale.ROOT)).append('"');
                    worker(out, workers, set).append("} ").append(sets[set].get(port, reason)).append('\n');
                }
            }
        }
        for (final GlobalCounter counter : GlobalCounter.values())
        {
            final boolean gauge = counter == GlobalCounter.SESSIONS_ACTIVE || counter == GlobalCounter.MAPPINGS_ACTIVE ||
                counter == GlobalCounter.PORTS_IN_USE || counter == GlobalCounter.JOURNAL_REFUSING;
            final String name = "natgate_" + counter.name().toLowerCase(Locale.ROOT) + (gauge ? "" : "_total");
            header(out, name, counter.label(), gauge ? "gauge" : "counter");
            for (int set = 0; set < sets.length; set++)
            {
                out.append(name);
                if (workers != null)
                {
                    out.append("{worker=\"").append(workers[set]).append("\"}");
                }
                out.append(' ').append(sets[set].get(counter)).append('\n');
            }
        }
        if (pipeline != null)
        {
            // one family after the other: Prometheus wants a family's samples together, after its HELP and TYPE
            header(out, "natgate_ring_used_bytes", "bytes waiting in a ring", "gauge");
            rings(out, "natgate_ring_used_bytes", portNames, pipeline, true);
            header(out, "natgate_ring_capacity_bytes", "capacity of a ring in bytes", "gauge");
            rings(out, "natgate_ring_capacity_bytes", portNames, pipeline, false);
        }
        return out.toString();
    }

    /**
     * Appends set {@code set}'s {@code worker} label after the others, or nothing when the sets are not labelled.
     */
    private static StringBuilder worker(final StringBuilder out, final String[] workers, final int set)
    {
        return workers == null ? out : out.append(",worker=\"").append(workers[set]).append('"');
    }

    /**
     * The counters as {@link #render(CountersFile, Pipeline)} renders them, then what only the running
     * gateway knows: its build, its tables' capacity and use, the journal's losses, the kernel's drops below each
     * port, and the ports in use per public address and per inside host.
     */
    public static String render(final Gateway gateway)
    {
        final StringBuilder out = new StringBuilder(render(gateway.countersFile(), gateway.pipeline()));
        header(out, "natgate_build_info", "the running build: version and Java runtime; always 1", "gauge");
        out.append("natgate_build_info{version=\"").append(label(Gateway.version())).append("\",java=\"")
            .append(label(Runtime.version().toString())).append("\"} 1\n");

        final TableUse use = gateway.tableUse();
        header(out, "natgate_table_capacity", "entries a NAT table holds (ports: public ports of all protocols)",
            "gauge");
        table(out, "natgate_table_capacity", "sessions", use.sessionCapacity());
        table(out, "natgate_table_capacity", "mappings", use.mappingCapacity());
        table(out, "natgate_table_capacity", "clients", use.clientCapacity());
        table(out, "natgate_table_capacity", "ports", use.portCapacity());
        header(out, "natgate_table_used", "entries in use in a NAT table", "gauge");
        table(out, "natgate_table_used", "sessions", use.sessions());
        table(out, "natgate_table_used", "mappings", use.mappings());
        table(out, "natgate_table_used", "clients", use.clients());
        table(out, "natgate_table_used", "ports", use.portsInUse());
        header(out, "natgate_table_memory_bytes", "memory the NAT tables take, preallocated", "gauge");
        out.append("natgate_table_memory_bytes ").append(use.memoryBytes()).append('\n');

        header(out, "natgate_journal_events_lost_total",
            "events the journal could not write (ring full, disk full or unwritable)", "counter");
        out.append("natgate_journal_events_lost_total ").append(gateway.journalEventsLost()).append('\n');

        final List<PortStats> stats = gateway.portStats();
        header(out, "natgate_port_kernel_rx_dropped_total",
            "frames the kernel dropped below a port because its capture ring or buffer was full", "counter");
        for (int port = 0; port < stats.size(); port++)
        {
            portSample(out, "natgate_port_kernel_rx_dropped_total", gateway.portNames().get(port),
                stats.get(port).rxDropped());
        }
        header(out, "natgate_port_interface_rx_dropped_total",
            "frames the interface or driver dropped before capture, where the backend reports it", "counter");
        for (int port = 0; port < stats.size(); port++)
        {
            portSample(out, "natgate_port_interface_rx_dropped_total", gateway.portNames().get(port),
                stats.get(port).rxInterfaceDropped());
        }
        header(out, "natgate_port_tx_failed_total", "frames a port accepted that its device then failed to send",
            "counter");
        for (int port = 0; port < stats.size(); port++)
        {
            portSample(out, "natgate_port_tx_failed_total", gateway.portNames().get(port), stats.get(port).txFailed());
        }

        header(out, "natgate_public_address_ports_in_use", "public ports (all protocols) in use on a public address",
            "gauge");
        use.portsByPublicAddress().forEach((address, ports) -> out.append("natgate_public_address_ports_in_use{" +
            "address=\"").append(Ipv4.toString(address)).append("\"} ").append(ports).append('\n'));

        final StringBuilder sessions = new StringBuilder();
        header(out, "natgate_client_ports_in_use", "public ports an inside host holds (nat.quota.portsPerClient)",
            "gauge");
        header(sessions, "natgate_client_sessions", "sessions an inside host holds (nat.quota.sessionsPerClient)",
            "gauge");
        gateway.clients(chunk ->
        {
            for (final ClientView client : chunk)
            {
                final String inside = Ipv4.toString(client.insideAddress());
                out.append("natgate_client_ports_in_use{inside=\"").append(inside).append("\"} ")
                    .append(client.portsInUse()).append('\n');
                sessions.append("natgate_client_sessions{inside=\"").append(inside).append("\"} ")
                    .append(client.sessions()).append('\n');
            }
        });
        return out.append(sessions).toString();
    }

    private static void table(final StringBuilder out, final String name, final String table, final long value)
    {
        out.append(name).append("{table=\"").append(table).append("\"} ").append(value).append('\n');
    }

    private static void portSample(final StringBuilder out, final String name, final String port, final long value)
    {
        out.append(name).append("{port=\"").append(port).append("\"} ").append(value).append('\n');
    }

    /**
     * @return {@code text} escaped for a label value.
     */
    private static String label(final String text)
    {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /**
     * Every worker's rx and tx ring per port, command and event ring; with several workers each labelled with its
     * worker, and their handoff rings too.
     */
    private static void rings(
        final StringBuilder out, final String name, final List<String> portNames, final Pipeline pipeline,
        final boolean used)
    {
        final boolean labelled = pipeline.workers() > 1;
        for (int worker = 0; worker < pipeline.workers(); worker++)
        {
            final String label = labelled ? Integer.toString(worker) : null;
            for (int port = 0; port < portNames.size(); port++)
            {
                ring(out, name, "rx", portNames.get(port), label, pipeline.rxRing(worker, port), used);
                ring(out, name, "tx", portNames.get(port), label, pipeline.txRing(worker, port), used);
            }
            ring(out, name, "command", null, label, pipeline.commandRing(worker), used);
            ring(out, name, "event", null, label, pipeline.eventRing(worker), used);
            if (labelled)
            {
                ring(out, name, "handoff", null, label, pipeline.handoffRing(worker), used);
            }
        }
    }

    private static void ring(
        final StringBuilder out,
        final String name,
        final String ring,
        final String port,
        final String worker,
        final RingBuffer buffer,
        final boolean used)
    {
        out.append(name).append("{ring=\"").append(ring).append('"');
        if (port != null)
        {
            out.append(",port=\"").append(port).append('"');
        }
        if (worker != null)
        {
            out.append(",worker=\"").append(worker).append('"');
        }
        out.append("} ").append(used ? buffer.size() : buffer.capacity()).append('\n');
    }

    private static void header(final StringBuilder out, final String name, final String help, final String type)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /**
     * @return the exporters' counters, empty when nothing is exported.
     */
    public static String renderExport(final io.natgate.control.export.NatExport export)
    {
        if (export == null)
        {
            return "";
        }
        final StringBuilder out = new StringBuilder(512);
        header(out, "natgate_export_records_total", "NAT event records exported, by exporter and result", "counter");
        for (final io.natgate.control.export.NatLogSink sink : export.sinks())
        {
            final String name = sink instanceof io.natgate.control.export.IpfixExporter ? "ipfix" : "syslog";
            out.append("natgate_export_records_total{exporter=\"").append(name).append("\",result=\"sent\"} ")
                .append(sink.recordsSent()).append('\n');
            out.append("natgate_export_records_total{exporter=\"").append(name).append("\",result=\"unsent\"} ")
                .append(sink.recordsUnsent()).append('\n');
        }
        return out.toString();
    }
}
