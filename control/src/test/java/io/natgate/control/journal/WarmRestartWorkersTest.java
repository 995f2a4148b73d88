package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.nat.WorkerPorts;
import io.natgate.datapath.nat.WorkerSteering;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.natgate.control.journal.JournalWriterTest.EPOCH_OFFSET_NS;
import static io.natgate.control.journal.JournalWriterTest.PUBLIC;
import static io.natgate.control.journal.JournalWriterTest.REMOTE;
import static io.natgate.control.journal.JournalWriterTest.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A warm restart of a gateway with 2 workers: the journal's mappings go back to the worker that owns both their
 * inside host and their public port, their sessions with them; a mapping whose port another worker owns (a
 * journal written with another worker count) is refused, and its client gets a new port on its next packet.
 */
class WarmRestartWorkersTest
{
    private static final int WORKERS = 2;

    @TempDir
    Path directory;

    private final long nowNs = 1_000;
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @Test
    void shouldPutEachRestoredMappingOnTheWorkerThatOwnsItsInsideHostAndPort()
    {
        final int[] hosts = hostOnEachWorker();
        final WorkerPorts ports = new WorkerPorts(WORKERS);
        final int port0 = 2000; // worker 0's range: 1024-33279
        final int port1 = 40_000; // worker 1's range: 33280-65535
        assertEquals(0, ports.owner(port0));
        assertEquals(1, ports.owner(port1));
        try (JournalWriter writer = open(new NatWorkers(config(), NatEventListener.NONE, counters(), null)))
        {
            final NatEventListener events = writer.natEvents();
            events.onMappingCreated(nowNs, UDP, hosts[0], 5000, PUBLIC, port0, MappingKind.DYNAMIC.id());
            events.onSessionCreated(nowNs, UDP, hosts[0], 5000, PUBLIC, port0, REMOTE, 53, 0);
            events.onMappingCreated(nowNs, UDP, hosts[1], 5000, PUBLIC, port1, MappingKind.DYNAMIC.id());
            events.onSessionCreated(nowNs, UDP, hosts[1], 5000, PUBLIC, port1, REMOTE, 53, 0);
            events.onMappingCreated(nowNs, UDP, hosts[0], 6000, PUBLIC, port1 + 2, MappingKind.DYNAMIC.id());
            events.onSessionCreated(nowNs, UDP, hosts[0], 6000, PUBLIC, port1 + 2, REMOTE, 53, 0);
            writer.doWork();
        }

        final NatWorkers restarted = new NatWorkers(config(), NatEventListener.NONE, counters(), null);
        final WarmRestart.Result result;
        try (JournalWriter writer = JournalWriter.open(journalConfig(), () -> nowNs + 1_000,
            () -> nowNs + 1_000 + EPOCH_OFFSET_NS, log))
        {
            result = writer.restore(restarted, config(), List.of(), counters());
        }

        assertEquals(2, result.mappings(), "restored");
        assertEquals(1, result.refused(), "the mapping on another worker's port");
        assertEquals(2, result.sessions(), "restored with their mappings");
        for (int worker = 0; worker < WORKERS; worker++)
        {
            assertEquals(1, restarted.engine(worker).mappingCount(), "worker " + worker + "'s mappings");
            assertEquals(1, restarted.engine(worker).sessionCount(), "worker " + worker + "'s sessions");
        }
        assertEquals(false, restarted.engine(0).isPortFree(UDP, PUBLIC, port0));
        assertEquals(false, restarted.engine(1).isPortFree(UDP, PUBLIC, port1));
        assertEquals(true, restarted.engine(1).isPortFree(UDP, PUBLIC, port1 + 2), "the refused one's port");
    }

    private JournalWriter open(final NatWorkers workers)
    {
        final JournalWriter writer = JournalWriter.open(journalConfig(), () -> nowNs, () -> nowNs + EPOCH_OFFSET_NS,
            log);
        writer.restore(workers, config(), List.of(), counters());
        return writer;
    }

    private JournalConfig journalConfig()
    {
        return new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, true);
    }

    private static NatConfig config()
    {
        return new NatConfig().publicAddresses(PUBLIC);
    }

    private static DatapathCounters[] counters()
    {
        final DatapathCounters[] counters = new DatapathCounters[WORKERS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            counters[worker] = new DatapathCounters(2);
        }
        return counters;
    }

    private static int[] hostOnEachWorker()
    {
        final int[] hosts = new int[WORKERS];
        int found = 0;
        for (int host = 2; found < WORKERS; host++)
        {
            final int address = Ipv4.parse("10.0.0." + host);
            final int worker = WorkerSteering.insideWorker(address, WORKERS);
            if (hosts[worker] == 0)
            {
                hosts[worker] = address;
                found++;
            }
        }
        return hosts;
    }
}
