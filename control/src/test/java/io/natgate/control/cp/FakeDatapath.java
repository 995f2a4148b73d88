package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.port.ProviderPort;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A datapath of provider ports with no pipeline: routes are recorded per slot, and the test plays
 * the worker by {@link #route routing} packets into a slot's port.
 */
final class FakeDatapath implements ProviderDatapath
{
    static final int FIRST_LOCAL_ADDRESS = Ipv4.parse("169.254.64.1");

    private final List<ProviderPort> ports = new ArrayList<>();
    private final List<List<Ipv4Prefix>> routes = new ArrayList<>();
    volatile boolean unavailable;
    volatile int routeCapacity = Integer.MAX_VALUE;

    FakeDatapath(final int slots)
    {
        for (int slot = 0; slot < slots; slot++)
        {
            ports.add(new ProviderPort("cp" + slot, 1500, 256));
            routes.add(new ArrayList<>());
        }
    }

    public int slotCount()
    {
        return ports.size();
    }

    public ProviderPort port(final int slot)
    {
        return ports.get(slot);
    }

    public int localAddress(final int slot)
    {
        return FIRST_LOCAL_ADDRESS + slot;
    }

    public List<String> portNames()
    {
        final List<String> names = new ArrayList<>(List.of("lan", "wan"));
        ports.forEach(port -> names.add(port.name()));
        return names;
    }

    public synchronized boolean addRoute(final int slot, final Ipv4Prefix prefix)
    {
        if (unavailable)
        {
            throw new IllegalStateException("worker did not change routes within 5000 ms");
        }
        if (routes.get(slot).size() >= routeCapacity)
        {
            return false;
        }
        routes.get(slot).add(prefix);
        return true;
    }

    public synchronized void removeRoutes(final int slot)
    {
        routes.get(slot).clear();
    }

    synchronized List<Ipv4Prefix> routes(final int slot)
    {
        return List.copyOf(routes.get(slot));
    }

    /**
     * Does what the worker and tx agent do with a packet routed to a slot: transmit, then flush.
     *
     * @return false when the port refused it.
     */
    boolean route(final int slot, final byte[] packet)
    {
        final ProviderPort port = ports.get(slot);
        synchronized (port) // one transmitting thread at a time, as the tx agent is
        {
            final boolean queued = port.transmit(new UnsafeBuffer(packet), 0, packet.length);
            port.flush();
            return queued;
        }
    }

    /**
     * @return the packets indicated into a slot's port, as the rx agent would receive them.
     */
    List<byte[]> received(final int slot)
    {
        final List<byte[]> packets = new ArrayList<>();
        final ProviderPort port = ports.get(slot);
        synchronized (port) // one receiving thread at a time, as the rx agent is
        {
            port.receive((buffer, offset, length) ->
            {
                final byte[] packet = new byte[length];
                buffer.getBytes(offset, packet);
                packets.add(packet);
                return true;
            }, 1000);
        }
        return packets;
    }
}
