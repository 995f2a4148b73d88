package io.natgate.control.cp;

import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The instance lifecycle: create, register, the session's establishment, deregister, destroy, reuse;
 * the user context, pending completions, events and listing.
 */
class ProviderLifecycleTest
{
    private final CpHarness cp = new CpHarness();
    private final ConnectivityPlatform platform = cp.platform;

    @AfterEach
    void close()
    {
        cp.close();
    }

    @Test
    void shouldEstablishSessionAfterCreateAndRegisterThenTransitionActiveThenAddLocalTransportId()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        assertEquals(InstanceState.CREATED, platform.state(instance));
        assertTrue(provider.arrivals.isEmpty(), "no callback before register");

        final Registration registration = platform.register(instance, RegisterOptions.defaults());

        assertTrue(registration.isRegistered());
        cp.awaitState(instance, InstanceState.ACTIVE);
        assertEquals(List.of(CallKind.ESTABLISH_SESSION, CallKind.TRANSITION_ACTIVE, CallKind.ADD_TRANSPORT_ID),
            provider.kinds());
        assertEquals(1, provider.addedTransportIds.size(), "the instance's local transport id");
    }

    @Test
    void shouldPassUserContextBackOnEveryCallback()
    {
        final TestProvider provider = new TestProvider();
        final String context = "vxlan to 198.51.100.9 vni 42";
        final ProviderInstance instance = platform.createInstance(provider, context);
        platform.register(instance, RegisterOptions.defaults());
        cp.awaitState(instance, InstanceState.ACTIVE);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));
        cp.datapath.route(0, PacketBuilder.udp(Ipv4.parse("203.0.113.1"), 4000, Ipv4.parse("192.0.2.5"), 53, new byte[4]));
        Await.until("sent", () -> provider.count(CallKind.SEND_BUFFERS) == 1);

        platform.deregister(instance);

        assertEquals(List.of(CallKind.values()), provider.arrivals.stream().map(TestProvider.Arrival::kind).distinct()
            .sorted().toList(), "every callback made");
        provider.arrivals.forEach(arrival -> assertSame(context, arrival.context(), arrival.kind().callbackName()));
    }

    @Test
    void shouldCompleteStatusCallbacksSynchronouslyOrPendingThroughCompletionRoutine()
    {
        final TestProvider provider = new TestProvider()
            .mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.PEND)
            .mode(CallKind.ADD_TRANSPORT_ID, TestProvider.Mode.PEND);
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        platform.register(instance, RegisterOptions.defaults());

        Await.until("transition active pending", () -> provider.pending.size() == 1);
        assertEquals(InstanceState.REGISTERED, platform.state(instance));
        provider.pending.poll().complete(CallStatus.SUCCESS);
        Await.until("add transport id pending", () -> provider.pending.size() == 1);
        assertEquals(InstanceState.REGISTERED, platform.state(instance));
        provider.pending.poll().complete(CallStatus.SUCCESS);
        cp.awaitState(instance, InstanceState.ACTIVE);

        provider.mode(CallKind.REACH_TRANSPORT_ID, TestProvider.Mode.SUCCEED);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)), "synchronous");
        assertTrue(provider.completions.stream().allMatch(Completion::isCompleted));
    }

    @Test
    void shouldReportSecondCompletionToProviderAndCarryOn()
    {
        final TestProvider provider = new TestProvider().mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.PEND);
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        platform.register(instance, RegisterOptions.defaults());
        Await.until("transition active pending", () -> provider.pending.size() == 1);
        final Completion completion = provider.pending.poll();

        assertThrows(IllegalArgumentException.class, () -> completion.complete(CallStatus.PENDING));
        completion.complete(CallStatus.SUCCESS);
        final IllegalStateException second =
            assertThrows(IllegalStateException.class, () -> completion.complete(CallStatus.SUCCESS));
        assertTrue(second.getMessage().contains("completed already"), second.getMessage());

        cp.awaitState(instance, InstanceState.ACTIVE);
        final Completion synchronous = provider.completions.get(1);
        assertEquals(CallKind.ADD_TRANSPORT_ID, ((Call)synchronous).kind);
        assertThrows(IllegalStateException.class, () -> synchronous.complete(CallStatus.FAILED),
            "a call that returned a final status is complete");
        assertEquals(2, platform.duplicateCompletions());
        assertEquals(InstanceState.ACTIVE, platform.state(instance), "the platform carries on");
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));
    }

    @Test
    void shouldDestroyExactlyOnceAndOnlyAfterDeregister()
    {
        final ProviderInstance instance = cp.active(new TestProvider(), "ctx");

        final IllegalStateException registered = assertThrows(IllegalStateException.class,
            () -> platform.destroy(instance));
        assertTrue(registered.getMessage().contains("deregister"), registered.getMessage());
        platform.deregister(instance);
        platform.destroy(instance);

        final IllegalStateException twice = assertThrows(IllegalStateException.class, () -> platform.destroy(instance));
        assertTrue(twice.getMessage().contains("exactly once"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> platform.register(instance, RegisterOptions.defaults()));
        assertThrows(IllegalStateException.class, () -> platform.deregister(instance));
        assertEquals(InstanceState.DESTROYED, platform.state(instance));
        assertTrue(platform.instances().isEmpty());
    }

    @Test
    void shouldDestroyInstanceNeverRegisteredOrWhoseRegistrationFailed()
    {
        platform.destroy(platform.createInstance(new TestProvider(), "never registered"));
        cp.active(new TestProvider(), "a");
        cp.active(new TestProvider(), "b");
        final ProviderInstance refused = platform.createInstance(new TestProvider(), "c");

        assertEquals(RegisterStatus.NO_FREE_INTERFACE, platform.register(refused, RegisterOptions.defaults()).status());
        assertThrows(IllegalStateException.class, () -> platform.deregister(refused), "nothing to deregister");
        platform.destroy(refused);
    }

    @Test
    void shouldReRegisterInstanceAfterDeregister()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.active(provider, "ctx");
        platform.deregister(instance);
        assertEquals(InstanceState.CREATED, platform.state(instance));

        assertTrue(platform.register(instance, RegisterOptions.defaults()).isRegistered());
        cp.awaitState(instance, InstanceState.ACTIVE);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));
        platform.deregister(instance);
        platform.destroy(instance);

        assertEquals(2, provider.count(CallKind.ESTABLISH_SESSION));
        assertEquals(List.of(TerminationReason.PROVIDER_REQUEST, TerminationReason.PROVIDER_REQUEST),
            provider.terminations, "terminate exactly once per registration");
    }

    @Test
    void shouldRefuseRegisterWhileRegistered()
    {
        final ProviderInstance instance = cp.active(new TestProvider(), "ctx");

        assertThrows(IllegalStateException.class, () -> platform.register(instance, RegisterOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> platform.register(new ProviderInstance()
        {
            public long id()
            {
                return 1;
            }
        }, RegisterOptions.defaults()), "a handle of no platform");
    }

    @Test
    void shouldEmitEveryLifecycleStepWithTimestamp()
    {
        final long beforeEpochNs = System.currentTimeMillis() * 1_000_000L;
        final ProviderInstance instance = cp.active(new TestProvider(), "ctx");
        platform.deregister(instance);
        platform.destroy(instance);

        assertEquals(List.of("created", "registered 1 Connectivity Platform Adapter #1", "active",
            "terminated PROVIDER_REQUEST", "deregistered", "destroyed"), cp.events.steps(instance.id()));
        long previousNs = beforeEpochNs - 1_000_000_000L;
        for (final RecordingEvents.Event event : cp.events.all())
        {
            assertTrue(event.timeEpochNs() >= previousNs, "in order, epoch nanoseconds: " + event);
            previousNs = event.timeEpochNs();
        }
    }

    @Test
    void shouldListInstancesWithNameIdAndState()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance routed = cp.active(provider, "a");
        Await.done(platform.addRoute(routed, TEST_NET_1));
        final ProviderInstance created = platform.createInstance(new TestProvider(), "b");

        final List<InstanceView> views = platform.instances();

        assertEquals(2, views.size());
        final InstanceView first = views.get(0);
        assertEquals(routed.id(), first.instanceId());
        assertEquals("Connectivity Platform Adapter #1", first.friendlyName());
        assertEquals(1, first.interfaceId());
        assertEquals(InstanceState.ACTIVE, first.state());
        assertEquals("cp0", first.portName());
        assertEquals(List.of("192.0.2.0/24"), first.routes());
        assertNull(first.terminationReason());
        final InstanceView second = views.get(1);
        assertEquals(created.id(), second.instanceId());
        assertEquals(InstanceState.CREATED, second.state());
        assertNull(second.friendlyName());

        final String table = platform.describe();
        assertTrue(table.startsWith("id"), table);
        assertTrue(table.contains("Connectivity Platform Adapter #1") && table.contains("ACTIVE") &&
            table.contains("192.0.2.0/24") && table.contains("CREATED"), table);

        platform.terminate(routed, TerminationReason.OTHER_COMMUNICATION_ERROR);
        Await.until("terminated", () -> provider.terminations.size() == 1);
        final InstanceView terminated = platform.instances().get(0);
        assertEquals(InstanceState.TERMINATED, terminated.state());
        assertEquals(TerminationReason.OTHER_COMMUNICATION_ERROR, terminated.terminationReason());
        assertFalse(platform.describe().lines().skip(1).findFirst().orElseThrow().contains("192.0.2.0/24"));
    }
}
