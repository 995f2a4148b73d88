package io.natgate.control.cp;

import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registered provider instance as an interface of a running pipeline on in-memory ports: a LAN
 * client's traffic to the provider's route leaves translated through send buffers, replies the
 * provider indicates come back to the client, and the WAN keeps forwarding throughout, shutdown included.
 */
class ProviderDatapathEndToEndTest
{
    private static final int LAN = 0;
    private static final int WAN = 1;
    private static final int CP0 = 2;
    private static final long GW_LAN_MAC = 0x02_00_5e_00_00_01L;
    private static final long GW_WAN_MAC = 0x02_00_5e_00_00_02L;
    private static final long CLIENT_MAC = 0x02_00_00_00_00_0aL;
    private static final long ROUTER_MAC = 0x02_00_00_00_00_0bL;
    private static final int GW_LAN = Ipv4.parse("10.0.0.1");
    private static final int CLIENT = Ipv4.parse("10.0.0.2");
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int ROUTER = Ipv4.parse("203.0.113.254");
    private static final int REMOTE = Ipv4.parse("192.0.2.5");
    private static final int SERVER = Ipv4.parse("198.51.100.7");

    private final InMemoryPort lan = InMemoryPort.ethernet("lan", GW_LAN_MAC);
    private final InMemoryPort wan = InMemoryPort.ethernet("wan", GW_WAN_MAC);
    private final ProviderSlots slots = new ProviderSlots(CP0, 1, 1500, ProviderSlots.DEFAULT_FIRST_LOCAL_ADDRESS, 256);
    private final List<byte[]> toLan = new CopyOnWriteArrayList<>();
    private final List<byte[]> toWan = new CopyOnWriteArrayList<>();
    private final CpHarness.Errors errors = new CpHarness.Errors();
    private Pipeline pipeline;
    private ConnectivityPlatform platform;

    @BeforeEach
    void start()
    {
        final List<Port> ports = new ArrayList<>(List.of(lan, wan));
        ports.addAll(slots.ports());
        pipeline = new Pipeline(new PipelineConfig().threadingMode(ThreadingMode.SHARED), ports);
        final NatEngine nat = new NatEngine(new NatConfig().publicAddresses(PUBLIC), pipeline.workerEvents(),
            pipeline.counters());
        final List<PortSettings> settings = new ArrayList<>(List.of(
            new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_LAN_MAC, 1500, GW_LAN, 24, 0),
            new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_WAN_MAC, 1500, PUBLIC, 24, ROUTER)));
        settings.addAll(slots.portSettings());
        final Forwarder forwarder = new Forwarder(new ForwarderConfig().ports(settings), nat, pipeline.counters());
        pipeline.start(forwarder, nat);
        platform = new ConnectivityPlatform(new PlatformConfig().errorHandler(errors::add),
            slots.attach(pipeline, ProviderSlots.DEFAULT_WORKER_TIMEOUT_NS, forwarder), ProviderEventListener.NONE);

        for (final byte[] frame : PacketBuilder.arpIntroduction(CLIENT_MAC, CLIENT, GW_LAN_MAC, GW_LAN))
        {
            lan.offer(frame);
        }
        for (final byte[] frame : PacketBuilder.arpIntroduction(ROUTER_MAC, ROUTER, GW_WAN_MAC, PUBLIC))
        {
            wan.offer(frame);
        }
        awaitFrame(toLan, lan, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_ARP, "ARP reply to the client");
        awaitFrame(toWan, wan, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_ARP, "ARP reply to the router");
    }

    @AfterEach
    void stop()
    {
        platform.close();
        pipeline.close();
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldCarryClientTrafficToProviderRouteThroughSendBuffersAndIndicatedRepliesBackToClient()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = platform.createInstance(provider, "tunnel");
        assertTrue(platform.register(instance, RegisterOptions.defaults().friendlyName("tunnel")).isRegistered());
        Await.until("active", () -> platform.state(instance) == InstanceState.ACTIVE);
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, TEST_NET_1)));

        lan.offer(fromClient(PacketBuilder.udp(CLIENT, 5000, REMOTE, 53, "query".getBytes())));

        Await.until("sent through the provider", () -> provider.sentPackets.size() == 1);
        final byte[] sent = provider.sentPackets.get(0);
        final UnsafeBuffer packet = new UnsafeBuffer(sent);
        assertEquals(PUBLIC, packet.getInt(12, ByteOrder.BIG_ENDIAN), "translated");
        assertEquals(REMOTE, packet.getInt(16, ByteOrder.BIG_ENDIAN));
        assertEquals(53, packet.getShort(22, ByteOrder.BIG_ENDIAN));
        assertEquals(PacketBuilder.DEFAULT_TTL - 1, sent[8]);
        assertTrue(checksumsValid(sent));
        assertEquals(provider.reachedTransportIds.get(0), provider.sentTo.get(0));
        final int publicPort = packet.getShort(20, ByteOrder.BIG_ENDIAN) & 0xFFFF;

        final ReceiveStatus status = platform.indicateReceivedBuffers(instance, provider.addedTransportIds.get(0),
            provider.reachedTransportIds.get(0), ByteBuffer.wrap(PacketBuilder.udp(REMOTE, 53, PUBLIC, publicPort,
            "answer".getBytes())));

        assertEquals(ReceiveStatus.ACCEPTED, status);
        final byte[] reply = awaitFrame(toLan, lan, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_IPV4,
            "the reply at the client");
        assertEquals(CLIENT_MAC, new UnsafeBuffer(reply).getLong(0, ByteOrder.BIG_ENDIAN) >>> 16);
        final byte[] ip = Arrays.copyOfRange(reply, EthernetFrame.HEADER_LENGTH, reply.length);
        final UnsafeBuffer back = new UnsafeBuffer(ip);
        assertEquals(REMOTE, back.getInt(12, ByteOrder.BIG_ENDIAN));
        assertEquals(CLIENT, back.getInt(16, ByteOrder.BIG_ENDIAN));
        assertEquals(5000, back.getShort(22, ByteOrder.BIG_ENDIAN));
        assertTrue(checksumsValid(ip));
        assertEquals(1, pipeline.counters().get(CP0, PortCounter.TRANSLATED_IN));

        lan.offer(fromClient(PacketBuilder.udp(CLIENT, 5001, SERVER, 53, "other".getBytes())));
        final byte[] onWan = awaitFrame(toWan, wan, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_IPV4,
            "other traffic on the WAN");
        assertEquals(SERVER, new UnsafeBuffer(onWan).getInt(EthernetFrame.HEADER_LENGTH + 16, ByteOrder.BIG_ENDIAN));
        assertEquals(1, provider.sentPackets.size());
        platform.deregister(instance);
    }

    @Test
    void shouldKeepForwardingWhenPlatformShutsDownAndFallBackToDefaultRoute()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = platform.createInstance(provider, "tunnel");
        provider.onTerminate = terminated -> Thread.ofPlatform().start(() -> platform.deregister(terminated));
        platform.register(instance, RegisterOptions.defaults());
        Await.until("active", () -> platform.state(instance) == InstanceState.ACTIVE);
        Await.done(platform.addRoute(instance, TEST_NET_1));

        platform.close();

        assertEquals(List.of(TerminationReason.PLATFORM_SHUTDOWN), provider.terminations);
        assertEquals(InstanceState.CREATED, platform.state(instance), "deregistered before close returned");
        lan.offer(fromClient(PacketBuilder.udp(CLIENT, 5000, REMOTE, 53, "after".getBytes())));
        final byte[] onWan = awaitFrame(toWan, wan, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_IPV4,
            "the default route once the provider's is gone");
        assertEquals(REMOTE, new UnsafeBuffer(onWan).getInt(EthernetFrame.HEADER_LENGTH + 16, ByteOrder.BIG_ENDIAN));
        assertTrue(provider.sentPackets.isEmpty());
    }

    private static byte[] fromClient(final byte[] packet)
    {
        return PacketBuilder.ethernet(GW_LAN_MAC, CLIENT_MAC, EthernetFrame.ETHERTYPE_IPV4, packet);
    }

    private static int etherType(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Collects what the port transmitted until a frame matches, and removes and returns that frame.
     */
    private static byte[] awaitFrame(
        final List<byte[]> seen, final InMemoryPort port, final Predicate<byte[]> wanted, final String what)
    {
        final byte[][] match = new byte[1][];
        Await.until(what, () ->
        {
            byte[] frame;
            while ((frame = port.pollTransmitted()) != null)
            {
                seen.add(frame);
            }
            for (final byte[] candidate : seen)
            {
                if (wanted.test(candidate))
                {
                    seen.remove(candidate);
                    match[0] = candidate;
                    return true;
                }
            }
            return false;
        });
        return match[0];
    }

    private static boolean checksumsValid(final byte[] ipPacket)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ipPacket);
        final Ipv4Packet header = (Ipv4Packet)new Ipv4Packet().wrap(buffer, 0);
        final int l4Length = header.totalLength() - header.headerLength();
        return header.isHeaderChecksumValid() && Checksums.fold(Checksums.sum(buffer, header.headerLength(), l4Length,
            Checksums.pseudoHeaderSum(header.sourceAddress(), header.destinationAddress(), header.protocol(),
            l4Length))) == 0xFFFF;
    }
}
