package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bounded stress of the provider lifecycle: per round, one provider per interface slot registers,
 * threads push traffic both ways and add routes, the provider completes calls synchronously or later
 * from other threads (now and then twice, now and then throwing), a forced termination arrives at
 * a random moment mid-call, and the provider deregisters racing it or after being told. Every
 * registration must see exactly one terminate, no call begun after it, every completion and every
 * route request completed by the time deregister returns, no call after that, and no hang.
 */
class ConnectivityPlatformStressTest
{
    private static final int ROUNDS = 1_000;
    private static final int SLOTS = 4;
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final TerminationReason[] FORCED = {TerminationReason.PROVIDER_TIMEOUT,
        TerminationReason.OTHER_COMMUNICATION_ERROR, TerminationReason.PLATFORM_SHUTDOWN,
        TerminationReason.PROVIDER_OTHER_FAILURE};
    private static final Ipv4Prefix[] PREFIXES = {Ipv4Prefix.parseNetwork("192.0.2.0/24"),
        Ipv4Prefix.parseNetwork("198.18.0.0/15"), Ipv4Prefix.parseNetwork("100.64.0.0/10")};
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");

    private final CpHarness cp = new CpHarness(SLOTS, config -> config.maxPendingSends(4).sendBatchFrames(4)
        .maxRoutesPerInstance(PREFIXES.length));
    private final ConnectivityPlatform platform = cp.platform;
    private final ExecutorService completers = Executors.newFixedThreadPool(4);
    private final Figures figures = new Figures();
    private final Queue<Deregistered> deregistered = new ConcurrentLinkedQueue<>();

    private record Deregistered(StressProvider provider, int callbacksAtReturn)
    {
    }

    @AfterEach
    void close()
    {
        completers.shutdownNow();
        cp.close();
    }

    @Test
    void shouldNeverLoseCompletionTerminateTwiceOrHangUnderConcurrentCallsTerminationsAndDeregistration()
    {
        final long startNs = System.nanoTime();
        assertTimeoutPreemptively(BOUND, () ->
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final List<Thread> owners = new ArrayList<>();
                final List<Throwable> failures = new CopyOnWriteArrayList<>();
                for (int i = 0; i < SLOTS; i++)
                {
                    final long seed = (long)round * SLOTS + i;
                    owners.add(Thread.ofPlatform().name("owner-" + seed).start(() ->
                    {
                        try
                        {
                            lifecycle(new SplittableRandom(seed));
                        }
                        catch (final Throwable ex)
                        {
                            failures.add(new AssertionError("lifecycle with seed " + seed + ": " + ex, ex));
                        }
                    }));
                }
                owners.forEach(Await::joined);
                if (!failures.isEmpty())
                {
                    fail(failures.get(0));
                }
            }
        });
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

        for (final Deregistered done : deregistered)
        {
            assertEquals(done.callbacksAtReturn, done.provider.arrivals.size(), "a callback after deregister returned");
        }
        cp.errors.stream().filter(error -> !(error instanceof ConnectivityPlatform.ProviderFailureException))
            .findFirst().ifPresent(error -> fail("unexpected error reported: " + error, error));
        assertEquals(ROUNDS * SLOTS, figures.registrations.get());
        assertEquals(figures.registrations.get(), figures.terminations.get(), "one terminate per registration");
        assertEquals(figures.duplicatesInjected.get(), figures.duplicatesRefused.get(), "every second completion refused");
        System.out.printf("cp stress: %d rounds, %d registrations in %d ms; %d callbacks (%d completed later from " +
                "another thread, %d after terminate), %d second completions refused, %d callbacks threw; terminate won " +
                "by forced %d, by deregister %d, by provider failure %d; %d packets sent, %d indicated, %d routes%n",
            ROUNDS, figures.registrations.get(), elapsedMs, figures.callbacks.get(), figures.completedLater.get(),
            figures.afterTerminate.get(), figures.duplicatesRefused.get(), figures.thrown.get(), figures.forcedWins.get(),
            figures.providerRequests.get(), figures.failureWins.get(), figures.packetsSent.get(),
            figures.packetsIndicated.get(), figures.routes.get());
    }

    private void lifecycle(final SplittableRandom random) throws InterruptedException
    {
        final StressProvider provider = new StressProvider();
        final ProviderInstance instance = platform.createInstance(provider, random.nextInt());
        final Registration registration = platform.register(instance, RegisterOptions.defaults());
        assertEquals(RegisterStatus.REGISTERED, registration.status());
        figures.registrations.incrementAndGet();
        final int slot = ((Instance<?>)instance).session.slot;

        final AtomicBoolean stop = new AtomicBoolean();
        final List<CompletableFuture<RouteStatus>> routeRequests = new CopyOnWriteArrayList<>();
        final long trafficSeed = random.nextLong();
        final Thread traffic = Thread.ofPlatform().start(() -> traffic(instance, provider, slot, stop, routeRequests,
            new SplittableRandom(trafficSeed)));

        final boolean forced = random.nextInt(4) != 0;
        final TerminationReason forcedReason = FORCED[random.nextInt(FORCED.length)];
        final long forcedDelayNs = random.nextLong(300_000);
        final AtomicBoolean forcedWon = new AtomicBoolean();
        final Thread terminator = !forced ? null : Thread.ofPlatform().start(() ->
        {
            LockSupport.parkNanos(forcedDelayNs);
            forcedWon.set(platform.terminate(instance, forcedReason));
        });

        if (forced && random.nextBoolean())
        {
            // the message-loop pattern: told by terminate, deregister from this thread
            assertTrue(provider.terminated.await(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS), "terminate never came");
        }
        else
        {
            LockSupport.parkNanos(random.nextLong(300_000));
        }
        platform.deregister(instance);
        final int callbacksAtReturn = provider.arrivals.size();

        stop.set(true);
        Await.joined(traffic);
        if (terminator != null)
        {
            Await.joined(terminator);
        }
        cp.datapath.received(slot);
        platform.destroy(instance);

        assertEquals(1, provider.terminations.get(), "terminate exactly once");
        final TerminationReason reason = provider.reason;
        if (reason == TerminationReason.PROVIDER_REQUEST)
        {
            figures.providerRequests.incrementAndGet();
        }
        else if (forcedWon.get())
        {
            assertEquals(forcedReason, reason);
            figures.forcedWins.incrementAndGet();
        }
        else
        {
            assertEquals(TerminationReason.PROVIDER_OTHER_FAILURE, reason, "neither deregister nor the terminator");
            figures.failureWins.incrementAndGet();
        }
        figures.terminations.addAndGet(provider.terminations.get());
        for (final long sequence : provider.arrivals)
        {
            assertTrue(sequence < provider.terminationSequence, "a call begun after terminate");
        }
        assertTrue(provider.completions.stream().allMatch(Completion::isCompleted), "a completion was lost");
        assertTrue(routeRequests.stream().allMatch(CompletableFuture::isDone), "a route request never completed");
        deregistered.add(new Deregistered(provider, callbacksAtReturn));
        assertEquals(List.of("created", "registered", "terminated", "deregistered", "destroyed"),
            cp.events.steps(instance.id()).stream().map(step -> step.split(" ")[0]).filter(step -> !step.equals("active"))
                .toList());
        figures.callbacks.addAndGet(provider.arrivals.size() + 1);
        figures.routes.addAndGet(routeRequests.stream().filter(request -> Await.done(request) == RouteStatus.INSTALLED)
            .count());
    }

    private void traffic(
        final ProviderInstance instance, final StressProvider provider, final int slot, final AtomicBoolean stop,
        final List<CompletableFuture<RouteStatus>> routeRequests, final SplittableRandom random)
    {
        while (!stop.get())
        {
            final Ipv4Prefix prefix = PREFIXES[random.nextInt(PREFIXES.length)];
            switch (random.nextInt(4))
            {
                case 0 -> routeRequests.add(platform.addRoute(instance, prefix));
                case 1 ->
                {
                    if (cp.datapath.route(slot, PacketBuilder.udp(PUBLIC, 4000, prefix.network() + 1, 53, new byte[8])))
                    {
                        LockSupport.parkNanos(1_000);
                    }
                }
                default ->
                {
                    final TransportId local = provider.local;
                    final TransportId remote = provider.remote;
                    if (local != null && remote != null && platform.indicateReceivedBuffers(instance, local, remote,
                        ByteBuffer.wrap(PacketBuilder.udp(provider.remoteAddress + 1, 53, PUBLIC, 4000, new byte[8]))) ==
                        ReceiveStatus.ACCEPTED)
                    {
                        figures.packetsIndicated.incrementAndGet();
                    }
                    if (random.nextInt(16) == 0)
                    {
                        cp.datapath.received(slot);
                    }
                }
            }
            Thread.yield();
        }
    }

    private static final class Figures
    {
        final AtomicInteger registrations = new AtomicInteger();
        final AtomicInteger terminations = new AtomicInteger();
        final AtomicInteger forcedWins = new AtomicInteger();
        final AtomicInteger providerRequests = new AtomicInteger();
        final AtomicInteger failureWins = new AtomicInteger();
        final AtomicLong callbacks = new AtomicLong();
        final AtomicLong completedLater = new AtomicLong();
        final AtomicLong afterTerminate = new AtomicLong();
        final AtomicLong duplicatesInjected = new AtomicLong();
        final AtomicLong duplicatesRefused = new AtomicLong();
        final AtomicLong thrown = new AtomicLong();
        final AtomicLong packetsSent = new AtomicLong();
        final AtomicLong packetsIndicated = new AtomicLong();
        final AtomicLong routes = new AtomicLong();
    }

    /**
     * A provider that answers at random: now, or later from a completer thread; after terminate, at once.
     */
    private final class StressProvider implements ProviderDispatch<Integer>
    {
        final Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
        final List<Completion> completions = new CopyOnWriteArrayList<>();
        final Queue<Completion> pending = new ConcurrentLinkedQueue<>();
        final AtomicInteger terminations = new AtomicInteger();
        final CountDownLatch terminated = new CountDownLatch(1);
        volatile boolean isTerminated;
        volatile TerminationReason reason;
        volatile long terminationSequence = Long.MAX_VALUE;
        volatile TransportId local;
        volatile TransportId remote;
        volatile int remoteAddress;

        public void establishSession(final ProviderInstance instance, final Integer context)
        {
            arrive();
        }

        public CallStatus transitionActive(final ProviderInstance instance, final Integer context, final Completion completion)
        {
            return respond(completion, false);
        }

        public CallStatus addTransportId(
            final ProviderInstance instance, final Integer context, final TransportId transportId,
            final Completion completion)
        {
            local = transportId;
            return respond(completion, false);
        }

        public CallStatus reachTransportId(
            final ProviderInstance instance, final Integer context, final TransportId transportId,
            final Completion completion)
        {
            final int address = (transportId.byteAt(1) & 0xFF) << 24 | (transportId.byteAt(2) & 0xFF) << 16 |
                (transportId.byteAt(3) & 0xFF) << 8 | (transportId.byteAt(4) & 0xFF);
            remoteAddress = address;
            remote = transportId;
            return respond(completion, true);
        }

        public CallStatus sendBuffers(
            final ProviderInstance instance, final Integer context, final TransportId localTransportId,
            final TransportId remoteTransportId, final List<ByteBuffer> packets, final Completion completion)
        {
            figures.packetsSent.addAndGet(packets.size());
            return respond(completion, false);
        }

        public void terminateSession(final ProviderInstance instance, final Integer context, final TerminationReason reason)
        {
            terminationSequence = ConnectivityPlatform.currentCall().sequence;
            this.reason = reason;
            isTerminated = true;
            terminations.incrementAndGet();
            Completion completion;
            while ((completion = pending.poll()) != null)
            {
                completion.complete(CallStatus.FAILED);
            }
            terminated.countDown();
        }

        private void arrive()
        {
            arrivals.add(ConnectivityPlatform.currentCall().sequence);
            if (ThreadLocalRandom.current().nextInt(4) == 0)
            {
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50_000));
            }
        }

        private CallStatus respond(final Completion completion, final boolean mayFail)
        {
            arrive();
            completions.add(completion);
            if (isTerminated)
            {
                figures.afterTerminate.incrementAndGet();
                return CallStatus.FAILED;
            }
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            final int dice = random.nextInt(1000);
            if (dice < 2)
            {
                figures.thrown.incrementAndGet();
                throw new IllegalStateException("stress provider throws");
            }
            if (dice < 400)
            {
                return mayFail && dice < 80 ? CallStatus.FAILED : CallStatus.SUCCESS;
            }
            pending.add(completion);
            completers.execute(() ->
            {
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000));
                if (pending.remove(completion))
                {
                    completion.complete(CallStatus.SUCCESS);
                    figures.completedLater.incrementAndGet();
                    if (ThreadLocalRandom.current().nextInt(100) == 0)
                    {
                        figures.duplicatesInjected.incrementAndGet();
                        try
                        {
                            completion.complete(CallStatus.SUCCESS);
                        }
                        catch (final IllegalStateException expected)
                        {
                            figures.duplicatesRefused.incrementAndGet();
                        }
                    }
                }
            });
            return CallStatus.PENDING;
        }
    }
}
