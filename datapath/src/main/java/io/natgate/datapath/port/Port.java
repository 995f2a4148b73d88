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
     * @return true when {@link #receiveHeld} keeps the frames it hands over where they lie, valid and
     * writable in place (with {@code FrameProcessor.HEADROOM} bytes before each), until
     * {@link #releaseReceived()}: the worker then processes them in the port's own memory.
     */
    default boolean holdsReceivedFrames()
    {
        return false;
    }

    /**
     * As {@link #receive}, the frames staying valid until {@link #releaseReceived()} on a port that
     * {@link #holdsReceivedFrames()}.
     *
     * @return the number of frames received.
     */
    default int receiveHeld(final FrameHandler handler, final int limit)
    {
        return receive(handler, limit);
    }

    /**
     * Gives back the memory of the frames {@link #receiveHeld} handed over.
     */
    default void releaseReceived()
    {
    }

    /**
     * The {@link io.natgate.datapath.offload.Offload} state of the frame {@link #receive} is handing
     * to its handler right now (checksum partial, verified, GSO aggregate), or
     * {@link io.natgate.datapath.offload.ReceiveOffloads#UNSUPPORTED} for one the datapath must drop.
     * Valid only inside the handler's call.
     */
    default int frameOffload()
    {
        return 0;
    }

    /**
     * @return true when {@link #transmit(DirectBuffer, int, int, int)} takes frames with a partial
     * checksum and GSO aggregates as they are (the kernel or device completes them); otherwise the
     * datapath completes and segments them before they reach the port.
     */
    default boolean carriesOffloads()
    {
        return false;
    }

    /**
     * @return the longest frame {@link #receive} may hand over: the MTU's, or a GSO aggregate's
     * (64 KiB of IP) on a port that {@link #carriesOffloads()}.
     */
    default int maxReceiveFrameLength()
    {
        return linkLayer().maxFrameLength(mtu());
    }

    /**
     * Queues one frame with its offload state; only ports that {@link #carriesOffloads()} are given
     * a state other than 0.
     *
     * @return false when the port cannot take the frame now; the caller counts the drop.
     */
    default boolean transmit(final DirectBuffer buffer, final int offset, final int length, final int offload)
    {
        return transmit(buffer, offset, length);
    }

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
