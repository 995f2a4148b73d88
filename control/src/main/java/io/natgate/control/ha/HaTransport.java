package io.natgate.control.ha;

import org.agrona.DirectBuffer;

/**
 * The two streams of a pair as the node sees them: one to the peer, one from it, over the replication link; and,
 * when configured, heartbeats over a second path too. {@link AeronTransport} over UDP; tests may pair two in memory.
 */
public interface HaTransport extends AutoCloseable
{
    /** A message that came over the replication link. */
    int PATH_LINK = 0;
    /** A heartbeat that came over the second path ({@code ha.heartbeatLink}). */
    int PATH_SECOND = 1;

    /**
     * What a message read from the peer's stream is handed to; false leaves it (and what follows) to be read again
     * on the next poll.
     */
    @FunctionalInterface
    interface Handler
    {
        boolean onMessage(DirectBuffer buffer, int offset, int length, int path);
    }

    /**
     * A heartbeat goes over every path; anything else over the replication link only.
     *
     * @return false when the message could not be sent now on any path (not connected, back-pressured).
     */
    boolean offer(DirectBuffer buffer, int offset, int length);

    /**
     * @return the messages handed over.
     */
    int poll(Handler handler, int limit);

    /**
     * @return whether the peer's stream to us is up (the peer is reachable and sending).
     */
    boolean peerConnected();

    @Override
    void close();
}
