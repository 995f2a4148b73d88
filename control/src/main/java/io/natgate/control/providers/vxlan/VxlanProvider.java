package io.natgate.control.providers.vxlan;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.cp.CallStatus;
import io.natgate.control.cp.Completion;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.ProviderInstance;
import io.natgate.control.cp.ReceiveStatus;
import io.natgate.control.cp.RouteStatus;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.cp.TransportId;
import io.natgate.control.providers.LocalUdp;
import io.natgate.control.providers.TraversalProvider;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A VXLAN tunnel (RFC 7348) to one peer VTEP, as a provider instance of the Connectivity Platform: the
 * remote subnet is routed to the instance, and the IPv4 packets the datapath sends it (translated, from
 * the gateway's public address) leave in Ethernet frames inside UDP datagrams from the gateway's outside
 * address to the peer; frames from the peer become received packets of the instance.
 * <p>
 * Inner Ethernet: the gateway's side of the tunnel has one MAC ({@code 02:4e:47} and the VNI); it answers
 * the peer's ARP requests for any address off the remote subnet (it is the way to everything else), learns
 * the remote hosts' MACs from what they send, and asks by ARP for those it has not heard from, holding a
 * few packets meanwhile.
 * <p>
 * Keepalive and liveness: every keepalive interval it asks by ARP for the probe address (the peer's own
 * address on the remote subnet); any frame from the peer counts as life. Silent for the timeout, the peer is
 * taken for gone and the session terminated with {@link TerminationReason#OTHER_COMMUNICATION_ERROR}; the
 * keepalives go on, and once the peer answers again the instance registers again and its route comes back.
 * The first registration, too, waits for the peer's first answer.
 * <p>
 * The outer datagrams go from the outside port's own address, not through the NAT: the gateway is the
 * NAT, and the forwarder punts datagrams to the tunnel's UDP port on that address ahead of translation.
 * The keepalives keep whatever state lies between (another NAT, a firewall, the peer's learning) alive.
 */
public final class VxlanProvider extends TraversalProvider
{
    public static final int HEADER_LENGTH = 8;
    /** The I flag: the VNI is valid. */
    public static final int FLAG_VNI = 0x08;
    /** What the tunnel adds to an inner packet: outer IPv4 and UDP, VXLAN, inner Ethernet. */
    public static final int OVERHEAD = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + HEADER_LENGTH +
        EthernetFrame.HEADER_LENGTH;
    private static final long INNER_MAC_PREFIX = 0x02_4E_47_00_00_00L;
    private static final long RETRY_ROUTE_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int INNER_OFFSET = LocalUdp.PAYLOAD_OFFSET + HEADER_LENGTH;
    private static final int INNER_PACKET_OFFSET = INNER_OFFSET + EthernetFrame.HEADER_LENGTH;
    private static final int ARP_FRAME_LENGTH = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final ProviderConfig.Vxlan settings;
    private final Ipv4Endpoint local;
    private final LocalUdp udp;
    private final NanoClock clock;
    private final long innerMac;
    private final InnerNeighbours neighbours = new InnerNeighbours();
    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final AtomicLong encapsulated = new AtomicLong();
    private final AtomicLong decapsulated = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    // the local UDP thread's receive copy
    private final byte[] received;
    private final ByteBuffer receivedView;
    private LocalUdp.Binding binding;
    private volatile long lastHeardNs;
    private volatile boolean routeRequested;
    private volatile boolean routed;
    private volatile TransportId remoteTransportId;
    // control thread
    private long silentSinceNs;

    /**
     * @param localAddress the address of the gateway's outside port the peer is reached through.
     */
    public VxlanProvider(
        final ConnectivityPlatform platform, final LocalUdp udp, final ProviderConfig.Vxlan settings,
        final int localAddress, final NanoClock clock, final Consumer<String> log, final ErrorHandler errorHandler)
    {
        super(platform, "vxlan-" + settings.vni(), log, errorHandler);
        this.settings = settings;
        this.local = new Ipv4Endpoint(localAddress, settings.localPort());
        this.udp = udp;
        this.clock = clock;
        innerMac = INNER_MAC_PREFIX | settings.vni();
        received = new byte[udp.port().mtu()];
        receivedView = ByteBuffer.wrap(received);
    }

    /**
     * Binds the tunnel's UDP endpoint and starts the keepalives; the instance registers once the peer answers.
     *
     * @throws IllegalStateException or IllegalArgumentException when the endpoint cannot be bound.
     */
    public VxlanProvider start()
    {
        binding = udp.bind(local.address(), local.port(), this::onDatagram);
        silentSinceNs = clock.nanoTime();
        schedule(this::keepalive, 0, settings.keepaliveNs());
        log.accept(name + ": tunnel " + local + " -> " + settings.peer() + " vni " + settings.vni() +
            " for " + settings.remoteSubnet() + ", waiting for the peer");
        return this;
    }

    public ProviderConfig.Vxlan settings()
    {
        return settings;
    }

    /**
     * @return inner packets sent into the tunnel, received out of it, and frames or packets dropped.
     */
    /**
     * @return whether the remote subnet is routed into the tunnel by the datapath now.
     */
    public boolean isRouted()
    {
        return routed;
    }

    public long encapsulated()
    {
        return encapsulated.get();
    }

    public long decapsulated()
    {
        return decapsulated.get();
    }

    public long dropped()
    {
        return dropped.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Keepalive and the session, on the control thread
    // ------------------------------------------------------------------------------------------------------------

    private void keepalive()
    {
        sendArp(ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, local.address(), 0,
            settings.probe());
        final long nowNs = clock.nanoTime();
        final long heardNs = lastHeardNs;
        if (isRegistered())
        {
            if (nowNs - heardNs > settings.timeoutNs() &&
                platform.terminate(instance(), TerminationReason.OTHER_COMMUNICATION_ERROR))
            {
                log.accept(name + ": peer " + Ipv4.toString(settings.peer().address()) + " silent for " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - heardNs) + " ms: session terminated");
            }
        }
        else if (heardNs != 0 && heardNs - silentSinceNs > 0)
        {
            log.accept(name + ": peer " + Ipv4.toString(settings.peer().address()) + " answers: registering");
            register();
        }
    }

    @Override
    protected void onActive()
    {
        routeRequested = true;
        platform.addRoute(instance(), settings.remoteSubnet()).whenComplete((status, failure) ->
            onControlThread(() -> onRouted(status, failure)));
    }

    private void onRouted(final RouteStatus status, final Throwable failure)
    {
        routeRequested = false;
        if (status == RouteStatus.NOT_ACTIVE && isActive())
        {
            schedule(this::onActive, RETRY_ROUTE_NS, 0); // the platform has yet to see the session active
        }
        else if (status == RouteStatus.INSTALLED)
        {
            routed = isActive();
            log.accept(name + ": " + settings.remoteSubnet() + " routed into the tunnel");
        }
        else
        {
            log.accept(name + ": route " + settings.remoteSubnet() + " not installed: " +
                (failure != null ? failure : status));
        }
    }

    @Override
    protected void onTerminated(final TerminationReason reason)
    {
        silentSinceNs = clock.nanoTime();
        routed = false;
        remoteTransportId = null;
        neighbours.clear();
    }

    /**
     * The peer is waited for, whatever ended the session: the keepalive registers again when it answers.
     */
    @Override
    protected boolean reregisterAfter(final TerminationReason reason)
    {
        return false;
    }

    @Override
    protected void onClose()
    {
        if (binding != null)
        {
            binding.close();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The platform's calls
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Only the remote subnet this provider asked the platform to route is reachable over it.
     */
    @Override
    public CallStatus reachTransportId(
        final ProviderInstance instance, final Void context, final TransportId transportId, final Completion completion)
    {
        if (!routeRequested)
        {
            return CallStatus.FAILED;
        }
        remoteTransportId = transportId;
        return CallStatus.SUCCESS;
    }

    @Override
    public CallStatus sendBuffers(
        final ProviderInstance instance, final Void context, final TransportId localTransportId,
        final TransportId remoteTransportId, final List<ByteBuffer> packets, final Completion completion)
    {
        if (!isActive())
        {
            return CallStatus.FAILED;
        }
        for (final ByteBuffer packet : packets)
        {
            final int length = packet.remaining();
            final int destination = packet.getInt(packet.position() + 16);
            final long mac = neighbours.lookup(destination);
            if (mac != 0)
            {
                encapsulate(mac, packet, packet.position(), length);
                continue;
            }
            final byte[] copy = new byte[length];
            packet.get(packet.position(), copy);
            if (neighbours.hold(destination, copy, clock.nanoTime()))
            {
                sendArp(ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, local.address(), 0, destination);
            }
        }
        return CallStatus.SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Encapsulation (any sending thread)
    // ------------------------------------------------------------------------------------------------------------

    private void encapsulate(final long destinationMac, final ByteBuffer packet, final int position, final int length)
    {
        final UnsafeBuffer buffer = udp.scratch();
        if (INNER_PACKET_OFFSET + length > buffer.capacity())
        {
            dropped.incrementAndGet();
            return;
        }
        packet.get(position, buffer.byteArray(), INNER_PACKET_OFFSET, length);
        sendFrame(buffer, destinationMac, EthernetFrame.ETHERTYPE_IPV4, length);
    }

    /**
     * Writes the VXLAN and inner Ethernet headers before an inner payload already in the scratch buffer, and sends.
     */
    private void sendFrame(
        final UnsafeBuffer buffer, final long destinationMac, final int etherType, final int payloadLength)
    {
        buffer.putInt(LocalUdp.PAYLOAD_OFFSET, FLAG_VNI << 24, NETWORK);
        buffer.putInt(LocalUdp.PAYLOAD_OFFSET + 4, settings.vni() << 8, NETWORK);
        final EthernetFrame ethernet = new EthernetFrame();
        ethernet.wrap(buffer, INNER_OFFSET);
        ethernet.writeHeader(destinationMac, innerMac, etherType);
        if (udp.sendScratch(local.address(), local.port(), settings.peer().address(),
            settings.peer().port(), HEADER_LENGTH + EthernetFrame.HEADER_LENGTH + payloadLength))
        {
            encapsulated.incrementAndGet();
        }
        else
        {
            dropped.incrementAndGet();
        }
    }

    private void sendArp(
        final int operation, final long destinationMac, final int senderAddress, final long targetMac,
        final int targetAddress)
    {
        final UnsafeBuffer buffer = udp.scratch();
        final ArpPacket arp = new ArpPacket();
        arp.wrap(buffer, INNER_PACKET_OFFSET);
        arp.write(operation, innerMac, senderAddress, targetMac, targetAddress);
        sendFrame(buffer, destinationMac, EthernetFrame.ETHERTYPE_ARP, ArpPacket.LENGTH);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Decapsulation, on the local UDP thread
    // ------------------------------------------------------------------------------------------------------------

    private void onDatagram(
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final DirectBuffer payload, final int offset, final int length)
    {
        if (sourceAddress != settings.peer().address() || length < HEADER_LENGTH + EthernetFrame.HEADER_LENGTH ||
            (payload.getByte(offset) & FLAG_VNI) == 0 ||
            payload.getInt(offset + 4, NETWORK) >>> 8 != settings.vni())
        {
            dropped.incrementAndGet();
            return;
        }
        lastHeardNs = clock.nanoTime();
        final MutableDirectBuffer buffer = (MutableDirectBuffer)payload;
        final int frame = offset + HEADER_LENGTH;
        final int frameLength = length - HEADER_LENGTH;
        final EthernetFrame ethernet = this.ethernet;
        ethernet.wrap(buffer, frame);
        final long destinationMac = ethernet.destinationMac();
        if (destinationMac != innerMac && (destinationMac >>> 40 & 1) == 0)
        {
            dropped.incrementAndGet(); // another host's unicast, flooded to us
            return;
        }
        final long sourceMac = ethernet.sourceMac();
        final int etherType = ethernet.etherType();
        if (etherType == EthernetFrame.ETHERTYPE_ARP && frameLength >= ARP_FRAME_LENGTH)
        {
            onArp(buffer, frame + EthernetFrame.HEADER_LENGTH);
        }
        else if (etherType == EthernetFrame.ETHERTYPE_IPV4 && frameLength >= EthernetFrame.HEADER_LENGTH +
            Ipv4Packet.MIN_HEADER_LENGTH)
        {
            onIpv4(buffer, frame + EthernetFrame.HEADER_LENGTH, frameLength - EthernetFrame.HEADER_LENGTH, sourceMac);
        }
        else
        {
            dropped.incrementAndGet();
        }
    }

    private void onArp(final MutableDirectBuffer buffer, final int offset)
    {
        final ArpPacket arp = this.arp;
        arp.wrap(buffer, offset);
        if (!arp.isEthernetIpv4())
        {
            dropped.incrementAndGet();
            return;
        }
        final int senderAddress = arp.senderAddress();
        final long senderMac = arp.senderMac();
        final int targetAddress = arp.targetAddress();
        final int operation = arp.operation();
        if (settings.remoteSubnet().contains(senderAddress) && (senderMac >>> 40 & 1) == 0 && senderMac != 0)
        {
            learn(senderAddress, senderMac);
        }
        if (operation == ArpPacket.OP_REQUEST && targetAddress != 0 && !settings.remoteSubnet().contains(targetAddress))
        {
            // everything off the remote subnet is reached through us
            sendArp(ArpPacket.OP_REPLY, senderMac, targetAddress, senderMac, senderAddress);
        }
    }

    private void onIpv4(final MutableDirectBuffer buffer, final int offset, final int available, final long sourceMac)
    {
        final int totalLength = buffer.getShort(offset + 2, NETWORK) & 0xFFFF;
        final int source = buffer.getInt(offset + 12, NETWORK);
        if ((buffer.getByte(offset) & 0xF0) != 0x40 || totalLength > available ||
            totalLength < Ipv4Packet.MIN_HEADER_LENGTH || !settings.remoteSubnet().contains(source))
        {
            dropped.incrementAndGet();
            return;
        }
        if ((sourceMac >>> 40 & 1) == 0 && neighbours.lookup(source) != sourceMac)
        {
            learn(source, sourceMac);
        }
        final TransportId remote = remoteTransportId;
        final TransportId local = localTransportId();
        if (remote == null || local == null)
        {
            dropped.incrementAndGet(); // the tunnel's session is not up
            return;
        }
        buffer.getBytes(offset, received, 0, totalLength);
        receivedView.clear().limit(totalLength);
        if (platform.indicateReceivedBuffers(instance(), local, remote, receivedView) == ReceiveStatus.ACCEPTED)
        {
            decapsulated.incrementAndGet();
        }
        else
        {
            dropped.incrementAndGet();
        }
    }

    private void learn(final int address, final long mac)
    {
        for (final byte[] waiting : neighbours.learn(address, mac))
        {
            encapsulate(mac, ByteBuffer.wrap(waiting), 0, waiting.length);
        }
    }
}
