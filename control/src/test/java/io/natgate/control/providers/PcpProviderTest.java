package io.natgate.control.providers;

import io.natgate.control.config.ProviderConfig;
import io.natgate.control.cp.CallStatus;
import io.natgate.control.cp.Completion;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.InstanceState;
import io.natgate.control.cp.InstanceView;
import io.natgate.control.cp.ProviderDispatch;
import io.natgate.control.cp.ProviderInstance;
import io.natgate.control.cp.RegisterOptions;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.cp.TransportId;
import io.natgate.control.providers.pcp.PcpProvider;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.providers.InMemoryGateway.CLIENT;
import static io.natgate.control.providers.InMemoryGateway.GW_LAN;
import static io.natgate.control.providers.InMemoryGateway.LAN;
import static io.natgate.control.providers.InMemoryGateway.PUBLIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NAT-PMP/PCP provider through its whole lifecycle on a running pipeline: it registers and becomes
 * active, announces its epoch on the inside network, answers requests through the datapath, and whenever its
 * session ends (terminated by the platform for any reason, or its own close) every mapping it granted is
 * closed; it registers again unless the platform shuts down.
 */
class PcpProviderTest
{
    private static final int ALL_HOSTS = PcpServer.ALL_HOSTS;

    private final InMemoryGateway gateway = new InMemoryGateway();
    private final FakePortMapper mapper = new FakePortMapper(PUBLIC);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final PcpProvider provider = new PcpProvider(gateway.platform, gateway.udp, new int[] {GW_LAN},
        new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan")), mapper), new SystemNanoClock(), log::add,
        gateway.errors::add);

    @AfterEach
    void stop()
    {
        provider.close();
        gateway.close();
    }

    private InstanceView view()
    {
        return gateway.platform.instances().getFirst();
    }

    private void awaitActive()
    {
        InMemoryGateway.until("active", () -> provider.isActive() && !gateway.platform.instances().isEmpty() &&
            view().state() == InstanceState.ACTIVE);
    }

    private byte[] request(final byte[] payload)
    {
        gateway.fromClient(PacketBuilder.udp(CLIENT, 40000, GW_LAN, PcpServer.SERVER_PORT, payload));
        return InMemoryGateway.udpPayload(gateway.awaitFrame(LAN, frame -> InMemoryGateway.isUdpTo(frame, CLIENT, 40000),
            "the response"));
    }

    @Test
    void shouldRegisterAnnounceItsEpochAndAnswerThroughTheDatapath()
    {
        provider.start();
        awaitActive();

        final List<byte[]> announcements = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            announcements.add(InMemoryGateway.udpPayload(gateway.awaitFrame(LAN,
                frame -> InMemoryGateway.isUdpTo(frame, ALL_HOSTS, PcpServer.CLIENT_PORT), "announcement " + i)));
        }
        assertEquals(3, announcements.stream().filter(payload -> payload[0] == 0 && payload.length == 12).count(),
            "NAT-PMP announcements at 0, 250 and 750 ms");
        assertEquals(3, announcements.stream().filter(payload -> payload[0] == 2 && payload.length == 24).count(),
            "PCP ANNOUNCE responses");

        final byte[] response = request(PcpMessages.natPmpMap(1, 5000, 0, 3600));
        assertEquals(16, response.length);
        assertEquals((byte)129, response[1]);
        assertNotNull(mapper.mapping(Ipv4Protocols.UDP, CLIENT, 5000));
        assertEquals(PcpProvider.NAME, view().friendlyName());
    }

    @Test
    void shouldCloseEveryMappingAndRegisterAgainWhenThePlatformTerminatesTheSession()
    {
        provider.start();
        awaitActive();
        request(PcpMessages.natPmpMap(1, 5000, 0, 3600));
        request(PcpMessages.natPmpMap(2, 8080, 0, 3600));
        assertEquals(2, mapper.open.size());
        final long interfaceId = view().interfaceId();

        gateway.platform.terminate(provider.instance(), TerminationReason.PROVIDER_TIMEOUT);

        InMemoryGateway.until("mappings closed", () -> mapper.open.isEmpty());
        assertEquals(2, mapper.closed.size());
        InMemoryGateway.until("registered again", () -> view().state() == InstanceState.ACTIVE);
        assertEquals(interfaceId, view().interfaceId(), "the same interface");
        assertEquals(0, request(new byte[] {0, 0})[4], "a new epoch");
        assertTrue(log.stream().anyMatch(line -> line.contains("session ended (PROVIDER_TIMEOUT), 2 mapping(s) closed")),
            log.toString());
    }

    @Test
    void shouldCloseEveryMappingAndStayDownWhenThePlatformShutsDown()
    {
        provider.start();
        awaitActive();
        request(PcpMessages.natPmpMap(1, 5000, 0, 3600));

        gateway.platform.close();

        assertTrue(mapper.open.isEmpty(), "closed before the platform's close returned");
        assertEquals(TerminationReason.PLATFORM_SHUTDOWN, view().terminationReason());
        assertEquals(InstanceState.CREATED, view().state(), "deregistered, not registered again");
    }

    @Test
    void shouldAnswerNetworkFailureUntilItsSessionIsActive()
    {
        final IdleProvider idle = new IdleProvider(gateway.platform);
        for (int slot = 0; slot < 2; slot++)
        {
            gateway.platform.register(gateway.platform.createInstance(idle, null), RegisterOptions.defaults());
        }
        provider.start();

        final byte[] response = request(PcpMessages.natPmpMap(1, 5000, 0, 3600));

        assertEquals(3, response[3], "NAT-PMP network failure");
        assertNull(mapper.mapping(Ipv4Protocols.UDP, CLIENT, 5000));
        InMemoryGateway.until("told why", () -> log.stream().anyMatch(line ->
            line.contains("not registered (NO_FREE_INTERFACE)")));
    }

    /**
     * An instance that only holds an interface, and deregisters from another thread when terminated.
     */
    private record IdleProvider(ConnectivityPlatform platform) implements ProviderDispatch<Void>
    {
        public void establishSession(final ProviderInstance instance, final Void context)
        {
        }

        public CallStatus transitionActive(final ProviderInstance instance, final Void context, final Completion done)
        {
            return CallStatus.SUCCESS;
        }

        public CallStatus addTransportId(
            final ProviderInstance instance, final Void context, final TransportId id, final Completion done)
        {
            return CallStatus.SUCCESS;
        }

        public CallStatus reachTransportId(
            final ProviderInstance instance, final Void context, final TransportId id, final Completion done)
        {
            return CallStatus.FAILED;
        }

        public CallStatus sendBuffers(
            final ProviderInstance instance, final Void context, final TransportId local, final TransportId remote,
            final List<ByteBuffer> packets, final Completion done)
        {
            return CallStatus.FAILED;
        }

        public void terminateSession(final ProviderInstance instance, final Void context, final TerminationReason why)
        {
            Thread.ofVirtual().start(() -> platform.deregister(instance));
        }
    }

    @Test
    void shouldDeregisterDestroyAndUnbindOnClose()
    {
        provider.start();
        awaitActive();
        request(PcpMessages.natPmpMap(1, 5000, 0, 3600));
        final long startNs = System.nanoTime();

        provider.close();

        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(2),
            "close does not wait for the announcements still to come (the last after two minutes)");
        assertTrue(mapper.open.isEmpty());
        assertTrue(gateway.platform.instances().isEmpty(), "destroyed");
        gateway.fromClient(PacketBuilder.udp(CLIENT, 40000, GW_LAN, PcpServer.SERVER_PORT, new byte[] {0, 0}));
        InMemoryGateway.until("no longer punted", () ->
            gateway.pipeline.counters().get(LAN, DropReason.LOCAL_UNHANDLED) == 1);
    }
}
