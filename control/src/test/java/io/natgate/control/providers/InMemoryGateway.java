package io.natgate.control.providers;

import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.PlatformConfig;
import io.natgate.control.cp.ProviderEventListener;
import io.natgate.control.cp.ProviderSlots;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
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

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A gateway on in-memory ports, wired as {@code Gateway} wires a real one: LAN 10.0.0.1/24 (client
 * 10.0.0.2), WAN 203.0.113.1/24 (the public address; router 203.0.113.254), two provider slots, the
 * local port with its {@link LocalUdp}, the Connectivity Platform. The pipeline runs on its own thread;
 * the test plays the client and whatever lies beyond the router, frame by frame.
 */
final class InMemoryGateway implements AutoCloseable
{
    static final int LAN = 0;
    static final int WAN = 1;
    static final long GW_LAN_MAC = 0x02_00_5e_00_00_01L;
    static final long GW_WAN_MAC = 0x02_00_5e_00_00_02L;
    static final long CLIENT_MAC = 0x02_00_00_00_00_0aL;
    static final long ROUTER_MAC = 0x02_00_00_00_00_0bL;
    static final int GW_LAN = Ipv4.parse("10.0.0.1");
    static final int CLIENT = Ipv4.parse("10.0.0.2");
    static final int PUBLIC = Ipv4.parse("203.0.113.1");
    static final int ROUTER = Ipv4.parse("203.0.113.254");
    static final long AWAIT_MS = 10_000;

    final InMemoryPort lan = InMemoryPort.ethernet("lan", GW_LAN_MAC);
    final InMemoryPort wan = InMemoryPort.ethernet("wan", GW_WAN_MAC);
    final ProviderSlots slots = new ProviderSlots(2, 2, 1450, ProviderSlots.DEFAULT_FIRST_LOCAL_ADDRESS, 256);
    final LocalUdp udp = new LocalUdp(4, 1500, 1024);
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Pipeline pipeline;
    final NatEngine nat;
    final Forwarder forwarder;
    final ConnectivityPlatform platform;
    private final List<byte[]> fromLan = new CopyOnWriteArrayList<>();
    private final List<byte[]> fromWan = new CopyOnWriteArrayList<>();

    InMemoryGateway()
    {
        final List<Port> ports = new ArrayList<>(List.of(lan, wan));
        ports.addAll(slots.ports());
        ports.add(udp.port());
        pipeline = new Pipeline(new PipelineConfig().threadingMode(ThreadingMode.SHARED), ports);
        nat = new NatEngine(new NatConfig().publicAddresses(PUBLIC), pipeline.workerEvents(), pipeline.counters());
        final List<PortSettings> settings = new ArrayList<>(List.of(
            new PortSettings(LAN, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_LAN_MAC, 1500, GW_LAN, 24, 0),
            new PortSettings(WAN, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_WAN_MAC, 1500, PUBLIC, 24, ROUTER)));
        settings.addAll(slots.portSettings());
        settings.add(udp.portSettings());
        forwarder = new Forwarder(new ForwarderConfig().ports(settings).localPort(udp.portSettings().index()), nat,
            pipeline.counters());
        pipeline.start(forwarder, nat);
        platform = new ConnectivityPlatform(new PlatformConfig().errorHandler(errors::add),
            slots.attach(pipeline, ProviderSlots.DEFAULT_WORKER_TIMEOUT_NS, forwarder), ProviderEventListener.NONE);
        udp.start(pipeline, ProviderSlots.DEFAULT_WORKER_TIMEOUT_NS, errors::add, forwarder);

        for (final byte[] frame : PacketBuilder.arpIntroduction(CLIENT_MAC, CLIENT, GW_LAN_MAC, GW_LAN))
        {
            lan.offer(frame);
        }
        for (final byte[] frame : PacketBuilder.arpIntroduction(ROUTER_MAC, ROUTER, GW_WAN_MAC, PUBLIC))
        {
            wan.offer(frame);
        }
        awaitFrame(LAN, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_ARP, "ARP reply to the client");
        awaitFrame(WAN, frame -> etherType(frame) == EthernetFrame.ETHERTYPE_ARP, "ARP reply to the router");
    }

    /**
     * An IP packet from the client, in an Ethernet frame to the gateway.
     */
    void fromClient(final byte[] packet)
    {
        lan.offer(PacketBuilder.ethernet(GW_LAN_MAC, CLIENT_MAC, EthernetFrame.ETHERTYPE_IPV4, packet));
    }

    /**
     * An IP packet from beyond the router, in an Ethernet frame to the gateway.
     */
    void fromWan(final byte[] packet)
    {
        wan.offer(PacketBuilder.ethernet(GW_WAN_MAC, ROUTER_MAC, EthernetFrame.ETHERTYPE_IPV4, packet));
    }

    /**
     * Waits for a frame the port transmitted that matches, and removes it from what was seen.
     */
    byte[] awaitFrame(final int port, final Predicate<byte[]> wanted, final String what)
    {
        final byte[] frame = pollFrame(port, wanted, AWAIT_MS);
        if (frame == null)
        {
            fail("timed out waiting for " + what);
        }
        return frame;
    }

    /**
     * @return a matching frame the port transmitted within the time, removed from what was seen; null if none.
     */
    byte[] pollFrame(final int port, final Predicate<byte[]> wanted, final long timeoutMs)
    {
        final InMemoryPort device = port == LAN ? lan : wan;
        final List<byte[]> seen = port == LAN ? fromLan : fromWan;
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        do
        {
            byte[] frame;
            while ((frame = device.pollTransmitted()) != null)
            {
                seen.add(frame);
            }
            for (final byte[] candidate : seen)
            {
                if (wanted.test(candidate))
                {
                    seen.remove(candidate);
                    return candidate;
                }
            }
            sleep(1);
        }
        while (System.currentTimeMillis() < deadlineMs);
        return null;
    }

    /**
     * Forgets the frames seen and not yet taken.
     */
    void clearSeen()
    {
        while (lan.pollTransmitted() != null || wan.pollTransmitted() != null)
        {
            Thread.onSpinWait();
        }
        fromLan.clear();
        fromWan.clear();
    }

    static void until(final String what, final BooleanSupplier condition)
    {
        final long deadlineMs = System.currentTimeMillis() + AWAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting until " + what);
            }
            sleep(1);
        }
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    static int etherType(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    static long destinationMac(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getLong(0, ByteOrder.BIG_ENDIAN) >>> 16;
    }

    /**
     * @return the IPv4 packet of a frame, null if it carries none.
     */
    static UnsafeBuffer ip(final byte[] frame)
    {
        return etherType(frame) != EthernetFrame.ETHERTYPE_IPV4 ? null :
            new UnsafeBuffer(frame, EthernetFrame.HEADER_LENGTH, frame.length - EthernetFrame.HEADER_LENGTH);
    }

    /**
     * @return whether a frame carries a UDP datagram to this address and port.
     */
    static boolean isUdpTo(final byte[] frame, final int address, final int port)
    {
        final UnsafeBuffer ip = ip(frame);
        return ip != null && (ip.getByte(9) & 0xFF) == 17 && ip.getInt(16, ByteOrder.BIG_ENDIAN) == address &&
            (ip.getShort(22, ByteOrder.BIG_ENDIAN) & 0xFFFF) == port;
    }

    /**
     * @return the UDP payload of a frame carrying an option-less IPv4/UDP packet.
     */
    static byte[] udpPayload(final byte[] frame)
    {
        final int offset = EthernetFrame.HEADER_LENGTH + 28;
        final int length = (new UnsafeBuffer(frame).getShort(EthernetFrame.HEADER_LENGTH + 24, ByteOrder.BIG_ENDIAN) &
            0xFFFF) - 8;
        final byte[] payload = new byte[length];
        System.arraycopy(frame, offset, payload, 0, length);
        return payload;
    }

    @Override
    public void close()
    {
        platform.close();
        udp.close();
        pipeline.close();
        if (!errors.isEmpty())
        {
            fail("errors: " + errors);
        }
    }
}
