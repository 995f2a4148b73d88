package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.NatEventListener;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.natgate.datapath.pipeline.MessageLayout.*;

/**
 * The consumer's side of the event ring: reads events written by {@link NatEventEncoder} and
 * hands them to any {@link NatEventListener} (the journal writer, a test, a log), without
 * allocating. Only the ring's single consumer thread may use it.
 */
public final class NatEventDecoder
{
    private final RingBuffer ring;
    private final MessageHandler handler = this::onMessage;
    private NatEventListener listener;
    private long unknownMessageCount;

    public NatEventDecoder(final RingBuffer eventRing)
    {
        this.ring = eventRing;
    }

    /**
     * Hands up to {@code limit} events to {@code listener}, in the order they were emitted.
     *
     * @return the number of messages read.
     */
    public int drain(final NatEventListener listener, final int limit)
    {
        this.listener = listener;
        try
        {
            return Rings.read(ring, handler, limit);
        }
        finally
        {
            this.listener = null;
        }
    }

    /**
     * @return messages that were not a known event (or too short), skipped; non-zero only through a bug.
     */
    public long unknownMessageCount()
    {
        return unknownMessageCount;
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (COMMAND_COMPLETED_MSG_TYPE_ID == msgTypeId && length >= COMMAND_COMPLETED_LENGTH)
        {
            listener.onCommandCompleted(
                buffer.getLong(index + EVENT_TIME_NS_OFFSET),
                buffer.getLong(index + COMPLETED_CORRELATION_ID_OFFSET),
                buffer.getInt(index + COMPLETED_STATUS_OFFSET),
                buffer.getInt(index + COMPLETED_PUBLIC_ADDRESS_OFFSET),
                buffer.getInt(index + COMPLETED_PUBLIC_PORT_OFFSET));
            return;
        }
        if (length < MAPPING_EVENT_LENGTH)
        {
            unknownMessageCount++;
            return;
        }

        final long timeNs = buffer.getLong(index + EVENT_TIME_NS_OFFSET);
        final int protocol = buffer.getInt(index + MAPPING_PROTOCOL_OFFSET);
        final int insideAddress = buffer.getInt(index + MAPPING_INSIDE_ADDRESS_OFFSET);
        final int insidePort = buffer.getInt(index + MAPPING_INSIDE_PORT_OFFSET);
        final int publicAddress = buffer.getInt(index + MAPPING_PUBLIC_ADDRESS_OFFSET);
        final int publicPort = buffer.getInt(index + MAPPING_PUBLIC_PORT_OFFSET);
        switch (msgTypeId)
        {
            case MAPPING_CREATED_MSG_TYPE_ID -> listener.onMappingCreated(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                buffer.getInt(index + MAPPING_KIND_OFFSET));
            case MAPPING_EXPIRED_MSG_TYPE_ID -> listener.onMappingExpired(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            case MAPPING_REMOVED_MSG_TYPE_ID -> listener.onMappingRemoved(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            case SESSION_CREATED_MSG_TYPE_ID, SESSION_REFRESHED_MSG_TYPE_ID, SESSION_EXPIRED_MSG_TYPE_ID,
                SESSION_REMOVED_MSG_TYPE_ID ->
                onSession(msgTypeId, buffer, index, length, timeNs, protocol, insideAddress, insidePort, publicAddress,
                    publicPort);
            case PORT_BLOCK_ALLOCATED_MSG_TYPE_ID -> listener.onPortBlockAllocated(
                timeNs, insideAddress, publicAddress, insidePort, publicPort);
            case PORT_BLOCK_RELEASED_MSG_TYPE_ID -> listener.onPortBlockReleased(
                timeNs, insideAddress, publicAddress, insidePort, publicPort);
            case PORT_BLOCK_INTERIM_MSG_TYPE_ID -> listener.onPortBlockInterim(
                timeNs, insideAddress, publicAddress, insidePort, publicPort);
            case QUOTA_EXCEEDED_MSG_TYPE_ID -> listener.onQuotaExceeded(
                timeNs, insideAddress, buffer.getInt(index + MAPPING_KIND_OFFSET));
            case PORTS_EXHAUSTED_MSG_TYPE_ID -> listener.onPortsExhausted(timeNs, publicAddress);
            default -> unknownMessageCount++;
        }
    }

    private void onSession(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length, final long timeNs,
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress, final int publicPort)
    {
        if (length < SESSION_EVENT_LENGTH)
        {
            unknownMessageCount++;
            return;
        }
        final int remoteAddress = buffer.getInt(index + SESSION_REMOTE_ADDRESS_OFFSET);
        final int remotePort = buffer.getInt(index + SESSION_REMOTE_PORT_OFFSET);
        final int state = buffer.getInt(index + SESSION_STATE_OFFSET);
        switch (msgTypeId)
        {
            case SESSION_CREATED_MSG_TYPE_ID -> listener.onSessionCreated(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state);
            case SESSION_REFRESHED_MSG_TYPE_ID -> listener.onSessionRefreshed(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state);
            case SESSION_EXPIRED_MSG_TYPE_ID -> listener.onSessionExpired(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state);
            default -> listener.onSessionRemoved(
                timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, state);
        }
    }
}
