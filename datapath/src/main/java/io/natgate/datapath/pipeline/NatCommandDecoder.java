package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.NatCommands;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.natgate.datapath.pipeline.MessageLayout.*;

/**
 * The worker's side of the command ring: reads commands written by {@link NatCommandEncoder}
 * and calls them on a {@link NatCommands} target, without allocating. Only the ring's single
 * consumer (the worker thread) may use it.
 */
public final class NatCommandDecoder
{
    private final RingBuffer ring;
    private final MessageHandler handler = this::onMessage;
    private NatCommands target;
    private int deliveredCount;
    private long unknownMessageCount;

    public NatCommandDecoder(final RingBuffer commandRing)
    {
        this.ring = commandRing;
    }

    /**
     * Reads up to {@code limit} commands and applies each to {@code target}, in the order they were offered.
     *
     * @return the number of commands delivered to the target.
     */
    public int poll(final NatCommands target, final int limit)
    {
        this.target = target;
        deliveredCount = 0;
        try
        {
            Rings.read(ring, handler, limit);
        }
        finally
        {
            this.target = null;
        }
        return deliveredCount;
    }

    /**
     * @return messages that were not a known command (or too short), skipped; non-zero only through a bug.
     */
    public long unknownMessageCount()
    {
        return unknownMessageCount;
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < COMMAND_LENGTH)
        {
            unknownMessageCount++;
            return;
        }

        final long correlationId = buffer.getLong(index + COMMAND_CORRELATION_ID_OFFSET);
        final int protocol = buffer.getInt(index + COMMAND_PROTOCOL_OFFSET);
        switch (msgTypeId)
        {
            case ADD_STATIC_MAPPING_MSG_TYPE_ID -> target.addStaticMapping(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_INSIDE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_INSIDE_PORT_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_PORT_OFFSET));
            case REMOVE_STATIC_MAPPING_MSG_TYPE_ID -> target.removeStaticMapping(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_PUBLIC_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_PORT_OFFSET));
            case OPEN_INBOUND_MAPPING_MSG_TYPE_ID -> target.openInboundMapping(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_INSIDE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_INSIDE_PORT_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_PORT_OFFSET),
                buffer.getInt(index + COMMAND_REMOTE_ADDRESS_OFFSET),
                buffer.getLong(index + COMMAND_LIFETIME_NS_OFFSET));
            case CLOSE_INBOUND_MAPPING_MSG_TYPE_ID -> target.closeInboundMapping(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_INSIDE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_INSIDE_PORT_OFFSET));
            case REMOVE_SESSION_MSG_TYPE_ID -> target.removeSession(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_INSIDE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_INSIDE_PORT_OFFSET),
                buffer.getInt(index + COMMAND_REMOTE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_REMOTE_PORT_OFFSET));
            case REPLICATE_SESSION_MSG_TYPE_ID -> target.replicateSession(
                correlationId,
                protocol,
                buffer.getInt(index + COMMAND_INSIDE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_INSIDE_PORT_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_PUBLIC_PORT_OFFSET),
                buffer.getInt(index + COMMAND_REMOTE_ADDRESS_OFFSET),
                buffer.getInt(index + COMMAND_REMOTE_PORT_OFFSET),
                buffer.getInt(index + COMMAND_STATE_OFFSET));
            default ->
            {
                unknownMessageCount++;
                return;
            }
        }
        deliveredCount++;
    }
}
