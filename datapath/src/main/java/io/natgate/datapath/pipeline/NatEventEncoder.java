package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.natgate.datapath.pipeline.MessageLayout.*;

/**
 * The worker's side of the event ring: the NAT engine emits events here and they are
 * encoded onto the ring without allocating. The worker never waits for the journal: when
 * the ring is full the event is dropped and counted in {@link GlobalCounter#EVENTS_DROPPED}.
 * Only the ring's single producer (the worker thread) may use it.
 */
public final class NatEventEncoder implements NatEventListener
{
    private final RingBuffer ring;
    private final AtomicBuffer buffer;
    private final DatapathCounters counters;

    /** Records a removal needs at most: the session's and its mapping's. */
    private static final int REMOVAL_RECORDS = 2;

    private final int recordBytes;
    private final int removalReserveBytes;
    private final int refreshReserveBytes;

    /**
     * Creations leave an eighth of the ring for removals (which never give way), refreshes a quarter.
     */
    public NatEventEncoder(final RingBuffer eventRing, final DatapathCounters counters)
    {
        if (eventRing.maxMsgLength() < Math.max(SESSION_EVENT_LENGTH, COMMAND_COMPLETED_LENGTH))
        {
            throw new IllegalArgumentException("event ring too small: max message " + eventRing.maxMsgLength());
        }
        this.ring = eventRing;
        this.buffer = eventRing.buffer();
        this.counters = counters;
        recordBytes = BitUtil.align(SESSION_EVENT_LENGTH + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        removalReserveBytes = Math.max(eventRing.capacity() / 8, 4 * REMOVAL_RECORDS * recordBytes);
        refreshReserveBytes = Math.max(eventRing.capacity() / 4, removalReserveBytes + recordBytes);
    }

    @Override
    public boolean canRecordCreation()
    {
        return freeBytes() >= removalReserveBytes + REMOVAL_RECORDS * recordBytes;
    }

    @Override
    public boolean canRecordRefresh()
    {
        return freeBytes() >= refreshReserveBytes;
    }

    @Override
    public boolean canRecordRemoval()
    {
        return freeBytes() >= REMOVAL_RECORDS * recordBytes;
    }

    private int freeBytes()
    {
        return ring.capacity() - ring.size();
    }

    @Override
    public void onMappingCreated(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort,
        final int kind)
    {
        final int index = claimMapping(
            MAPPING_CREATED_MSG_TYPE_ID, MAPPING_EVENT_LENGTH, timeNs, protocol, insideAddress, insidePort, publicAddress,
            publicPort);
        if (index > 0)
        {
            buffer.putInt(index + MAPPING_KIND_OFFSET, kind);
            ring.commit(index);
        }
    }

    @Override
    public void onMappingExpired(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        final int index = claimMapping(
            MAPPING_EXPIRED_MSG_TYPE_ID, MAPPING_EVENT_LENGTH, timeNs, protocol, insideAddress, insidePort, publicAddress,
            publicPort);
        if (index > 0)
        {
            ring.commit(index);
        }
    }

    @Override
    public void onMappingRemoved(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        final int index = claimMapping(
            MAPPING_REMOVED_MSG_TYPE_ID, MAPPING_EVENT_LENGTH, timeNs, protocol, insideAddress, insidePort, publicAddress,
            publicPort);
        if (index > 0)
        {
            ring.commit(index);
        }
    }

    @Override
    public void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
        final int index = claim(COMMAND_COMPLETED_MSG_TYPE_ID, COMMAND_COMPLETED_LENGTH);
        if (index > 0)
        {
            buffer.putLong(index + EVENT_TIME_NS_OFFSET, timeNs);
            buffer.putLong(index + COMPLETED_CORRELATION_ID_OFFSET, correlationId);
            buffer.putInt(index + COMPLETED_STATUS_OFFSET, status);
            buffer.putInt(index + COMPLETED_PUBLIC_ADDRESS_OFFSET, publicAddress);
            buffer.putInt(index + COMPLETED_PUBLIC_PORT_OFFSET, publicPort);
            ring.commit(index);
        }
    }

    @Override
    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(SESSION_CREATED_MSG_TYPE_ID, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(SESSION_REFRESHED_MSG_TYPE_ID, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(SESSION_EXPIRED_MSG_TYPE_ID, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(SESSION_REMOVED_MSG_TYPE_ID, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        allocation(PORT_BLOCK_ALLOCATED_MSG_TYPE_ID, timeNs, insideAddress, firstPort, publicAddress, lastPort, 0);
    }

    @Override
    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        allocation(PORT_BLOCK_RELEASED_MSG_TYPE_ID, timeNs, insideAddress, firstPort, publicAddress, lastPort, 0);
    }

    @Override
    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        allocation(PORT_BLOCK_INTERIM_MSG_TYPE_ID, timeNs, insideAddress, firstPort, publicAddress, lastPort, 0);
    }

    @Override
    public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
        allocation(QUOTA_EXCEEDED_MSG_TYPE_ID, timeNs, insideAddress, 0, 0, 0, limit);
    }

    @Override
    public void onPortsExhausted(final long timeNs, final int publicAddress)
    {
        allocation(PORTS_EXHAUSTED_MSG_TYPE_ID, timeNs, 0, 0, publicAddress, 0, 0);
    }

    private void allocation(
        final int msgTypeId, final long timeNs, final int insideAddress, final int firstPort, final int publicAddress,
        final int lastPort, final int limit)
    {
        final int index = claimMapping(
            msgTypeId, MAPPING_EVENT_LENGTH, timeNs, 0, insideAddress, firstPort, publicAddress, lastPort);
        if (index > 0)
        {
            buffer.putInt(index + MAPPING_KIND_OFFSET, limit);
            ring.commit(index);
        }
    }

    private void session(
        final int msgTypeId, final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        final int index = claimMapping(
            msgTypeId, SESSION_EVENT_LENGTH, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        if (index > 0)
        {
            buffer.putInt(index + SESSION_REMOTE_ADDRESS_OFFSET, remoteAddress);
            buffer.putInt(index + SESSION_REMOTE_PORT_OFFSET, remotePort);
            buffer.putInt(index + SESSION_STATE_OFFSET, state);
            ring.commit(index);
        }
    }

    /**
     * Claims a mapping or session event record and fills the fields all of them share.
     *
     * @return the claimed index, to be committed by the caller, or a non-positive value when dropped.
     */
    private int claimMapping(
        final int msgTypeId,
        final int length,
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        final int index = claim(msgTypeId, length);
        if (index > 0)
        {
            buffer.putLong(index + EVENT_TIME_NS_OFFSET, timeNs);
            buffer.putInt(index + MAPPING_PROTOCOL_OFFSET, protocol);
            buffer.putInt(index + MAPPING_INSIDE_ADDRESS_OFFSET, insideAddress);
            buffer.putInt(index + MAPPING_INSIDE_PORT_OFFSET, insidePort);
            buffer.putInt(index + MAPPING_PUBLIC_ADDRESS_OFFSET, publicAddress);
            buffer.putInt(index + MAPPING_PUBLIC_PORT_OFFSET, publicPort);
        }
        return index;
    }

    private int claim(final int msgTypeId, final int length)
    {
        final int index = ring.tryClaim(msgTypeId, length);
        if (index <= 0)
        {
            counters.increment(GlobalCounter.EVENTS_DROPPED);
        }
        return index;
    }
}
