package io.natgate.datapath.port;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapDevice;
import io.natgate.bindings.pcap.PcapOptions;
import io.natgate.bindings.pcap.PcapStats;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An Ethernet port on a live device through libpcap (Linux) or Npcap (Windows). It keeps two
 * handles on the device, one per thread: the receive handle (non-blocking, inbound only, so the
 * port never receives its own transmissions) and a transmit handle whose filter captures nothing.
 * On Linux the receive socket ignores outgoing frames in the kernel (see {@link Pcap#setDirection}),
 * so the transmit handle's frames never take room in the receive ring.
 * Received frames are handed over in libpcap's buffer without a copy; a transmitted frame is
 * copied once into the transmit handle's native buffer and sent at once with {@code pcap_inject}.
 */
public final class PcapPort implements Port
{
    /** Kernel capture buffer of a port opened with {@link #defaultOptions}. */
    public static final int DEFAULT_BUFFER_SIZE_BYTES = 8 * 1024 * 1024;
    /** A filter no frame matches (none is shorter than a byte): the transmit handle captures nothing. */
    static final String CAPTURE_NOTHING = "less 1";

    private final String name;
    private final Pcap rx;
    private final Pcap tx;
    private final PcapReceiver receiver;
    private final UnsafeBuffer txStaging;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final PcapStats pcapStats = new PcapStats();

    private PcapPort(final String name, final Pcap rx, final Pcap tx, final long macAddress, final int mtu)
    {
        this.name = name;
        this.rx = rx;
        this.tx = tx;
        this.receiver = new PcapReceiver(rx);
        this.txStaging = new UnsafeBuffer(tx.transmitBuffer().address(), (int)tx.transmitBuffer().byteSize());
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.maxFrameLength = Math.min(LinkLayer.ETHERNET.maxFrameLength(mtu), Pcap.MAX_TRANSMIT_LENGTH);
    }

    /**
     * Opens a port on {@code device} with {@link #defaultOptions}.
     *
     * @param macAddress the port's MAC as the low 48 bits, or 0 to ask libpcap (which knows it on Linux).
     */
    public static PcapPort open(final String name, final String device, final long macAddress, final int mtu)
    {
        return open(name, defaultOptions(device, mtu), macAddress, mtu);
    }

    /**
     * Opens a port with the given receive options; the port makes them non-blocking and inbound-only.
     *
     * @throws io.natgate.bindings.pcap.PcapException with libpcap's text (no such device, no permission, bad filter).
     * @throws IllegalArgumentException when the MAC address is 0 and libpcap does not know it.
     */
    public static PcapPort open(final String name, final PcapOptions options, final long macAddress, final int mtu)
    {
        if (mtu < 68 || mtu > 0xFFFF)
        {
            throw new IllegalArgumentException("port " + name + ": mtu must be in [68, 65535]: mtu=" + mtu);
        }
        final long mac = macAddress != 0 ? macAddress : discoverMac(name, options.device());
        final Pcap rx = Pcap.openLive(options.nonBlocking(true).direction(LibPcap.PCAP_D_IN));
        try
        {
            final Pcap tx = Pcap.openLive(new PcapOptions().device(options.device()).snapLength(64)
                .bufferSizeBytes(256 * 1024).promiscuous(false).immediate(true).nonBlocking(true)
                .filter(CAPTURE_NOTHING));
            return new PcapPort(name, rx, tx, mac, mtu);
        }
        catch (final RuntimeException ex)
        {
            rx.close();
            throw ex;
        }
    }

    /**
     * Receive options suited to a gateway port: promiscuous, immediate delivery, the snap length
     * of the longest frame, and an {@link #DEFAULT_BUFFER_SIZE_BYTES} kernel buffer.
     */
    public static PcapOptions defaultOptions(final String device, final int mtu)
    {
        return new PcapOptions().device(device).snapLength(LinkLayer.ETHERNET.maxFrameLength(mtu))
            .bufferSizeBytes(DEFAULT_BUFFER_SIZE_BYTES).promiscuous(true).immediate(true);
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
        return macAddress;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        return receiver.receive(handler, limit);
    }

    /**
     * Sends the frame at once.
     *
     * @return false when it is longer than the MTU allows or the device refused it now
     * (e.g. the socket buffer is full).
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxFrameLength)
        {
            return false;
        }
        txStaging.putBytes(0, buffer, offset, length);
        return tx.inject(length);
    }

    /**
     * Kernel drops from {@code pcap_stats}; frames {@link #transmit} refused are the pipeline's to count.
     */
    @Override
    public PortStats stats(final PortStats into)
    {
        rx.stats(pcapStats);
        return into.set(pcapStats.dropped(), pcapStats.interfaceDropped(), 0);
    }

    /**
     * @return the receive handle, e.g. to change its filter before the pipeline starts.
     */
    public Pcap receiveHandle()
    {
        return rx;
    }

    @Override
    public void close()
    {
        try
        {
            rx.close();
        }
        finally
        {
            tx.close();
        }
    }

    @Override
    public String toString()
    {
        return "PcapPort{" + name + " on " + rx.source() + '}';
    }

    private static long discoverMac(final String name, final String device)
    {
        for (final PcapDevice candidate : Pcap.findAllDevices())
        {
            if (candidate.name().equals(device) && candidate.macAddress() != 0)
            {
                return candidate.macAddress();
            }
        }
        throw new IllegalArgumentException("port " + name + ": libpcap does not report the MAC address of " + device +
            "; set macAddress in the port's configuration");
    }
}
