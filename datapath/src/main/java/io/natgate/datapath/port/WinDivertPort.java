package io.natgate.datapath.port;

import io.natgate.bindings.windivert.WinDivert;
import io.natgate.bindings.windivert.WinDivertException;
import io.natgate.bindings.windivert.WinDivertHandle;
import io.natgate.bindings.windivert.WinDivertOptions;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A raw-IP port on Windows through WinDivert: receives the packets its filter diverts, in
 * batches, without blocking, and injects what it transmits in batches of up to the handle's batch
 * size, each with the same address (direction and interface). There is no link header, so the
 * datapath's ARP is not involved. Opening it anywhere but Windows fails with a message saying so.
 */
public final class WinDivertPort implements Port
{
    private final String name;
    private final WinDivertHandle handle;
    private final int mtu;
    private final UnsafeBuffer received;
    private final UnsafeBuffer sendBuffer;
    private int batchCount;
    private int batchIndex;
    private long txFailed;

    private WinDivertPort(final String name, final WinDivertHandle handle, final int mtu)
    {
        this.name = name;
        this.handle = handle;
        this.mtu = mtu;
        this.received = new UnsafeBuffer(handle.receivedPackets().address(), (int)handle.receivedPackets().byteSize());
        this.sendBuffer = new UnsafeBuffer(handle.sendBuffer().address(), (int)handle.sendBuffer().byteSize());
    }

    /**
     * Opens the handle and sets the address transmitted packets carry.
     *
     * @param outbound          true to inject packets as leaving the host through {@code interfaceIndex},
     *                          false as arriving on it.
     * @param interfaceIndex    the Windows interface index (IfIdx) packets are injected on.
     * @param subInterfaceIndex its sub-interface index (SubIfIdx), usually 0.
     * @throws io.natgate.bindings.NativeLibraryUnavailableException off Windows or without WinDivert.dll.
     * @throws WinDivertException with Windows' text and WinDivert's meaning of the error.
     */
    public static WinDivertPort open(final String name, final WinDivertOptions options, final int mtu,
        final boolean outbound, final int interfaceIndex, final int subInterfaceIndex)
    {
        if (mtu < 68 || mtu > options.maxPacketLength())
        {
            throw new IllegalArgumentException("port " + name + ": mtu must be in [68, maxPacketLength " +
                options.maxPacketLength() + "]: mtu=" + mtu);
        }
        final WinDivertHandle handle = WinDivertHandle.open(options);
        handle.sendAddressTemplate()
            .layer(options.layer())
            .outbound(outbound)
            .interfaceIndex(interfaceIndex)
            .subInterfaceIndex(subInterfaceIndex)
            // The datapath keeps checksums right itself (RFC 1624 updates), so WinDivert need not recompute them.
            .ipChecksumValid(true)
            .tcpChecksumValid(true)
            .udpChecksumValid(true);
        return new WinDivertPort(name, handle, mtu);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return LinkLayer.RAW_IP;
    }

    @Override
    public long macAddress()
    {
        return 0;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        int delivered = 0;
        while (delivered < limit)
        {
            if (batchIndex == batchCount)
            {
                batchIndex = 0;
                batchCount = handle.receive();
                if (batchCount == 0)
                {
                    break;
                }
            }
            final int index = batchIndex++;
            delivered++;
            if (!handler.onFrame(received, handle.packetOffset(index), handle.packetLength(index)))
            {
                break;
            }
        }
        return delivered;
    }

    /**
     * Queues the packet in the send batch, sending the batch first when it is full.
     *
     * @return false when the packet is longer than the MTU.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > mtu)
        {
            return false;
        }
        long slot = handle.claimSend(length);
        if (slot < 0)
        {
            flush();
            slot = handle.claimSend(length);
        }
        sendBuffer.putBytes((int)slot, buffer, offset, length);
        handle.commitSend(length);
        return true;
    }

    /**
     * Injects the queued batch. A batch WinDivert refuses is counted in {@link PortStats#txFailed()}
     * rather than thrown, so one bad packet does not stop the transmit agent.
     */
    @Override
    public int flush()
    {
        final int queued = handle.queuedCount();
        try
        {
            return handle.send();
        }
        catch (final WinDivertException ex)
        {
            txFailed += queued;
            return 0;
        }
    }

    @Override
    public PortStats stats(final PortStats into)
    {
        return into.set(0, 0, txFailed);
    }

    /**
     * @return the driver's version, e.g. "2.2".
     */
    public String driverVersion()
    {
        return handle.getParam(WinDivert.WINDIVERT_PARAM_VERSION_MAJOR) + "." +
            handle.getParam(WinDivert.WINDIVERT_PARAM_VERSION_MINOR);
    }

    @Override
    public void close()
    {
        handle.close();
    }

    @Override
    public String toString()
    {
        return "WinDivertPort{" + name + '}';
    }
}
