package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.NatCommands;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.natgate.datapath.pipeline.MessageLayout.*;

/**
 * The control plane's side of the command ring: encodes each {@link NatCommands} command into
 * the worker's many-to-one ring without allocating. A full ring is a return value: the
 * {@code offerXxx} methods return false and may be retried; the {@link NatCommands} methods
 * record the outcome in {@link #lastOfferSucceeded()}. The outcome of an applied command comes
 * back as a {@code onCommandCompleted} event with the same correlation id.
 * <p>
 * The {@code offerXxx} methods and {@link #nextCorrelationId()} may be called from any thread.
 * {@link #lastOfferSucceeded()} is per encoder, so a thread using the {@link NatCommands} methods
 * should have its own encoder (they are cheap; all share the one ring).
 */
public final class NatCommandEncoder implements NatCommands
{
    private final RingBuffer ring;
    private final AtomicBuffer buffer;
    private boolean lastOfferSucceeded = true;
    private long failedOfferCount;

    public NatCommandEncoder(final RingBuffer commandRing)
    {
        if (commandRing.maxMsgLength() < COMMAND_LENGTH)
        {
            throw new IllegalArgumentException("command ring too small: max message " + commandRing.maxMsgLength());
        }
        this.ring = commandRing;
        this.buffer = commandRing.buffer();
    }

    /**
     * @return a correlation id unique among all producers on this command ring.
     */
    public long nextCorrelationId()
    {
        return ring.nextCorrelationId();
    }

    /**
     * @return whether the last command sent through a {@link NatCommands} method of this encoder was queued.
     */
    public boolean lastOfferSucceeded()
    {
        return lastOfferSucceeded;
    }

    /**
     * @return how many commands sent through the {@link NatCommands} methods of this encoder were not queued.
     */
    public long failedOfferCount()
    {
        return failedOfferCount;
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerAddStaticMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        return offer(
            ADD_STATIC_MAPPING_MSG_TYPE_ID, correlationId, 0, protocol, insideAddress, insidePort, publicAddress,
            publicPort, 0);
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerRemoveStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        return offer(REMOVE_STATIC_MAPPING_MSG_TYPE_ID, correlationId, 0, protocol, 0, 0, publicAddress, publicPort, 0);
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerOpenInboundMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicPort,
        final int remoteAddress,
        final long lifetimeNs)
    {
        return offer(
            OPEN_INBOUND_MAPPING_MSG_TYPE_ID, correlationId, lifetimeNs, protocol, insideAddress, insidePort, 0,
            publicPort, remoteAddress);
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerCloseInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        return offer(CLOSE_INBOUND_MAPPING_MSG_TYPE_ID, correlationId, 0, protocol, insideAddress, insidePort, 0, 0, 0);
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerRemoveSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        return offer(REMOVE_SESSION_MSG_TYPE_ID, correlationId, 0, protocol, insideAddress, insidePort, 0, 0,
            remoteAddress, remotePort);
    }

    @Override
    public void addStaticMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        record(offerAddStaticMapping(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort));
    }

    @Override
    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        record(offerRemoveStaticMapping(correlationId, protocol, publicAddress, publicPort));
    }

    @Override
    public void openInboundMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicPort,
        final int remoteAddress,
        final long lifetimeNs)
    {
        record(offerOpenInboundMapping(
            correlationId, protocol, insideAddress, insidePort, publicPort, remoteAddress, lifetimeNs));
    }

    @Override
    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        record(offerCloseInboundMapping(correlationId, protocol, insideAddress, insidePort));
    }

    @Override
    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        record(offerRemoveSession(correlationId, protocol, insideAddress, insidePort, remoteAddress, remotePort));
    }

    /**
     * @return false when the command ring is full.
     */
    public boolean offerReplicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        return offer(REPLICATE_SESSION_MSG_TYPE_ID, correlationId, 0, protocol, insideAddress, insidePort,
            publicAddress, publicPort, remoteAddress, remotePort, state);
    }

    @Override
    public void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        record(offerReplicateSession(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state));
    }

    /**
     * Writes one command record; every command uses the same record, with zero in the fields it does not have.
     */
    private boolean offer(
        final int msgTypeId,
        final long correlationId,
        final long lifetimeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort,
        final int remoteAddress)
    {
        return offer(msgTypeId, correlationId, lifetimeNs, protocol, insideAddress, insidePort, publicAddress,
            publicPort, remoteAddress, 0);
    }

    private boolean offer(
        final int msgTypeId,
        final long correlationId,
        final long lifetimeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort,
        final int remoteAddress,
        final int remotePort)
    {
        return offer(msgTypeId, correlationId, lifetimeNs, protocol, insideAddress, insidePort, publicAddress,
            publicPort, remoteAddress, remotePort, 0);
    }

    private boolean offer(
        final int msgTypeId,
        final long correlationId,
        final long lifetimeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort,
        final int remoteAddress,
        final int remotePort,
        final int state)
    {
        final int index = ring.tryClaim(msgTypeId, COMMAND_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + COMMAND_CORRELATION_ID_OFFSET, correlationId);
        buffer.putLong(index + COMMAND_LIFETIME_NS_OFFSET, lifetimeNs);
        buffer.putInt(index + COMMAND_PROTOCOL_OFFSET, protocol);
        buffer.putInt(index + COMMAND_INSIDE_ADDRESS_OFFSET, insideAddress);
        buffer.putInt(index + COMMAND_INSIDE_PORT_OFFSET, insidePort);
        buffer.putInt(index + COMMAND_PUBLIC_ADDRESS_OFFSET, publicAddress);
        buffer.putInt(index + COMMAND_PUBLIC_PORT_OFFSET, publicPort);
        buffer.putInt(index + COMMAND_REMOTE_ADDRESS_OFFSET, remoteAddress);
        buffer.putInt(index + COMMAND_REMOTE_PORT_OFFSET, remotePort);
        buffer.putInt(index + COMMAND_STATE_OFFSET, state);
        ring.commit(index);
        return true;
    }

    private void record(final boolean succeeded)
    {
        lastOfferSucceeded = succeeded;
        if (!succeeded)
        {
            failedOfferCount++;
        }
    }
}
