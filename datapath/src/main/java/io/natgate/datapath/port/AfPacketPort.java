package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocket;
import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afpacket.VirtioNetHeader;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.ReceiveOffloads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An Ethernet port on a Linux interface through an AF_PACKET socket with TPACKET_V3 rings, the
 * fast backend. One view over the whole mapping serves both directions: received frames are
 * handed over where the kernel put them, transmitted frames are copied once into a TX ring slot
 * and the kernel is kicked once per burst by {@link #flush()}. A full TX ring makes
 * {@link #transmit} return false.
 * <p>
 * With vnet headers (the default) the port {@link #carriesOffloads()}: received frames keep the
 * kernel's offload state ({@link #frameOffload()}: checksum partial, GSO aggregates of up to 64 KiB
 * whole) and transmitted ones go with theirs in a virtio_net_hdr, so the kernel or the device
 * completes checksums and segments.
 */
public final class AfPacketPort implements Port
{
    /** 64 KiB of IP (the most a GSO aggregate carries) behind an Ethernet header and one VLAN tag. */
    public static final int MAX_AGGREGATE_FRAME_LENGTH = 0xFFFF + 14 + 4;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int ETHERTYPE_VLAN = 0x8100;

    private final String name;
    private final PacketSocket socket;
    private final UnsafeBuffer ring;
    private final int maxFrameLength;
    private final boolean offloads;
    private int frameOffload;

    private AfPacketPort(final String name, final PacketSocket socket)
    {
        this.name = name;
        this.socket = socket;
        this.ring = new UnsafeBuffer(socket.ring().address(), (int)socket.ring().byteSize());
        this.maxFrameLength = Math.min(LinkLayer.ETHERNET.maxFrameLength(socket.mtu()), socket.maxTxFrameLength());
        this.offloads = socket.hasVnetHeader();
        // A burst's frames stay valid until its end even when it spans blocks (receive releases them at its end).
        socket.holdBlocks(true);
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
        final int received = receiveHeld(handler, limit);
        socket.releaseConsumed();
        return received;
    }

    @Override
    public boolean holdsReceivedFrames()
    {
        return true;
    }

    @Override
    public void releaseReceived()
    {
        socket.releaseConsumed();
    }

    /**
     * Hands over frames where the kernel put them in the rx ring; they stay there, valid and
     * writable, until {@link #releaseReceived()}.
     */
    @Override
    public int receiveHeld(final FrameHandler handler, final int limit)
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
            final int length = socket.frameLength();
            frameOffload = offloads ? ReceiveOffloads.fromVirtio(ring, (int)frameOffset, length,
                socket.frameVnetFlags(), socket.frameGsoType(), socket.frameGsoSize(), socket.frameCsumStart(),
                socket.frameCsumOffset()) : Offload.NONE;
            if (!handler.onFrame(ring, (int)frameOffset, length))
            {
                break;
            }
        }
        return received;
    }

    @Override
    public int frameOffload()
    {
        return frameOffload;
    }

    @Override
    public boolean carriesOffloads()
    {
        return offloads;
    }

    /**
     * @return with offloads, the longest GSO aggregate: 64 KiB of IP behind an Ethernet header and a VLAN tag.
     */
    @Override
    public int maxReceiveFrameLength()
    {
        return offloads ? MAX_AGGREGATE_FRAME_LENGTH : LinkLayer.ETHERNET.maxFrameLength(socket.mtu());
    }

    /**
     * Copies an IPv4 TCP or UDP frame into the next TX ring slot with its offload state in the
     * slot's virtio_net_hdr: checksum start and offset and the header length follow from its headers.
     *
     * @return false when the TX ring is full or the frame does not fit a slot.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length, final int offload)
    {
        if (!offloads || !Offload.needsWork(offload))
        {
            return transmit(buffer, offset, length);
        }
        if (length > (Offload.isGso(offload) ? socket.maxTxFrameLength() : maxFrameLength))
        {
            return false;
        }
        final long slotOffset = socket.claimTxFrame();
        if (slotOffset < 0)
        {
            return false;
        }
        ring.putBytes((int)slotOffset, buffer, offset, length);
        final int ipOffset = offset + ((buffer.getShort(offset + 12, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) ==
            ETHERTYPE_VLAN ? ETHERNET_HEADER_LENGTH + 4 : ETHERNET_HEADER_LENGTH);
        final int csumStart = Offload.transportOffset(buffer, ipOffset) - offset;
        final int headerLength = csumStart + Offload.transportHeaderLength(buffer, ipOffset);
        final int gsoType = Offload.isGsoTcp(offload) ? VirtioNetHeader.GSO_TCPV4 :
            Offload.isGsoUdp(offload) ? VirtioNetHeader.GSO_UDP_L4 : VirtioNetHeader.GSO_NONE;
        socket.commitTxFrame(length, VirtioNetHeader.F_NEEDS_CSUM,
            gsoType | ((offload & Offload.GSO_ECN) != 0 ? VirtioNetHeader.GSO_ECN : 0), headerLength,
            Offload.gsoSize(offload), csumStart, Offload.checksumFieldOffset(buffer, ipOffset));
        return true;
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
