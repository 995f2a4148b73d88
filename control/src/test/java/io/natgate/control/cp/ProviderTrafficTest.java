package io.natgate.control.cp;

import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.cp.CpHarness.BENCHMARK_NET;
import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traffic over a provider instance: routes only to transport ids it found reachable, send buffers
 * for what the datapath routes to its interface, indicated buffers into the datapath.
 */
class ProviderTrafficTest
{
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");

    private final CpHarness cp = new CpHarness(2, config -> config.maxPendingSends(2).sendBatchFrames(1));
    private final ConnectivityPlatform platform = cp.platform;

    @AfterEach
    void close()
    {
        cp.close();
    }

    private static byte[] packet(final int source, final int destination)
    {
        return PacketBuilder.udp(source, 4000, destination, 53, new byte[] {1, 2, 3});
    }

    private static ByteBuffer reply(final String source)
    {
        return ByteBuffer.wrap(PacketBuilder.udp(Ipv4.parse(source), 53, PUBLIC, 4000, new byte[] {9}));
    }

    @Test
    void shouldRouteOnlyPrefixesProviderFindsReachable()
    {
        final TestProvider provider = new TestProvider().mode(CallKind.REACH_TRANSPORT_ID, TestProvider.Mode.FAIL);
        final ProviderInstance instance = cp.active(provider, "ctx");

        assertEquals(RouteStatus.UNREACHABLE, Await.done(platform.addRoute(instance, TEST_NET_1)));
        assertTrue(cp.datapath.routes(0).isEmpty());

        provider.mode(CallKind.REACH_TRANSPORT_ID, TestProvider.Mode.SUCCEED);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));
        assertEquals(List.of(TEST_NET_1), cp.datapath.routes(0));
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)), "once is enough");
        assertEquals(2, provider.count(CallKind.REACH_TRANSPORT_ID));
    }

    @Test
    void shouldSendBuffersOnlyToTransportIdFoundReachable()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, BENCHMARK_NET)));
        final byte[] toTestNet = packet(PUBLIC, Ipv4.parse("192.0.2.5"));
        final byte[] toBenchmarkNet = packet(PUBLIC, Ipv4.parse("198.19.1.1"));

        cp.datapath.route(0, toTestNet);
        cp.datapath.route(0, packet(PUBLIC, Ipv4.parse("100.64.0.1")));
        cp.datapath.route(0, toBenchmarkNet);
        Await.until("two sent", () -> provider.sentPackets.size() == 2);
        Await.until("one dropped", () -> platform.instances().get(0).packetsDropped() == 1);

        assertArrayEquals(toTestNet, provider.sentPackets.get(0));
        assertArrayEquals(toBenchmarkNet, provider.sentPackets.get(1));
        assertEquals(provider.reachedTransportIds.get(0), provider.sentTo.get(0));
        assertEquals(provider.reachedTransportIds.get(1), provider.sentTo.get(1));
        assertNotEquals(provider.sentTo.get(0), provider.sentTo.get(1));
        Await.until("counted", () -> platform.instances().get(0).packetsSent() == 2);
    }

    @Test
    void shouldKeepAtMostMaxPendingSendsAndSendTheRestAsTheyComplete() throws InterruptedException
    {
        final TestProvider provider = new TestProvider().mode(CallKind.SEND_BUFFERS, TestProvider.Mode.PEND);
        cp.routed(provider, TEST_NET_1);
        for (int i = 0; i < 5; i++)
        {
            cp.datapath.route(0, packet(PUBLIC, Ipv4.parse("192.0.2." + (10 + i))));
        }
        Await.until("two pending", () -> provider.pending.size() == 2);
        TimeUnit.MILLISECONDS.sleep(50);
        assertEquals(2, provider.count(CallKind.SEND_BUFFERS), "the window is full");
        assertEquals(3, cp.datapath.port(0).transmitQueueSize(), "the rest wait in the interface's queue");

        provider.mode(CallKind.SEND_BUFFERS, TestProvider.Mode.SUCCEED);
        provider.completePending(CallStatus.SUCCESS);

        Await.until("all sent", () -> provider.sentPackets.size() == 5);
        Await.until("counted", () -> platform.instances().get(0).packetsSent() == 5);
    }

    @Test
    void shouldIndicateReceivedBuffersIntoDatapathFromReachableRemoteTransportId()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);
        final ByteBuffer reply = reply("192.0.2.5");
        final byte[] expected = reply.array().clone();

        assertEquals(ReceiveStatus.ACCEPTED, platform.indicateReceivedBuffers(instance,
            provider.addedTransportIds.get(0), provider.reachedTransportIds.get(0), reply));

        final List<byte[]> received = cp.datapath.received(0);
        assertEquals(1, received.size());
        assertArrayEquals(expected, received.get(0));
        assertEquals(0, reply.position(), "the provider's buffer is left as it was");
        assertEquals(1, platform.instances().get(0).packetsReceived());
    }

    @Test
    void shouldRefuseIndicatedBuffersFromUnknownTransportIdOrInactiveInstance()
    {
        final TestProvider provider = new TestProvider().mode(CallKind.TRANSITION_ACTIVE, TestProvider.Mode.PEND);
        final ProviderInstance instance = platform.createInstance(provider, "ctx");
        platform.register(instance, RegisterOptions.defaults());
        Await.until("pending", () -> provider.pending.size() == 1);
        final TransportId stranger = TransportId.ipv4(Ipv4.parse("10.9.9.0"), 24);
        assertEquals(ReceiveStatus.NOT_ACTIVE, platform.indicateReceivedBuffers(instance, stranger, stranger,
            reply("192.0.2.5")));
        provider.pending.poll().complete(CallStatus.SUCCESS);
        cp.awaitState(instance, InstanceState.ACTIVE);
        Await.done(platform.addRoute(instance, TEST_NET_1));
        final TransportId local = provider.addedTransportIds.get(0);
        final TransportId remote = provider.reachedTransportIds.get(0);

        assertEquals(ReceiveStatus.UNKNOWN_TRANSPORT_ID,
            platform.indicateReceivedBuffers(instance, local, stranger, reply("192.0.2.5")));
        assertEquals(ReceiveStatus.UNKNOWN_TRANSPORT_ID,
            platform.indicateReceivedBuffers(instance, remote, remote, reply("192.0.2.5")));
        assertEquals(ReceiveStatus.MALFORMED, platform.indicateReceivedBuffers(instance, local, remote,
            reply("198.51.100.7")), "source outside the remote transport id");
        assertEquals(ReceiveStatus.MALFORMED, platform.indicateReceivedBuffers(instance, local, remote,
            ByteBuffer.wrap(new byte[40])), "not IPv4");
        assertEquals(ReceiveStatus.MALFORMED, platform.indicateReceivedBuffers(instance, local, remote,
            ByteBuffer.wrap(PacketBuilder.udp(Ipv4.parse("192.0.2.5"), 53, PUBLIC, 4000, new byte[1500]))),
            "longer than the MTU");
        int accepted = 0;
        ReceiveStatus status;
        while ((status = platform.indicateReceivedBuffers(instance, local, remote, reply("192.0.2.5"))) ==
            ReceiveStatus.ACCEPTED)
        {
            accepted++;
        }
        assertEquals(ReceiveStatus.QUEUE_FULL, status);
        assertEquals(cp.datapath.port(0).receiveQueueSize(), accepted);

        platform.terminate(instance, TerminationReason.OTHER_COMMUNICATION_ERROR);
        assertEquals(ReceiveStatus.NOT_ACTIVE, platform.indicateReceivedBuffers(instance, local, remote,
            reply("192.0.2.5")));
    }

    @Test
    void shouldLimitRoutesPerInstanceAndInDatapath()
    {
        final CpHarness limited = new CpHarness(1, config -> config.maxRoutesPerInstance(1));
        try
        {
            final ProviderInstance instance = limited.routed(new TestProvider(), TEST_NET_1);
            assertEquals(RouteStatus.ROUTE_LIMIT, Await.done(limited.platform.addRoute(instance, BENCHMARK_NET)));
        }
        finally
        {
            limited.close();
        }
        cp.datapath.routeCapacity = 0;
        final ProviderInstance instance = cp.active(new TestProvider(), "ctx");
        assertEquals(RouteStatus.ROUTE_LIMIT, Await.done(platform.addRoute(instance, TEST_NET_1)));
        assertTrue(platform.instances().get(0).routes().isEmpty());
    }

    @Test
    void shouldStopRoutingAndSendingToInstanceOnTermination() throws InterruptedException
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);

        platform.terminate(instance, TerminationReason.PROVIDER_TIMEOUT);
        Await.until("terminated", () -> provider.terminations.size() == 1);

        assertTrue(cp.datapath.routes(0).isEmpty(), "routes removed before terminate was delivered");
        cp.datapath.route(0, packet(PUBLIC, Ipv4.parse("192.0.2.5")));
        Await.until("dropped", () -> platform.instances().get(0).packetsDropped() == 1);
        assertEquals(0, provider.count(CallKind.SEND_BUFFERS));
        platform.deregister(instance);
    }
}
