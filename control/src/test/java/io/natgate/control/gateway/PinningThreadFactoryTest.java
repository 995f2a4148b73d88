package io.natgate.control.gateway;

import io.natgate.control.profile.CpuPinning;
import io.natgate.control.profile.CpuPinning.ThreadKind;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PinningThreadFactoryTest
{
    @Test
    void shouldTellTheThreadKindFromTheAgentRoleName()
    {
        assertEquals(ThreadKind.RX, PinningThreadFactory.kindOf("natgate-rx-lan"));
        assertEquals(ThreadKind.TX, PinningThreadFactory.kindOf("natgate-tx-wan"));
        assertEquals(ThreadKind.WORKER, PinningThreadFactory.kindOf("natgate-worker"));
        assertEquals(ThreadKind.WORKER, PinningThreadFactory.kindOf("natgate-worker-3"));
        assertEquals(3, PinningThreadFactory.workerIndexOf("natgate-worker-3"));
        assertEquals(-1, PinningThreadFactory.workerIndexOf("natgate-worker"));
        assertEquals(-1, PinningThreadFactory.workerIndexOf("natgate-worker-x"));
        assertEquals(ThreadKind.SHARED,
            PinningThreadFactory.kindOf("[natgate-rx-lan,natgate-worker-0,natgate-worker-1,natgate-tx-lan]"));
        assertEquals(ThreadKind.NETWORK, PinningThreadFactory.kindOf("[natgate-rx-lan,natgate-tx-lan]"));
        assertEquals(ThreadKind.SHARED, PinningThreadFactory.kindOf("[natgate-rx-lan,natgate-worker,natgate-tx-lan]"));
        assertEquals(ThreadKind.CONTROL, PinningThreadFactory.kindOf("natgate-events"));
        assertEquals("[natgate-rx-lan,natgate-worker]", new CompositeAgent(agent("natgate-rx-lan"),
            agent("natgate-worker")).roleName(), "composite role names as kindOf reads them");
    }

    @Test
    void shouldStartTheWorkerThreadPinnedToItsCpu() throws Exception
    {
        assertEquals("Cpus_allowed_list:\t1",
            allowedCpusOf("natgate-worker", new CpuPinning(Map.of(ThreadKind.WORKER, List.of(1)))));
    }

    @Test
    void shouldPinEachOfSeveralWorkersToItsOwnCpuTheKthOfTheWorkerList() throws Exception
    {
        final CpuPinning pinning = new CpuPinning(Map.of(ThreadKind.WORKER, List.of(1, 0)));

        assertEquals("Cpus_allowed_list:\t1", allowedCpusOf("natgate-worker-0", pinning));
        assertEquals("Cpus_allowed_list:\t0", allowedCpusOf("natgate-worker-1", pinning));
    }

    private static String allowedCpusOf(final String role, final CpuPinning pinning) throws Exception
    {
        final AtomicReference<String> allowed = new AtomicReference<>();
        final Agent worker = new Agent()
        {
            public int doWork() throws Exception
            {
                if (allowed.get() == null)
                {
                    allowed.set(Files.readString(Path.of("/proc/thread-self/status")).lines()
                        .filter(line -> line.startsWith("Cpus_allowed_list:")).findFirst().orElse("none"));
                }
                return 0;
            }

            public String roleName()
            {
                return role;
            }
        };
        final PinningThreadFactory threads = new PinningThreadFactory(pinning);
        try (AgentRunner runner = new AgentRunner(new NoOpIdleStrategy(), Throwable::printStackTrace, null, worker))
        {
            AgentRunner.startOnThread(runner, threads);
            while (allowed.get() == null)
            {
                Thread.onSpinWait();
            }
        }
        return allowed.get();
    }

    private static Agent agent(final String role)
    {
        return new Agent()
        {
            public int doWork()
            {
                return 0;
            }

            public String roleName()
            {
                return role;
            }
        };
    }
}
