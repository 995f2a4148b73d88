package io.natgate.datapath.forward;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.nat.FlowSteering;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.nat.WorkerPorts;
import io.natgate.datapath.nat.WorkerSteering;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSteering;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import io.natgate.datapath.testing.TransmittedFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two workers running to completion, each on ports of its own (in-memory stand-ins for its sockets in the
 * kernel's fanout group on each device), the real {@link Forwarder} and {@link NatEngine} on each: a frame
 * that reaches the worker owning its flow is translated there and leaves on that worker's own port; one the
 * kernel put on the other worker's socket is handed over (counted) and translated by its owner all the same,
 * both ways; an ARP reply reaches both workers.
 */
class RunToCompletionWorkersTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final int LOCAL = 2;
    private static final String GW_INSIDE = "10.0.0.1";
    private static final int PCP_PORT = 5351;
    private static final int WORKERS = 2;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long ROUTER = 0x0200_0000_000BL;
    private static final long CLIENT_MAC_BASE = 0x0200_0000_0100L;
    private static final String PUBLIC = "203.0.113.1";
    private static final String REMOTE = "198.51.100.7";

    /** Per worker, its own lan and wan port; worker 0 alone the local port. */
    private final InMemoryPort[][] ports = new InMemoryPort[WORKERS][];
    private final InMemoryPort local = new InMemoryPort("local", LinkLayer.RAW_IP, 0, 1500, 64);
    private final Forwarder[] forwarders = new Forwarder[WORKERS];
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final String[] clients = new String[WORKERS];
    private Pipeline pipeline;

    @AfterEach
    void close()
    {
        if (pipeline != null)
        {
            pipeline.close();
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldTranslateAFlowOnItsOwnWorkersPortsWhenTheKernelSteeredItThere() throws InterruptedException
    {
        start();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            lan(worker).offer(fromClient(worker, 5000));
        }

        for (int worker = 0; worker < WORKERS; worker++)
        {
            final byte[] packet = Frames.payload(awaitOne(wan(worker)));
            assertEquals(ip(PUBLIC), Packets.source(packet));
            assertEquals(worker, new WorkerPorts(WORKERS).owner(Packets.sourcePort(packet)),
                "worker " + worker + "'s client's public port in its own range");
            wan(worker).offer(reply(Packets.sourcePort(packet)));
        }
        for (int worker = 0; worker < WORKERS; worker++)
        {
            final byte[] packet = Frames.payload(awaitOne(lan(worker)));
            assertEquals(ip(clients[worker]), Packets.destination(packet));
            assertEquals(5000, Packets.destinationPort(packet));
            assertTrue(Packets.checksumsValid(packet));
            assertEquals(0, pipeline.counters(worker).get(GlobalCounter.WORKER_HANDOFFS), "worker " + worker);
        }
    }

    @Test
    void shouldHandAFrameTheKernelPutOnTheOtherWorkersSocketToItsOwnerBothWays() throws InterruptedException
    {
        start();
        lan(0).offer(fromClient(1, 6000)); // worker 1's client, received by worker 0's socket

        final byte[] out = Frames.payload(awaitOne(wan(1)));
        assertEquals(ip(PUBLIC), Packets.source(out));
        assertEquals(1, new WorkerPorts(WORKERS).owner(Packets.sourcePort(out)), "translated by worker 1");
        wan(0).offer(reply(Packets.sourcePort(out))); // the reply, received by worker 0's socket too

        final byte[] in = Frames.payload(awaitOne(lan(1)));
        assertEquals(ip(clients[1]), Packets.destination(in));
        assertEquals(6000, Packets.destinationPort(in));
        assertTrue(Packets.checksumsValid(in));
        assertEquals(2, pipeline.counters(0).get(GlobalCounter.WORKER_HANDOFFS), "both frames handed over");
        assertEquals(1, pipeline.counters(1).get(INSIDE, PortCounter.TRANSLATED_OUT));
        assertEquals(1, pipeline.counters(1).get(OUTSIDE, PortCounter.TRANSLATED_IN));
        assertEquals(0, pipeline.counters(0).get(INSIDE, PortCounter.TRANSLATED_OUT));
        assertEquals(List.of(), TransmittedFrames.ipv4(wan(0)), "nothing left worker 0's wan");
        assertEquals(List.of(), TransmittedFrames.ipv4(lan(0)), "nothing left worker 0's lan");
    }

    @Test
    void shouldSendWhatAnotherWorkerDeliversToThePortOnlyWorkerZeroDrivesThroughWorkerZero()
        throws InterruptedException
    {
        start();
        pipeline.callOnEveryWorker(worker -> forwarders[worker].addLocalEndpoint(ip(GW_INSIDE), PCP_PORT),
            TimeUnit.SECONDS.toNanos(5));
        lan(1).offer(Frames.ipv4(GW_IN, clientMac(1),
            Packets.udp(clients[1], 7000, GW_INSIDE, PCP_PORT, new byte[] {2, 1})));

        final List<byte[]> punted = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (punted.isEmpty() && System.nanoTime() - deadlineNs < 0)
        {
            local.pollTransmitted((buffer, offset, length) ->
            {
                final byte[] packet = new byte[length];
                buffer.getBytes(offset, packet);
                punted.add(packet);
                return true;
            }, Integer.MAX_VALUE);
            Thread.sleep(1);
        }
        assertEquals(1, punted.size(), "the request on the local port");
        assertEquals(ip(clients[1]), Packets.source(punted.getFirst()));
        assertEquals(PCP_PORT, Packets.destinationPort(punted.getFirst()));
        assertEquals(1, pipeline.counters(1).get(INSIDE, PortCounter.RX_FRAMES), "received by worker 1's own lan");
        assertEquals(1, pipeline.counters(0).get(LOCAL, PortCounter.TX_FRAMES), "sent by worker 0");
    }

    /**
     * Frames handed from worker 0 to worker 1 both ways, as in the test above, thousands of times: once warm,
     * the workers' threads allocate nothing (the JVM's per-thread allocation counters, {@link Allocations}: the
     * JIT settled first, up to 3 attempts, so a late deoptimisation that re-materialises a scalar-replaced
     * object once does not count, while an allocation on the path shows in every attempt).
     */
    @Test
    void shouldAllocateNothingOnTheWorkersThreadsHandingFramesOverOnceWarm() throws InterruptedException
    {
        start();
        final byte[] out = Frames.payload(exchange(1, 0));
        final byte[] reply = reply(Packets.sourcePort(out));
        final byte[] request = fromClient(1, 6000);
        final long[] workerThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("natgate-worker-")).mapToLong(Thread::threadId).toArray();
        assertEquals(WORKERS, workerThreads.length, "the workers' threads");

        // the workers' idle and timer paths settle over their first seconds too: traffic for 3 s before the rounds
        final long warmUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - warmUntilNs < 0)
        {
            handOver(request, reply, 500);
        }
        final long allocated = Allocations.bytesAllocatedAfterWarmUp(20, 20, () -> handOver(request, reply, 500),
            workerThreads);

        assertEquals(0, allocated, "bytes the workers allocated handing 20 x 500 frames over each way");
        assertTrue(pipeline.counters(0).get(GlobalCounter.WORKER_HANDOFFS) >= 2 * 40 * 500);
    }

    @Test
    void shouldRefuseSeveralRunToCompletionWorkersWithoutPortsOfTheirOwn()
    {
        final PipelineConfig config = new PipelineConfig().workers(WORKERS)
            .threadingMode(ThreadingMode.RUN_TO_COMPLETION);
        final List<Port> shared = List.of(InMemoryPort.ethernet("lan", GW_IN), InMemoryPort.ethernet("wan", GW_OUT));
        final DatapathCounters[] counters = {new DatapathCounters(2), new DatapathCounters(2)};

        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new Pipeline(config, shared, counters, new DatapathCounters(2)));
        assertTrue(refused.getMessage().contains("ports of their own"), refused.getMessage());
    }

    private void start()
    {
        final NatConfig nat = new NatConfig();
        nat.publicAddresses(ip(PUBLIC));
        int found = 0;
        for (int host = 2; found < WORKERS; host++)
        {
            final String address = "10.0.0." + host;
            final int worker = WorkerSteering.insideWorker(ip(address), WORKERS);
            if (clients[worker] == null)
            {
                clients[worker] = address;
                found++;
            }
        }
        final List<List<Port>> workerPorts = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            ports[worker] = new InMemoryPort[] {
                InMemoryPort.ethernet("lan", GW_IN), InMemoryPort.ethernet("wan", GW_OUT), worker == 0 ? local : null};
            workerPorts.add(Arrays.asList(ports[worker]));
        }
        final PipelineConfig config = new PipelineConfig().workers(WORKERS)
            .threadingMode(ThreadingMode.RUN_TO_COMPLETION).errorHandler(errors::add).idleStrategy("sleeping:100us");
        final DatapathCounters[] counters = {new DatapathCounters(3), new DatapathCounters(3)};
        pipeline = new Pipeline(config, workerPorts.get(0), counters, new DatapathCounters(3), workerPorts);
        final NatEventListener[] events = new NatEventListener[WORKERS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            events[worker] = pipeline.workerEvents(worker);
        }
        final NatWorkers workers = new NatWorkers(nat, events, counters, null);
        final ForwarderConfig forwarding = new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip(PUBLIC), 24,
                ip("203.0.113.254")),
            new PortSettings(LOCAL, "local", PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, 1500, ip("169.254.0.1"), 32, 0)))
            .localPort(LOCAL)
            .staticNeighbours(List.of(
                new StaticNeighbour(INSIDE, ip(clients[0]), clientMac(0)),
                new StaticNeighbour(INSIDE, ip(clients[1]), clientMac(1)),
                new StaticNeighbour(OUTSIDE, ip("203.0.113.254"), ROUTER)));
        final FrameProcessor[] processors = new FrameProcessor[WORKERS];
        final NatEngine[] engines = new NatEngine[WORKERS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            engines[worker] = workers.engine(worker);
            forwarders[worker] = new Forwarder(forwarding, engines[worker], counters[worker]);
            processors[worker] = forwarders[worker];
        }
        final WorkerSteering steering = workers.steering();
        pipeline.start(processors, engines, (portIndex, steeringCounters) -> new FrameSteering(
            new FlowSteering(steering, nat, steeringCounters), new boolean[] {true, false, false}));
    }

    /**
     * Offers a client's frame to worker {@code receiving}'s lan and takes what its owner sent out of the wan.
     */
    private byte[] exchange(final int client, final int receiving) throws InterruptedException
    {
        lan(receiving).offer(fromClient(client, 6000));
        return awaitOne(wan(client));
    }

    /**
     * {@code count} requests from worker 1's client and as many replies, all received by worker 0's ports and
     * handed over to worker 1, in batches the ports' queues hold; waits until worker 1 sent every one out.
     */
    private void handOver(final byte[] request, final byte[] reply, final int count)
    {
        final int batch = 32;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int sent = 0;
        final int[] received = {0, 0};
        while (received[0] < count || received[1] < count)
        {
            if (sent == received[0] && sent == received[1] && sent < count)
            {
                for (int i = 0; i < batch && sent < count; i++, sent++)
                {
                    lan(0).offer(request);
                    wan(0).offer(reply);
                }
            }
            received[0] += wan(1).pollTransmitted((buffer, offset, length) -> true, Integer.MAX_VALUE);
            received[1] += lan(1).pollTransmitted((buffer, offset, length) -> true, Integer.MAX_VALUE);
            assertTrue(System.nanoTime() - deadlineNs < 0, "handed over " + received[0] + " and " + received[1]);
            Thread.onSpinWait();
        }
    }

    private InMemoryPort lan(final int worker)
    {
        return ports[worker][INSIDE];
    }

    private InMemoryPort wan(final int worker)
    {
        return ports[worker][OUTSIDE];
    }

    private byte[] fromClient(final int worker, final int sourcePort)
    {
        return Frames.ipv4(GW_IN, clientMac(worker),
            Packets.udp(clients[worker], sourcePort, REMOTE, 53, new byte[] {(byte)worker}));
    }

    private static byte[] reply(final int publicPort)
    {
        return Frames.ipv4(GW_OUT, ROUTER, Packets.udp(REMOTE, 53, PUBLIC, publicPort, new byte[] {1}));
    }

    private static long clientMac(final int worker)
    {
        return CLIENT_MAC_BASE + worker;
    }

    private static byte[] awaitOne(final InMemoryPort port) throws InterruptedException
    {
        final List<byte[]> frames = new ArrayList<>();
        TransmittedFrames.awaitIpv4(port, 1, frames);
        Thread.sleep(20); // anything more would show up now
        frames.addAll(TransmittedFrames.ipv4(port));
        assertEquals(1, frames.size(), "frames transmitted on " + port.name());
        return frames.getFirst();
    }
}
