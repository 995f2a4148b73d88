package io.natgate.datapath.forward;

import io.natgate.bindings.testing.Allocations;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.FlowSteering;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.nat.WorkerSteering;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSteering;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.RoutedCommands;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import io.natgate.datapath.testing.TransmittedFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link Pipeline} with 2 workers over in-memory ports, the real {@link Forwarder} and {@link NatEngine} on
 * each, as the gateway builds them: every frame of a flow, both ways, is translated by the worker that owns
 * its inside host; a hairpin between clients of different workers crosses on the handoff ring; per-client
 * quotas hold whichever worker the client is on; the control plane's commands reach the worker that owns them
 * ({@link RoutedCommands}), a static mapping held on every worker.
 */
class TwoWorkerPipelineTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final int WORKERS = 2;
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long ROUTER = 0x0200_0000_000BL;
    private static final long CLIENT_MAC_BASE = 0x0200_0000_0100L;
    private static final String PUBLIC = "203.0.113.1";
    private static final String REMOTE = "198.51.100.7";
    /** Worker 1's ports at or above 1024 with 2 workers: 33280-65535. */
    private static final int WORKER_1_FIRST_PORT = 33280;
    private static final long COMMAND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final InMemoryPort lan = InMemoryPort.ethernet("lan", GW_IN);
    private final InMemoryPort wan = InMemoryPort.ethernet("wan", GW_OUT);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final long[] nowNs = {1_000_000_000L};
    private final String[] clients = new String[WORKERS];
    private final NatEngine[] engines = new NatEngine[WORKERS];
    private Pipeline pipeline;
    private NatWorkers workers;

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
    void shouldTranslateEveryFrameOfAFlowBothWaysOnTheWorkerThatOwnsItsInsideHost()
    {
        start(ThreadingMode.INVOKER, new NatConfig());
        for (int worker = 0; worker < WORKERS; worker++)
        {
            lan.offer(fromClient(worker, 5000, REMOTE, 53));
        }
        cycles();
        final List<byte[]> out = TransmittedFrames.ipv4(wan);
        assertEquals(WORKERS, out.size());
        for (final byte[] frame : out)
        {
            final byte[] packet = Frames.payload(frame);
            assertEquals(ip(PUBLIC), Packets.source(packet));
            wan.offer(Frames.ipv4(GW_OUT, ROUTER,
                Packets.udp(REMOTE, 53, PUBLIC, Packets.sourcePort(packet), new byte[] {1})));
        }
        cycles();
        final List<byte[]> in = TransmittedFrames.ipv4(lan);
        assertEquals(WORKERS, in.size());

        for (int worker = 0; worker < WORKERS; worker++)
        {
            assertEquals(1, engines[worker].sessionCount(), "worker " + worker + "'s sessions");
            assertEquals(1, pipeline.counters(worker).get(INSIDE, PortCounter.TRANSLATED_OUT), "worker " + worker);
            assertEquals(1, pipeline.counters(worker).get(OUTSIDE, PortCounter.TRANSLATED_IN), "worker " + worker);
        }
        for (final byte[] frame : in)
        {
            final byte[] packet = Frames.payload(frame);
            final int worker = Packets.destination(packet) == ip(clients[0]) ? 0 : 1;
            assertEquals(ip(clients[worker]), Packets.destination(packet));
            assertEquals(5000, Packets.destinationPort(packet));
            assertEquals(clientMac(worker), Frames.destinationMac(frame));
            assertTrue(Packets.checksumsValid(packet));
        }
    }

    @Test
    void shouldHandAHairpinToTheWorkerThatOwnsItsDestination()
    {
        start(ThreadingMode.INVOKER, new NatConfig().filtering(FilteringMode.ENDPOINT_INDEPENDENT));
        lan.offer(fromClient(1, 7000, REMOTE, 53)); // worker 1's client opens a mapping in worker 1's range
        cycles();
        final int publicPort = Packets.sourcePort(Frames.payload(TransmittedFrames.ipv4(wan).get(0)));

        lan.offer(fromClient(0, 5000, PUBLIC, publicPort));
        cycles();

        final List<byte[]> hairpinned = TransmittedFrames.ipv4(lan);
        assertEquals(1, hairpinned.size());
        assertEquals(clientMac(1), Frames.destinationMac(hairpinned.get(0)));
        final byte[] packet = Frames.payload(hairpinned.get(0));
        assertEquals(ip(PUBLIC), Packets.source(packet), "source is worker 0's client's public endpoint");
        assertEquals(5000, Packets.sourcePort(packet));
        assertEquals(ip(clients[1]), Packets.destination(packet));
        assertEquals(7000, Packets.destinationPort(packet));
        assertTrue(Packets.checksumsValid(packet));
        assertEquals(1, pipeline.counters(0).get(GlobalCounter.WORKER_HANDOFFS));
        assertEquals(1, pipeline.counters(1).get(INSIDE, PortCounter.HAIRPINNED));
        assertEquals(0, pipeline.counters(0).get(INSIDE, PortCounter.HAIRPINNED));
    }

    @Test
    void shouldHoldTheSessionQuotaOfEachClientOnWhicheverWorkerItIs()
    {
        start(ThreadingMode.INVOKER, new NatConfig().sessionsPerClient(2));
        for (int worker = 0; worker < WORKERS; worker++)
        {
            for (int flow = 0; flow < 3; flow++)
            {
                lan.offer(fromClient(worker, 5000 + flow, REMOTE, 53));
            }
        }
        cycles();

        assertEquals(2 * WORKERS, TransmittedFrames.ipv4(wan).size());
        for (int worker = 0; worker < WORKERS; worker++)
        {
            assertEquals(2, engines[worker].sessionCount(), "worker " + worker + "'s sessions");
            assertEquals(1, pipeline.counters(worker).get(INSIDE, DropReason.CLIENT_SESSION_QUOTA),
                "worker " + worker);
        }
    }

    @Test
    void shouldDeliverAnInboundDatagramWhoseLaterFragmentCameFirstThroughItsOwnersWorker()
    {
        start(ThreadingMode.INVOKER, new NatConfig());
        lan.offer(fromClient(1, 5000, REMOTE, 53));
        cycles();
        final int publicPort = Packets.sourcePort(Frames.payload(TransmittedFrames.ipv4(wan).get(0)));
        final byte[][] fragments = Packets.fragment(Packets.udp(REMOTE, 53, PUBLIC, publicPort, new byte[64]), 40);
        assertEquals(2, fragments.length);

        wan.offer(Frames.ipv4(GW_OUT, ROUTER, fragments[1])); // the later fragment first: the rx side holds it
        cycles();
        assertEquals(List.of(), TransmittedFrames.ipv4(lan));
        wan.offer(Frames.ipv4(GW_OUT, ROUTER, fragments[0]));
        cycles();

        final List<byte[]> delivered = TransmittedFrames.ipv4(lan);
        assertEquals(2, delivered.size());
        for (final byte[] frame : delivered)
        {
            assertEquals(clientMac(1), Frames.destinationMac(frame));
            assertEquals(ip(clients[1]), Packets.destination(Frames.payload(frame)));
        }
        assertEquals(2, pipeline.counters(1).get(OUTSIDE, PortCounter.TRANSLATED_IN));
        assertEquals(0, pipeline.counters(0).get(OUTSIDE, PortCounter.TRANSLATED_IN));
    }

    @Test
    void shouldNotAllocateInSteadyStateDutyCyclesOfTwoWorkersTheirSteeringAndHandoff()
    {
        start(ThreadingMode.INVOKER, new NatConfig().filtering(FilteringMode.ENDPOINT_INDEPENDENT));
        final int flows = 6;
        final List<UnsafeBuffer> outbound = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            for (int flow = 0; flow < flows; flow++)
            {
                outbound.add(new UnsafeBuffer(fromClient(worker, 5000 + flow, REMOTE, 53)));
            }
        }
        outbound.forEach(frame -> lan.offer(frame, 0, frame.capacity()));
        cycles();
        final List<UnsafeBuffer> frames = new ArrayList<>(outbound);
        final List<InMemoryPort> ingress = new ArrayList<>();
        outbound.forEach(frame -> ingress.add(lan));
        int hairpinTarget = 0;
        for (final byte[] frame : TransmittedFrames.ipv4(wan))
        {
            final int publicPort = Packets.sourcePort(Frames.payload(frame));
            frames.add(new UnsafeBuffer(Frames.ipv4(GW_OUT, ROUTER,
                Packets.udp(REMOTE, 53, PUBLIC, publicPort, new byte[] {1}))));
            ingress.add(wan);
            hairpinTarget = publicPort >= WORKER_1_FIRST_PORT ? publicPort : hairpinTarget; // a worker 1 client's
        }
        frames.add(new UnsafeBuffer(fromClient(0, 5100, PUBLIC, hairpinTarget))); // across workers, every round
        ingress.add(lan);
        final long[] delivered = new long[1];
        final FrameHandler count = (buffer, offset, length) ->
        {
            delivered[0]++;
            return true;
        };
        final Runnable round = () ->
        {
            for (int i = 0; i < frames.size(); i++)
            {
                ingress.get(i).offer(frames.get(i), 0, frames.get(i).capacity());
            }
            nowNs[0] += 1_000_000L;
            pipeline.invoker().invoke();
            lan.pollTransmitted(count, Integer.MAX_VALUE);
            wan.pollTransmitted(count, Integer.MAX_VALUE);
        };
        round.run();
        final long handoffsBefore = pipeline.counters(0).get(GlobalCounter.WORKER_HANDOFFS);
        final long deliveredBefore = delivered[0];
        final long[] rounds = new long[1];

        final long bytes = Allocations.bytesAllocatedAfterWarmUp(20_000, 20_000, () ->
        {
            round.run();
            rounds[0]++;
        });

        assertEquals(0, bytes, "bytes allocated by 20000 duty cycles of " + frames.size() + " frames");
        assertEquals(frames.size() * rounds[0], delivered[0] - deliveredBefore, "every frame delivered");
        assertEquals(rounds[0], pipeline.counters(0).get(GlobalCounter.WORKER_HANDOFFS) - handoffsBefore,
            "the hairpin handed over in every round");
    }

    @Test
    void shouldTranslateBothWaysWithEachWorkerOnItsOwnThread() throws InterruptedException
    {
        start(ThreadingMode.DEDICATED, new NatConfig());
        final List<byte[]> out = new ArrayList<>();
        for (int worker = 0; worker < WORKERS; worker++)
        {
            lan.offer(fromClient(worker, 6000, REMOTE, 53));
        }
        TransmittedFrames.awaitIpv4(wan, WORKERS, out);
        final List<byte[]> in = new ArrayList<>();
        for (final byte[] frame : out)
        {
            wan.offer(Frames.ipv4(GW_OUT, ROUTER,
                Packets.udp(REMOTE, 53, PUBLIC, Packets.sourcePort(Frames.payload(frame)), new byte[] {1})));
        }
        TransmittedFrames.awaitIpv4(lan, WORKERS, in);
        for (int worker = 0; worker < WORKERS; worker++)
        {
            assertEquals(1, pipeline.counters(worker).get(OUTSIDE, PortCounter.TRANSLATED_IN), "worker " + worker);
        }
    }

    @Test
    void shouldMakeAStaticMappingOnItsInsideHostsWorkerAndDeliverToItAPortOfAnotherWorkersRange()
        throws InterruptedException
    {
        start(ThreadingMode.DEDICATED, new NatConfig());
        final RoutedCommands commands = new RoutedCommands(pipeline, workers, COMMAND_TIMEOUT_NS);
        final int publicPort = 2000; // worker 0's range (1024-33279); the client lives on worker 1

        final long id = commands.nextCorrelationId();
        commands.addStaticMapping(id, Ipv4Protocols.UDP, ip(clients[1]), 8000, ip(PUBLIC), publicPort);

        assertEquals(CommandStatus.OK.id(), awaitCompletion(id));
        assertEquals(1, onWorker(1, () -> engines[1].mappingCount()));
        assertEquals(0, onWorker(0, () -> engines[0].mappingCount()));
        assertFalse(onWorker(0, () -> engines[0].isPortFree(Ipv4Protocols.UDP, ip(PUBLIC), publicPort)),
            "worker 0 keeps the port out of its own allocation");
        wan.offer(Frames.ipv4(GW_OUT, ROUTER, Packets.udp(REMOTE, 53, PUBLIC, publicPort, new byte[] {9})));
        final List<byte[]> in = new ArrayList<>();
        TransmittedFrames.awaitIpv4(lan, 1, in);
        final byte[] packet = Frames.payload(in.get(0));
        assertEquals(ip(clients[1]), Packets.destination(packet));
        assertEquals(8000, Packets.destinationPort(packet));
        assertEquals(1, pipeline.counters(1).get(OUTSIDE, PortCounter.TRANSLATED_IN));
        assertEquals(0, pipeline.counters(0).get(OUTSIDE, PortCounter.TRANSLATED_IN));
    }

    @Test
    void shouldRefuseAStaticMappingOnAPortAnotherWorkerHasInUse() throws InterruptedException
    {
        start(ThreadingMode.DEDICATED, new NatConfig());
        final RoutedCommands commands = new RoutedCommands(pipeline, workers, COMMAND_TIMEOUT_NS);
        lan.offer(fromClient(0, 5000, REMOTE, 53));
        final List<byte[]> out = new ArrayList<>();
        TransmittedFrames.awaitIpv4(wan, 1, out);
        final int inUse = Packets.sourcePort(Frames.payload(out.get(0))); // worker 0's client's mapping

        final long id = commands.nextCorrelationId();
        commands.addStaticMapping(id, Ipv4Protocols.UDP, ip(clients[1]), 8000, ip(PUBLIC), inUse);

        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE.id(), awaitCompletion(id));
        assertEquals(0, onWorker(1, () -> engines[1].mappingCount()), "nothing made on the client's worker");
        assertTrue(onWorker(1, () -> engines[1].isPortFree(Ipv4Protocols.UDP, ip(PUBLIC), inUse)),
            "no reservation left behind");
        assertEquals(1, pipeline.counters(1).get(GlobalCounter.COMMANDS_REJECTED));
        assertEquals(-1, workers.steering().staticWorker(Ipv4Protocols.UDP, ip(PUBLIC), inUse));
    }

    @Test
    void shouldFreeARemovedStaticMappingsPortOnEveryWorker() throws InterruptedException
    {
        start(ThreadingMode.DEDICATED, new NatConfig());
        final RoutedCommands commands = new RoutedCommands(pipeline, workers, COMMAND_TIMEOUT_NS);
        final long add = commands.nextCorrelationId();
        commands.addStaticMapping(add, Ipv4Protocols.TCP, ip(clients[0]), 80, ip(PUBLIC), 40_000);
        assertEquals(CommandStatus.OK.id(), awaitCompletion(add));
        assertEquals(0, workers.steering().staticWorker(Ipv4Protocols.TCP, ip(PUBLIC), 40_000));

        final long remove = commands.nextCorrelationId();
        commands.removeStaticMapping(remove, Ipv4Protocols.TCP, ip(PUBLIC), 40_000);

        assertEquals(CommandStatus.OK.id(), awaitCompletion(remove));
        for (int worker = 0; worker < WORKERS; worker++)
        {
            final NatEngine engine = engines[worker];
            assertTrue(onWorker(worker, () -> engine.isPortFree(Ipv4Protocols.TCP, ip(PUBLIC), 40_000)),
                "free on worker " + worker);
        }
        assertEquals(-1, workers.steering().staticWorker(Ipv4Protocols.TCP, ip(PUBLIC), 40_000));
    }

    @Test
    void shouldSendAnInsideHostsCommandToItsWorkersRing() throws InterruptedException
    {
        start(ThreadingMode.DEDICATED, new NatConfig());
        final RoutedCommands commands = new RoutedCommands(pipeline, workers, COMMAND_TIMEOUT_NS);
        for (int worker = 0; worker < WORKERS; worker++)
        {
            final long id = commands.nextCorrelationId();
            commands.openInboundMapping(id, Ipv4Protocols.UDP, ip(clients[worker]), 9000, 0, 0,
                TimeUnit.SECONDS.toNanos(60));
            assertTrue(commands.lastOfferSucceeded());
            assertEquals(CommandStatus.OK.id(), awaitCompletion(id));
        }
        for (int worker = 0; worker < WORKERS; worker++)
        {
            final NatEngine engine = engines[worker];
            assertEquals(1, onWorker(worker, () -> engine.mappingCount()), "worker " + worker + "'s mappings");
        }
    }

    private <T> T onWorker(final int worker, final java.util.function.Supplier<T> task)
    {
        return pipeline.callOnWorker(worker, task, COMMAND_TIMEOUT_NS);
    }

    /**
     * @return the status of the command completed with {@code correlationId}, from the workers' event rings.
     */
    private int awaitCompletion(final long correlationId) throws InterruptedException
    {
        final int[] status = {-1};
        final NatEventListener completions = new NatEventListener()
        {
            public void onCommandCompleted(
                final long timeNs, final long id, final int outcome, final int publicAddress, final int publicPort)
            {
                status[0] = id == correlationId ? outcome : status[0];
            }
        };
        final long deadlineNs = System.nanoTime() + COMMAND_TIMEOUT_NS;
        while (status[0] < 0 && System.nanoTime() - deadlineNs < 0)
        {
            pipeline.drainEvents(completions, 64);
            Thread.sleep(1);
        }
        return status[0];
    }

    private void start(final ThreadingMode mode, final NatConfig nat)
    {
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
        final PipelineConfig config = new PipelineConfig().workers(WORKERS).threadingMode(mode)
            .errorHandler(errors::add).idleStrategy("sleeping:100us");
        if (mode == ThreadingMode.INVOKER)
        {
            config.nanoClock(() -> nowNs[0]);
        }
        pipeline = new Pipeline(config, List.of(lan, wan), new DatapathCounters(2));
        final NatEventListener[] events = new NatEventListener[WORKERS];
        final DatapathCounters[] counters = new DatapathCounters[WORKERS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            events[worker] = pipeline.workerEvents(worker);
            counters[worker] = pipeline.counters(worker);
        }
        workers = new NatWorkers(nat, events, counters, pipeline.steeringCounters());
        final WorkerSteering steering = workers.steering();
        final ForwarderConfig forwarding = new ForwarderConfig().ports(List.of(
            new PortSettings(INSIDE, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
            new PortSettings(OUTSIDE, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip(PUBLIC), 24,
                ip("203.0.113.254"))))
            .staticNeighbours(List.of(
                new StaticNeighbour(INSIDE, ip(clients[0]), clientMac(0)),
                new StaticNeighbour(INSIDE, ip(clients[1]), clientMac(1)),
                new StaticNeighbour(OUTSIDE, ip("203.0.113.254"), ROUTER)));
        final FrameProcessor[] processors = new FrameProcessor[WORKERS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            engines[worker] = workers.engine(worker);
            processors[worker] = new Forwarder(forwarding, engines[worker], pipeline.counters(worker));
        }
        pipeline.start(processors, engines, (portIndex, steeringCounters) -> new FrameSteering(
            new FlowSteering(steering, nat, steeringCounters), new boolean[] {true, false}));
    }

    private byte[] fromClient(final int worker, final int sourcePort, final String destination, final int port)
    {
        return Frames.ipv4(GW_IN, clientMac(worker),
            Packets.udp(clients[worker], sourcePort, destination, port, new byte[] {(byte)worker}));
    }

    private static long clientMac(final int worker)
    {
        return CLIENT_MAC_BASE + worker;
    }

    private void cycles()
    {
        for (int cycle = 0; cycle < 4; cycle++)
        {
            nowNs[0] += 1_000_000L;
            pipeline.invoker().invoke();
        }
    }
}
