package io.natgate.control.providers;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.cp.InstanceState;
import io.natgate.control.cp.InstanceView;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.providers.vxlan.VxlanProvider;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.providers.InMemoryGateway.CLIENT;
import static io.natgate.control.providers.InMemoryGateway.LAN;
import static io.natgate.control.providers.InMemoryGateway.PUBLIC;
import static io.natgate.control.providers.InMemoryGateway.ROUTER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The VXLAN provider on a running pipeline, with a simulated VTEP beyond the WAN router as its peer:
 * it registers once the peer answers its keepalive, carries the client's packets to the remote subnet
 * in VXLAN (resolving inner MACs by ARP) and the replies back, answers the peer's ARP for the gateway's
 * side, is terminated with other communication error when the peer falls silent, and registers again
 * when the peer comes back.
 */
class VxlanProviderTest
{
    private static final int VNI = 42;
    private static final int PEER = Ipv4.parse("198.51.100.20");
    private static final int PEER_INNER = Ipv4.parse("192.0.2.1");
    private static final int HOST = Ipv4.parse("192.0.2.5");
    private static final long PEER_MAC = 0x02_aa_00_00_00_01L;
    private static final long HOST_MAC = 0x02_aa_00_00_00_05L;
    private static final long GATEWAY_INNER_MAC = 0x02_4e_47_00_00_00L | VNI;
    private static final Ipv4Prefix REMOTE_SUBNET = new Ipv4Prefix(Ipv4.parse("192.0.2.0"), 24);

    private final InMemoryGateway gateway = new InMemoryGateway();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeVtep peer = new FakeVtep();
    private final VxlanProvider provider = new VxlanProvider(gateway.platform, gateway.udp,
        new ProviderConfig.Vxlan(new Ipv4Endpoint(PEER, 4789), VNI, REMOTE_SUBNET, 4789, PEER_INNER,
            TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(400)),
        PUBLIC, new SystemNanoClock(), log::add, gateway.errors::add);

    @AfterEach
    void stop()
    {
        provider.close();
        peer.stop();
        gateway.close();
    }

    private InstanceView view()
    {
        final List<InstanceView> instances = gateway.platform.instances();
        return instances.isEmpty() ? null : instances.getFirst();
    }

    private void awaitTunnelUp()
    {
        try
        {
            InMemoryGateway.until("active with its route in the datapath", () -> view() != null &&
                view().state() == InstanceState.ACTIVE && provider.isRouted());
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": " + view() + ", active " + provider.isActive() + ", log " +
                log + ", errors " + gateway.errors, ex);
        }
    }

    @Test
    void shouldRegisterOnlyOnceThePeerAnswersItsKeepalive()
    {
        peer.answering = false;
        provider.start();

        final byte[] probe = peer.awaitInner(frame -> isArp(frame, ArpPacket.OP_REQUEST, PEER_INNER), "the probe");
        assertEquals(EthernetFrame.BROADCAST_MAC, InMemoryGateway.destinationMac(probe));
        assertEquals(GATEWAY_INNER_MAC, arp(probe).senderMac());
        assertEquals(PUBLIC, arp(probe).senderAddress());
        InMemoryGateway.sleep(200);
        assertNull(view(), "no instance while the peer is silent");

        peer.answering = true;

        awaitTunnelUp();
        assertEquals(VxlanProvider.OVERHEAD, 50);
    }

    @Test
    void shouldCarryClientTrafficThroughTheTunnelAndRepliesBack()
    {
        provider.start();
        awaitTunnelUp();

        gateway.fromClient(PacketBuilder.udp(CLIENT, 5000, HOST, 53, "query".getBytes()));

        final byte[] inner = peer.awaitInner(frame -> InMemoryGateway.ip(frame) != null, "the query in the tunnel");
        assertEquals(HOST_MAC, InMemoryGateway.destinationMac(inner), "resolved by ARP");
        final UnsafeBuffer ip = InMemoryGateway.ip(inner);
        assertEquals(PUBLIC, ip.getInt(12, ByteOrder.BIG_ENDIAN), "translated to the public address");
        assertEquals(HOST, ip.getInt(16, ByteOrder.BIG_ENDIAN));
        final int publicPort = ip.getShort(20, ByteOrder.BIG_ENDIAN) & 0xFFFF;

        peer.sendInner(PacketBuilder.ethernet(GATEWAY_INNER_MAC, HOST_MAC, EthernetFrame.ETHERTYPE_IPV4,
            PacketBuilder.udp(HOST, 53, PUBLIC, publicPort, "answer".getBytes())));

        final byte[] reply = gateway.awaitFrame(LAN, frame -> InMemoryGateway.isUdpTo(frame, CLIENT, 5000),
            "the answer at the client");
        assertEquals(HOST, InMemoryGateway.ip(reply).getInt(12, ByteOrder.BIG_ENDIAN));
        assertEquals("answer", new String(InMemoryGateway.udpPayload(reply)));
        InMemoryGateway.until("counted", () -> provider.decapsulated() == 1);
        assertTrue(provider.encapsulated() >= 2, "the ARP request and the query at least");
    }

    @Test
    void shouldAnswerThePeersArpForAddressesOffTheRemoteSubnetOnly()
    {
        provider.start();
        awaitTunnelUp();

        peer.sendInner(PacketBuilder.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, PEER_MAC, PEER_INNER, 0,
            Ipv4.parse("192.0.2.77")));
        peer.sendInner(PacketBuilder.arp(EthernetFrame.BROADCAST_MAC, ArpPacket.OP_REQUEST, PEER_MAC, PEER_INNER, 0,
            PUBLIC));

        final byte[] reply = peer.awaitInner(frame -> isArp(frame, ArpPacket.OP_REPLY, PEER_INNER), "the ARP reply");
        assertEquals(PUBLIC, arp(reply).senderAddress());
        assertEquals(GATEWAY_INNER_MAC, arp(reply).senderMac());
        assertEquals(PEER_MAC, InMemoryGateway.destinationMac(reply));
        assertNull(peer.pollInner(frame -> isArp(frame, ArpPacket.OP_REPLY, PEER_INNER), 200),
            "no answer for the remote subnet's own addresses");
    }

    @Test
    void shouldTerminateWhenThePeerFallsSilentAndRegisterAgainWhenItAnswers()
    {
        provider.start();
        awaitTunnelUp();
        final long interfaceId = view().interfaceId();

        peer.answering = false;

        InMemoryGateway.until("terminated and deregistered", () -> view().state() == InstanceState.CREATED &&
            view().terminationReason() == TerminationReason.OTHER_COMMUNICATION_ERROR);
        assertTrue(view().routes().isEmpty());
        gateway.fromClient(PacketBuilder.udp(CLIENT, 5000, HOST, 53, "meanwhile".getBytes()));
        assertNotNull(peer.awaitPlain(packet -> packet.getInt(16, ByteOrder.BIG_ENDIAN) == HOST,
            "the default route's packet"));

        peer.answering = true;

        awaitTunnelUp();
        assertEquals(interfaceId, view().interfaceId(), "the same interface again");
        assertTrue(log.stream().anyMatch(line -> line.contains("silent for")), log.toString());
        assertTrue(log.stream().anyMatch(line -> line.contains("answers: registering")), log.toString());
    }

    @Test
    void shouldIgnoreDatagramsFromOtherSourcesAndOtherVnis()
    {
        peer.answering = false;
        provider.start();
        final byte[] answer = PacketBuilder.arp(GATEWAY_INNER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER_INNER,
            GATEWAY_INNER_MAC, PUBLIC);

        peer.send(Ipv4.parse("198.51.100.99"), VNI, answer);
        peer.send(PEER, VNI + 1, answer);

        InMemoryGateway.until("both dropped", () -> provider.dropped() == 2);
        assertNull(view());
    }

    private static boolean isArp(final byte[] frame, final int operation, final int target)
    {
        return InMemoryGateway.etherType(frame) == EthernetFrame.ETHERTYPE_ARP && arp(frame).operation() == operation &&
            arp(frame).targetAddress() == target;
    }

    private static ArpPacket arp(final byte[] frame)
    {
        final ArpPacket arp = new ArpPacket();
        arp.wrap(new UnsafeBuffer(frame), EthernetFrame.HEADER_LENGTH);
        return arp;
    }

    /**
     * The peer VTEP beyond the router, on its own thread: answers the keepalive ARP while {@link #answering}
     * and ARP for the remote host always, and queues the other inner frames and the plain packets it sees.
     */
    private final class FakeVtep
    {
        volatile boolean answering = true;
        private final BlockingQueue<byte[]> inner = new LinkedBlockingQueue<>();
        private final BlockingQueue<byte[]> plain = new LinkedBlockingQueue<>();
        private volatile boolean running = true;
        private final Thread thread = Thread.ofPlatform().name("fake-vtep").daemon(true).start(this::run);

        void stop()
        {
            running = false;
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private void run()
        {
            while (running)
            {
                final byte[] frame = gateway.wan.pollTransmitted();
                if (frame == null)
                {
                    InMemoryGateway.sleep(1);
                    continue;
                }
                if (!InMemoryGateway.isUdpTo(frame, PEER, 4789))
                {
                    if (InMemoryGateway.ip(frame) != null)
                    {
                        plain.add(java.util.Arrays.copyOfRange(frame, EthernetFrame.HEADER_LENGTH, frame.length));
                    }
                    continue;
                }
                final byte[] vxlan = InMemoryGateway.udpPayload(frame);
                final UnsafeBuffer header = new UnsafeBuffer(vxlan);
                if (InMemoryGateway.destinationMac(frame) != ROUTER_MAC || vxlan[0] != VxlanProvider.FLAG_VNI ||
                    header.getInt(4, ByteOrder.BIG_ENDIAN) >>> 8 != VNI)
                {
                    gateway.errors.add(new AssertionError("not a VXLAN frame of VNI " + VNI + " via the router"));
                    continue;
                }
                final byte[] innerFrame = java.util.Arrays.copyOfRange(vxlan, VxlanProvider.HEADER_LENGTH, vxlan.length);
                if (isArp(innerFrame, ArpPacket.OP_REQUEST, PEER_INNER) && answering)
                {
                    sendInner(PacketBuilder.arp(GATEWAY_INNER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER_INNER,
                        GATEWAY_INNER_MAC, PUBLIC));
                }
                else if (isArp(innerFrame, ArpPacket.OP_REQUEST, HOST))
                {
                    sendInner(PacketBuilder.arp(GATEWAY_INNER_MAC, ArpPacket.OP_REPLY, HOST_MAC, HOST, GATEWAY_INNER_MAC,
                        PUBLIC));
                }
                inner.add(innerFrame);
            }
        }

        void sendInner(final byte[] innerFrame)
        {
            send(PEER, VNI, innerFrame);
        }

        void send(final int source, final int vni, final byte[] innerFrame)
        {
            final ByteBuffer vxlan = ByteBuffer.allocate(VxlanProvider.HEADER_LENGTH + innerFrame.length);
            vxlan.put((byte)VxlanProvider.FLAG_VNI).put(new byte[3]).putInt(vni << 8).put(innerFrame);
            gateway.fromWan(PacketBuilder.udp(source, 51000, PUBLIC, 4789, vxlan.array()));
        }

        byte[] awaitInner(final java.util.function.Predicate<byte[]> wanted, final String what)
        {
            final byte[] frame = pollInner(wanted, InMemoryGateway.AWAIT_MS);
            if (frame == null)
            {
                fail("timed out waiting for " + what);
            }
            return frame;
        }

        byte[] pollInner(final java.util.function.Predicate<byte[]> wanted, final long timeoutMs)
        {
            return poll(inner, wanted, timeoutMs);
        }

        UnsafeBuffer awaitPlain(final java.util.function.Predicate<UnsafeBuffer> wanted, final String what)
        {
            final byte[] packet = poll(plain, bytes -> wanted.test(new UnsafeBuffer(bytes)), InMemoryGateway.AWAIT_MS);
            if (packet == null)
            {
                fail("timed out waiting for " + what);
            }
            return new UnsafeBuffer(packet);
        }

        private byte[] poll(
            final BlockingQueue<byte[]> queue, final java.util.function.Predicate<byte[]> wanted, final long timeoutMs)
        {
            final long deadlineMs = System.currentTimeMillis() + timeoutMs;
            try
            {
                long remainingMs;
                while ((remainingMs = deadlineMs - System.currentTimeMillis()) > 0)
                {
                    final byte[] frame = queue.poll(remainingMs, TimeUnit.MILLISECONDS);
                    if (frame != null && wanted.test(frame))
                    {
                        return frame;
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }
}
