package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.natgate.control.cp.CpHarness.BENCHMARK_NET;
import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The terminate-session indication and deregister, to the letter of the seed: exactly once, no new
 * calls after it while calls in flight still arrive, deregister waiting for outstanding and delayed
 * calls, deregister never from inside terminate, provider-initiated deregister still terminating.
 */
class ProviderTerminationTest
{
    private static final Duration NO_DEADLOCK = Duration.ofSeconds(20);

    private final GatedThreadFactory threads = new GatedThreadFactory();
    private final CpHarness cp = new CpHarness(2, config -> config.callbackThreadFactory(threads));
    private final ConnectivityPlatform platform = cp.platform;

    @AfterEach
    void close()
    {
        cp.close();
    }

    private static byte[] packetTo(final String destination)
    {
        return PacketBuilder.udp(Ipv4.parse("203.0.113.1"), 4000, Ipv4.parse(destination), 53, new byte[8]);
    }

    @Test
    void shouldDeliverTerminateExactlyOncePerSessionAndBeginNoCallAfterItUnderTraffic() throws InterruptedException
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        final AtomicBoolean trafficRunning = new AtomicBoolean(true);
        // the datapath keeps routing to the instance's slot throughout, so send-buffers calls are being
        // begun while each terminate races: none may be begun after it
        final Thread traffic = Thread.ofPlatform().name("datapath").start(() ->
        {
            while (trafficRunning.get())
            {
                cp.datapath.route(0, packetTo("192.0.2.5"));
                Thread.onSpinWait();
            }
        });
        final TerminationReason[] forced = {TerminationReason.PLATFORM_SHUTDOWN, TerminationReason.PROVIDER_TIMEOUT,
            TerminationReason.PROVIDER_OTHER_FAILURE, TerminationReason.OTHER_COMMUNICATION_ERROR};
        final int rounds = 50;
        int forcedWins = 0;
        for (int round = 0; round < rounds; round++)
        {
            platform.register(instance, RegisterOptions.defaults());
            cp.awaitState(instance, InstanceState.ACTIVE);
            assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));
            final long sendsBefore = provider.count(CallKind.SEND_BUFFERS);
            Await.until("traffic reaches the provider", () -> provider.count(CallKind.SEND_BUFFERS) > sendsBefore);
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicInteger wins = new AtomicInteger();
            final List<Thread> racers = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                final TerminationReason reason = forced[i % forced.length];
                racers.add(Thread.ofPlatform().start(() ->
                {
                    awaitQuietly(start);
                    if (platform.terminate(instance, reason))
                    {
                        wins.incrementAndGet();
                    }
                }));
            }
            final Thread deregistering = Thread.ofPlatform().start(() ->
            {
                awaitQuietly(start);
                platform.deregister(instance);
            });
            start.countDown();
            racers.forEach(Await::joined);
            Await.joined(deregistering);

            assertEquals(round + 1, provider.terminations.size(), "one terminate per registration");
            final boolean providerWon = provider.terminations.get(round) == TerminationReason.PROVIDER_REQUEST;
            assertEquals(providerWon ? 0 : 1, wins.get(), "exactly one terminate call won");
            forcedWins += wins.get();
        }
        trafficRunning.set(false);
        Await.joined(traffic);
        assertEquals(rounds, cp.events.steps(instance.id()).stream().filter(step -> step.startsWith("terminated")).count());
        assertTrue(provider.callsBegunAfterTerminate().isEmpty(), provider.callsBegunAfterTerminate().toString());
        System.out.printf("terminate races: %d of %d won by a forced termination, the rest by deregister%n",
            forcedWins, rounds);
    }

    @Test
    void shouldMakeNoNewCallsAfterTerminateWhileInFlightCallsStillArriveAndComplete()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);
        provider.mode(CallKind.SEND_BUFFERS, TestProvider.Mode.PEND);
        cp.datapath.route(0, packetTo("192.0.2.5"));
        Await.until("send buffers pending", () -> provider.pending.size() == 1);

        threads.gate();
        final CompletableFuture<RouteStatus> inFlight = platform.addRoute(instance, BENCHMARK_NET);
        assertTrue(platform.terminate(instance, TerminationReason.OTHER_COMMUNICATION_ERROR));
        Await.until("reach and terminate held", () -> threads.held() == 2);
        threads.stopGating();
        threads.release(1);
        Await.until("terminated", () -> provider.terminations.size() == 1);
        assertTrue(provider.completionErrors.isEmpty(), "the pending send completed at once, without error");

        // the provider records the terminate before it fails the pending send: wait for that send's packet to be
        // counted as dropped first, or its count could land after this one's and hide it
        Await.until("the pending send, failed at terminate, counted as one packet dropped",
            () -> platform.instances().getFirst().packetsDropped() == 1);
        cp.datapath.route(0, packetTo("192.0.2.6"));
        Await.until("the packet routed after terminate is handled (dropped, not sent)",
            () -> platform.instances().getFirst().packetsDropped() == 2);
        assertEquals(RouteStatus.NOT_ACTIVE,
            Await.done(platform.addRoute(instance, Ipv4Prefix.parseNetwork("100.64.0.0/10"))));
        threads.release(0);
        assertEquals(RouteStatus.SESSION_TERMINATED, Await.done(inFlight));

        final List<CallKind> kinds = provider.kinds();
        assertEquals(CallKind.REACH_TRANSPORT_ID, kinds.get(kinds.size() - 1),
            "the reach begun before terminate arrived after it: " + kinds);
        assertEquals(CallKind.TERMINATE_SESSION, kinds.get(kinds.size() - 2));
        assertEquals(1, provider.count(CallKind.SEND_BUFFERS), "no send after terminate");
        assertTrue(provider.callsBegunAfterTerminate().isEmpty(), provider.callsBegunAfterTerminate().toString());
        assertTimeoutPreemptively(NO_DEADLOCK, () -> platform.deregister(instance));
        assertTrue(provider.completions.stream().allMatch(Completion::isCompleted));
    }

    @Test
    void shouldNotReturnFromDeregisterUntilOutstandingAndDelayedCallsComplete() throws InterruptedException
    {
        final TestProvider provider = new TestProvider().mode(CallKind.REACH_TRANSPORT_ID, TestProvider.Mode.PEND);
        provider.completePendingOnTerminate = false;
        final ProviderInstance instance = cp.active(provider, "ctx");
        final CompletableFuture<RouteStatus> outstanding = platform.addRoute(instance, TEST_NET_1);
        Await.until("reach pending", () -> provider.pending.size() == 1);
        threads.gate();
        final CompletableFuture<RouteStatus> delayed = platform.addRoute(instance, BENCHMARK_NET);

        final Thread deregistering = Thread.ofPlatform().name("message-loop").start(() -> platform.deregister(instance));
        Await.until("reach and terminate held", () -> threads.held() == 2);
        threads.stopGating();
        threads.release(1);
        Await.until("terminated", () -> provider.terminations.size() == 1);
        deregistering.join(100);
        assertTrue(deregistering.isAlive(), "an outstanding call holds deregister");
        assertEquals(InstanceState.DEREGISTERING, platform.state(instance));

        provider.completePending(CallStatus.FAILED);
        deregistering.join(100);
        assertTrue(deregistering.isAlive(), "a delayed call holds deregister");

        provider.completePendingOnTerminate = true;
        threads.release(0);
        Await.joined(deregistering);
        assertEquals(InstanceState.CREATED, platform.state(instance));
        assertEquals(RouteStatus.SESSION_TERMINATED, Await.done(outstanding));
        assertEquals(RouteStatus.SESSION_TERMINATED, Await.done(delayed));
        assertEquals(2, provider.count(CallKind.REACH_TRANSPORT_ID));
        assertTrue(provider.completions.stream().allMatch(Completion::isCompleted));
    }

    @Test
    void shouldFailFastWhenDeregisterIsCalledFromInsideTerminate()
    {
        final TestProvider provider = new TestProvider();
        final AtomicReference<IllegalStateException> refused = new AtomicReference<>();
        final CountDownLatch signal = new CountDownLatch(1);
        provider.onTerminate = instance ->
        {
            try
            {
                platform.deregister(instance);
            }
            catch (final IllegalStateException ex)
            {
                refused.set(ex);
            }
            signal.countDown();
        };
        final ProviderInstance instance = cp.active(provider, "ctx");
        final Thread messageLoop = Thread.ofPlatform().name("message-loop").start(() ->
        {
            awaitQuietly(signal);
            platform.deregister(instance);
        });

        assertTimeoutPreemptively(NO_DEADLOCK, () ->
        {
            assertTrue(platform.terminate(instance, TerminationReason.PROVIDER_TIMEOUT));
            Await.joined(messageLoop);
        });

        assertTrue(refused.get().getMessage().contains("from inside terminateSession"), refused.get().getMessage());
        assertTrue(refused.get().getMessage().contains("signal another thread"), refused.get().getMessage());
        assertEquals(InstanceState.CREATED, platform.state(instance));
        assertEquals(List.of(TerminationReason.PROVIDER_TIMEOUT), provider.terminations,
            "deregister after a forced termination does not terminate again");
    }

    @Test
    void shouldFailFastWhenDeregisterIsCalledFromInsideAnyCallbackOfTheSameInstance()
    {
        final TestProvider provider = new TestProvider();
        final AtomicReference<IllegalStateException> refused = new AtomicReference<>();
        provider.onCall = (instance, kind) ->
        {
            if (kind == CallKind.TRANSITION_ACTIVE)
            {
                try
                {
                    platform.deregister(instance);
                }
                catch (final IllegalStateException ex)
                {
                    refused.set(ex);
                }
            }
        };

        final ProviderInstance instance = assertTimeoutPreemptively(NO_DEADLOCK, () -> cp.active(provider, "ctx"));

        assertTrue(refused.get().getMessage().contains("from inside transitionActive"), refused.get().getMessage());
        assertEquals(InstanceState.ACTIVE, platform.state(instance));
    }

    @Test
    void shouldDeliverTerminateWithProviderRequestWhenProviderDeregistersFirst()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.active(provider, "ctx");

        platform.deregister(instance);

        assertEquals(List.of(TerminationReason.PROVIDER_REQUEST), provider.terminations);
        final List<String> steps = cp.events.steps(instance.id());
        assertEquals(List.of("terminated PROVIDER_REQUEST", "deregistered"), steps.subList(steps.size() - 2, steps.size()));
        assertFalse(platform.terminate(instance, TerminationReason.PROVIDER_TIMEOUT), "no session left to terminate");
    }

    @Test
    void shouldNeverDeliverTerminateBeforeEstablishSessionReturns() throws InterruptedException
    {
        final TestProvider provider = new TestProvider().mode(CallKind.ESTABLISH_SESSION, TestProvider.Mode.BLOCK);
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        platform.register(instance, RegisterOptions.defaults());
        Await.until("establishing", () -> provider.count(CallKind.ESTABLISH_SESSION) == 1);

        assertTrue(platform.terminate(instance, TerminationReason.PLATFORM_SHUTDOWN));
        TimeUnit.MILLISECONDS.sleep(50);
        assertTrue(provider.terminations.isEmpty(), "held while establish session runs");
        provider.release();

        Await.until("terminated", () -> provider.terminations.size() == 1);
        assertFalse(provider.terminatedBeforeEstablishReturned);
        assertEquals(0, provider.count(CallKind.TRANSITION_ACTIVE), "no new call after terminate");
        platform.deregister(instance);
    }

    @Test
    void shouldTerminateEvenWhenTerminateCallbackThrows()
    {
        final TestProvider provider = new TestProvider().mode(CallKind.TERMINATE_SESSION, TestProvider.Mode.THROW);
        final ProviderInstance instance = cp.active(provider, "ctx");

        platform.deregister(instance);

        assertEquals(InstanceState.CREATED, platform.state(instance));
        assertEquals(1, platform.providerFailures());
        assertTrue(cp.errors.stream().anyMatch(error -> error.getMessage().contains("termination stands")));
        platform.destroy(instance);
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
