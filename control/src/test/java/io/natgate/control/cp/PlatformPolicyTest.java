package io.natgate.control.cp;

import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The platform's side of the contract: what ends a session (a throwing or failing provider, a call
 * not completed in time, shutdown, a datapath that does not answer), and where callbacks run.
 */
class PlatformPolicyTest
{
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);
    private final List<CpHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close()
    {
        harnesses.forEach(CpHarness::close);
    }

    private CpHarness cp()
    {
        final CpHarness cp = new CpHarness(3, config -> config.nanoClock(nowNs::get).callTimeoutNs(CALL_TIMEOUT_NS));
        harnesses.add(cp);
        return cp;
    }

    private static void assertTerminatedWith(
        final CpHarness cp, final ProviderInstance instance, final TestProvider provider, final TerminationReason reason)
    {
        Await.until("terminated", () -> provider.terminations.size() == 1);
        assertEquals(List.of(reason), provider.terminations);
        assertEquals(InstanceState.TERMINATED, cp.platform.state(instance));
        cp.platform.deregister(instance);
        assertEquals(List.of(reason), provider.terminations, "deregister after termination does not terminate again");
    }

    @Test
    void shouldTerminateWithProviderOtherFailureWhenCallbackThrows()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider().mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.THROW);
        final ProviderInstance instance = cp.platform.createInstance(provider, "ctx");
        cp.platform.register(instance, RegisterOptions.defaults());

        assertTerminatedWith(cp, instance, provider, TerminationReason.PROVIDER_OTHER_FAILURE);
        assertEquals(1, cp.platform.providerFailures());
        assertTrue(cp.errors.get(0).getMessage().contains("transitionActive"), cp.errors.get(0).getMessage());
        assertEquals(0, provider.count(CallKind.ADD_TRANSPORT_ID));
    }

    @Test
    void shouldTerminateWithProviderOtherFailureWhenSendBuffersThrows()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider().mode(CallKind.SEND_BUFFERS, TestProvider.Mode.THROW);
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);

        cp.datapath.route(0, PacketBuilder.udp(Ipv4.parse("203.0.113.1"), 1, Ipv4.parse("192.0.2.5"), 2, new byte[1]));

        assertTerminatedWith(cp, instance, provider, TerminationReason.PROVIDER_OTHER_FAILURE);
        assertEquals(1, cp.platform.instances().get(0).packetsDropped());
    }

    @Test
    void shouldTerminateWithProviderOtherFailureWhenCallbackReturnsNoStatusOrEstablishThrows()
    {
        final CpHarness cp = cp();
        final TestProvider noStatus = new TestProvider().mode(CallKind.ADD_TRANSPORT_ID, TestProvider.Mode.RETURN_NULL);
        final ProviderInstance first = cp.platform.createInstance(noStatus, "ctx");
        cp.platform.register(first, RegisterOptions.defaults());
        assertTerminatedWith(cp, first, noStatus, TerminationReason.PROVIDER_OTHER_FAILURE);

        final TestProvider throwing = new TestProvider().mode(CallKind.ESTABLISH_SESSION, TestProvider.Mode.THROW);
        final ProviderInstance second = cp.platform.createInstance(throwing, "ctx");
        cp.platform.register(second, RegisterOptions.defaults());
        assertTerminatedWith(cp, second, throwing, TerminationReason.PROVIDER_OTHER_FAILURE);
        assertEquals(0, throwing.count(CallKind.TRANSITION_ACTIVE));
    }

    @Test
    void shouldTerminateWithProviderOtherFailureWhenProviderFailsTransitionActive()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider().mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.FAIL);
        final ProviderInstance instance = cp.platform.createInstance(provider, "ctx");
        cp.platform.register(instance, RegisterOptions.defaults());

        assertTerminatedWith(cp, instance, provider, TerminationReason.PROVIDER_OTHER_FAILURE);
        assertEquals(0, cp.platform.providerFailures(), "a failed status is no contract breach");
    }

    @Test
    void shouldTerminateWithProviderTimeoutWhenCallIsNotCompletedInTime()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider().mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.PEND);
        final ProviderInstance instance = cp.platform.createInstance(provider, "ctx");
        cp.platform.register(instance, RegisterOptions.defaults());
        Await.until("transition pending", () -> provider.pending.size() == 1);

        nowNs.addAndGet(CALL_TIMEOUT_NS - 1);
        assertEquals(0, cp.platform.checkTimeouts());
        nowNs.addAndGet(1);
        assertEquals(1, cp.platform.checkTimeouts());
        assertEquals(0, cp.platform.checkTimeouts(), "terminated once");

        assertTerminatedWith(cp, instance, provider, TerminationReason.PROVIDER_TIMEOUT);
        assertTrue(provider.completionErrors.isEmpty(), "the late call completes normally");
    }

    @Test
    void shouldTerminateWithProviderTimeoutWhenCallbackBlocksUsingPlatformsOwnChecker()
    {
        final CpHarness cp = new CpHarness(1, config -> config.callTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
            .timeoutCheckIntervalNs(TimeUnit.MILLISECONDS.toNanos(5)));
        harnesses.add(cp);
        final TestProvider provider = new TestProvider().mode(CallKind.REACH_TRANSPORT_ID, TestProvider.Mode.BLOCK);
        final ProviderInstance instance = cp.active(provider, "ctx");
        cp.platform.addRoute(instance, TEST_NET_1);

        Await.until("terminated", () -> provider.terminations.size() == 1);
        assertEquals(List.of(TerminationReason.PROVIDER_TIMEOUT), provider.terminations);
        provider.release();
        cp.platform.deregister(instance);
    }

    @Test
    void shouldTerminateEveryInstanceWithPlatformShutdown()
    {
        final CpHarness cp = cp();
        final List<TestProvider> providers = new ArrayList<>();
        final List<Thread> messageLoops = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final TestProvider provider = new TestProvider();
            if (i == 2)
            {
                provider.mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.PEND); // registered, not active yet
            }
            providers.add(provider);
            final ProviderInstance instance = cp.platform.createInstance(provider, "provider " + i);
            cp.platform.register(instance, RegisterOptions.defaults());
            provider.onTerminate = terminated -> messageLoops.add(Thread.ofPlatform().start(() ->
                cp.platform.deregister(terminated)));
        }
        final ProviderInstance unregistered = cp.platform.createInstance(new TestProvider(), "unregistered");
        Await.until("pending", () -> providers.get(2).pending.size() == 1);

        cp.platform.close();

        for (final TestProvider provider : providers)
        {
            assertEquals(List.of(TerminationReason.PLATFORM_SHUTDOWN), provider.terminations);
        }
        messageLoops.forEach(Await::joined);
        assertTrue(cp.platform.instances().stream().allMatch(view -> view.state() == InstanceState.CREATED),
            "every provider deregistered before close returned");
        assertThrows(IllegalStateException.class, () -> cp.platform.createInstance(new TestProvider(), "late"));
        assertEquals(RegisterStatus.PLATFORM_CLOSED,
            cp.platform.register(unregistered, RegisterOptions.defaults()).status());
    }

    @Test
    void shouldTerminateWithOtherCommunicationErrorWhenDatapathDoesNotAnswer()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.active(provider, "ctx");
        cp.datapath.unavailable = true;

        assertEquals(RouteStatus.DATAPATH_UNAVAILABLE, Await.done(cp.platform.addRoute(instance, TEST_NET_1)));

        assertTerminatedWith(cp, instance, provider, TerminationReason.OTHER_COMMUNICATION_ERROR);
    }

    @Test
    void shouldRunCallbacksOnPlatformThreadsNeverTheCallers()
    {
        final CpHarness cp = cp();
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);
        cp.datapath.route(0, PacketBuilder.udp(Ipv4.parse("203.0.113.1"), 1, Ipv4.parse("192.0.2.5"), 2, new byte[1]));
        Await.until("sent", () -> provider.count(CallKind.SEND_BUFFERS) == 1);
        cp.platform.deregister(instance);

        final String caller = Thread.currentThread().getName();
        for (final TestProvider.Arrival arrival : provider.arrivals)
        {
            assertTrue(!arrival.thread().equals(caller) && arrival.thread().startsWith("natgate-cp-"), arrival.toString());
        }
        assertTrue(provider.arrivals.stream().filter(arrival -> arrival.kind() == CallKind.SEND_BUFFERS)
            .allMatch(arrival -> arrival.thread().equals("natgate-cp-tx-cp0")), "sends on the interface's sender");
    }
}
