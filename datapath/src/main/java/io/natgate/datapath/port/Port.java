package io.natgate.datapath.port;

import org.agrona.DirectBuffer;

/**
 * A network port of the datapath: receives and transmits frames in bursts. Implementations
 * are the in-memory port (tests), pcap files, libpcap/Npcap, AF_PACKET rings and WinDivert.
 * A port is driven by one thread for receive and one for transmit at most.
 */
public interface Port extends AutoCloseable
{
    /**
     * @return the name used in configuration, logs and counters.
     */
    String name();

    LinkLayer linkLayer();

    /**
     * @return the port's MAC address as the low 48 bits, or 0 for a {@link LinkLayer#RAW_IP} port.
     */
    long macAddress();

    /**
     * @return the largest IP packet the port carries (not counting the link header).
     */
    int mtu();

    /**
     * Receives up to {@code limit} frames without blocking, handing each to {@code handler}.
     *
     * @return the number of frames received.
     */
    int receive(FrameHandler handler, int limit);

    /**
     * Queues one frame for transmission. Bursting ports may hold it until {@link #flush()}.
     *
     * @return false when the port cannot take the frame now; the caller counts the drop.
     */
    boolean transmit(DirectBuffer buffer, int offset, int length);

    /**
     * Sends whatever {@link #transmit} has queued.
     *
     * @return the number of frames sent by this call.
     */
    default int flush()
    {
        return 0;
    }

    /**
     * Fills {@code into} with what the device reports beyond the pipeline's own counters. May make
     * a system call; call it from one thread only (e.g. the control plane's metrics poller).
     *
     * @return {@code into}; all zero for a port whose device reports nothing.
     */
    default PortStats stats(final PortStats into)
    {
        return into.set(0, 0, 0);
    }

    @Override
    void close();
}
