package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocket;
import io.natgate.bindings.afpacket.PacketSocketOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An Ethernet port on a Linux interface through an AF_PACKET socket with TPACKET_V3 rings, the
 * fast backend. One view over the whole mapping serves both directions: received frames are
 * handed over where the kernel put them, transmitted frames are copied once into a TX ring slot
 * and the kernel is kicked once per burst by {@link #flush()}. A full TX ring makes
 * {@link #transmit} return false.
 */
public final class AfPacketPort implements Port
{
    private final String name;
    private final PacketSocket socket;
    private final UnsafeBuffer ring;
    private final int maxFrameLength;

    private AfPacketPort(final String name, final PacketSocket socket)
    {
        this.name = name;
        this.socket = socket;
        this.ring = new UnsafeBuffer(socket.ring().address(), (int)socket.ring().byteSize());
        this.maxFrameLength = Math.min(LinkLayer.ETHERNET.maxFrameLength(socket.mtu()), socket.maxTxFrameLength());
    }

    /**
     * Opens the socket; MAC address and MTU are the interface's.
     *
     * @throws io.natgate.bindings.linux.LinuxException with the system's text (EPERM, ENODEV, ...).
     * @throws IllegalArgumentException for bad ring geometry, naming the setting.
     */
    public static AfPacketPort open(final String name, final PacketSocketOptions options)
    {
        return new AfPacketPort(name, PacketSocket.open(options));
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return LinkLayer.ETHERNET;
    }

    @Override
    public long macAddress()
    {
        return socket.macAddress();
    }

    @Override
    public int mtu()
    {
        return socket.mtu();
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        int received = 0;
        while (received < limit)
        {
            final long frameOffset = socket.nextFrame();
            if (frameOffset < 0)
            {
                break;
            }
            received++;
            if (!handler.onFrame(ring, (int)frameOffset, socket.frameLength()))
            {
                break;
            }
        }
        socket.releaseConsumed();
        return received;
    }

    /**
     * Copies the frame into the next TX ring slot; it leaves with the next {@link #flush()}.
     *
     * @return false when the TX ring is full or the frame is longer than the MTU allows.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxFrameLength)
        {
            return false;
        }
        final long slotOffset = socket.claimTxFrame();
        if (slotOffset < 0)
        {
            return false;
        }
        ring.putBytes((int)slotOffset, buffer, offset, length);
        socket.commitTxFrame(length);
        return true;
    }

    @Override
    public int flush()
    {
        return socket.flushTx();
    }

    /**
     * RX ring drops from PACKET_STATISTICS, and frames the kernel rejected from the TX ring.
     */
    @Override
    public PortStats stats(final PortStats into)
    {
        socket.updateStats();
        return into.set(socket.droppedCount(), 0, socket.txWrongFormatCount());
    }

    public PacketSocket socket()
    {
        return socket;
    }

    @Override
    public void close()
    {
        socket.close();
    }

    @Override
    public String toString()
    {
        return "AfPacketPort{" + name + " on " + socket.interfaceName() + '}';
    }
}
