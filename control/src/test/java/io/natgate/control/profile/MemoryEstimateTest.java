package io.natgate.control.profile;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.NatWorkers;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MemoryEstimateTest
{
    @ParameterizedTest
    @CsvSource({
        "1, 0, 1, 1",
        "1000, 0, 100, 1",
        "65536, 65536, 4096, 1",
        "100000, 30000, 16384, 3",
        "131072, 0, 16384, 2"})
    void shouldCountTheTablesAsTheEngineDoesOnceAllocated(
        final int maxSessions, final int maxMappings, final int maxClients, final int publicAddresses)
    {
        final int[] addresses = new int[publicAddresses];
        for (int i = 0; i < publicAddresses; i++)
        {
            addresses[i] = Ipv4.parse("203.0.113.1") + i;
        }
        final NatEngine engine = new NatEngine(new NatConfig().publicAddresses(addresses).maxSessions(maxSessions)
            .maxMappings(maxMappings).maxClients(maxClients), NatEventListener.NONE, new DatapathCounters(2));

        assertEquals(engine.tableCapacityBytes(),
            MemoryEstimate.tableBytes(maxSessions, maxMappings, maxClients, publicAddresses));
    }

    @ParameterizedTest
    @CsvSource({
        "1000, 0, 100, 1, 2",
        "65536, 65536, 4096, 1, 2",
        "100000, 30000, 16383, 3, 3",
        "131072, 0, 16384, 2, 4",
        "100003, 0, 2621, 2, 10"})
    void shouldCountEachWorkersTableShareAndPortBitmapsAsTheEnginesDo(
        final int maxSessions, final int maxMappings, final int maxClients, final int publicAddresses,
        final int workers)
    {
        final int[] addresses = new int[publicAddresses];
        for (int i = 0; i < publicAddresses; i++)
        {
            addresses[i] = Ipv4.parse("203.0.113.1") + i;
        }
        final DatapathCounters[] counters = new DatapathCounters[workers];
        for (int i = 0; i < workers; i++)
        {
            counters[i] = new DatapathCounters(2);
        }
        final NatWorkers engines = new NatWorkers(new NatConfig().publicAddresses(addresses).maxSessions(maxSessions)
            .maxMappings(maxMappings).maxClients(maxClients), NatEventListener.NONE, counters, new DatapathCounters(2));

        assertEquals(engines.tableCapacityBytes(),
            MemoryEstimate.tableBytes(maxSessions, maxMappings, maxClients, publicAddresses, workers));
    }

    @Test
    void shouldCountARxAndATxRingPerPortAndTheCommandAndEventRings()
    {
        final long trailer = RingBufferDescriptor.TRAILER_LENGTH;
        assertEquals(3 * (1024 + trailer + 2048 + trailer) + 4096 + trailer + 8192 + trailer,
            MemoryEstimate.pipelineRingBytes(3, 1, 1024, 2048, 4096, 8192));
    }

    @Test
    void shouldCountEveryWorkersRingsAndAHandoffRingEachWhenThereAreSeveral()
    {
        final long trailer = RingBufferDescriptor.TRAILER_LENGTH;
        final long rx = 1024 + trailer;
        final long tx = 2048 + trailer;
        final long command = 4096 + trailer;
        final long event = 8192 + trailer;
        final long handoff = rx;
        // 4 workers, 3 ports: 12 rx and 12 tx rings, 4 command, 4 event and 4 handoff rings
        assertEquals(12 * rx + 12 * tx + 4 * command + 4 * event + 4 * handoff,
            MemoryEstimate.pipelineRingBytes(3, 4, 1024, 2048, 4096, 8192));
    }

    @Test
    void shouldFitWhenTheTotalIsWithinTheBudget()
    {
        assertEquals(true, new MemoryEstimate(10, 20, 30, 2, 1, 60).fits());
        assertEquals(false, new MemoryEstimate(10, 20, 31, 2, 1, 60).fits());
        assertEquals("tables 10 B + pipeline rings 20 B + backend rings 2.0 KiB (2 ports) = 2.0 KiB",
            new MemoryEstimate(10, 20, 2018, 2, 1, 4096).describe());
        assertEquals("tables 10 B + pipeline rings 20 B + backend rings 2.0 KiB (2 ports, 4 workers) = 2.0 KiB",
            new MemoryEstimate(10, 20, 2018, 2, 4, 4096).describe());
    }

    @Test
    void shouldBoundTheHeapToTheTablesAndTheControlPlaneInWholeMebibytes()
    {
        final long mib = 1 << 20;
        // 10 MiB + 1 byte of tables, 256 MiB for the rest: 267 MiB (rounded up), rings and backend not on the heap
        final MemoryEstimate estimate = new MemoryEstimate(10 * mib + 1, 500 * mib, 900 * mib, 2, 1, 4096 * mib);

        assertEquals(267 * mib, estimate.heapBytes());
        assertEquals("-Xmx267m", estimate.jvmHeapOption());
    }
}
