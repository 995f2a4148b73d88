package io.natgate.control.firewall;

import io.natgate.datapath.pipeline.Rings;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Carries the compiled policy's denials from the worker to the control plane without stalling the
 * worker: at most {@code maxPerSecond} go onto a ring per second of the datapath clock, the rest are
 * counted and the count rides on the next one that goes. A full ring is counted the same way. The
 * worker alone calls {@link #record}; one control-plane thread alone calls {@link #drain}.
 */
final class DenialRecorder
{
    private static final int MSG_DENIAL = 1;
    private static final int TIME_OFFSET = 0;
    private static final int SUPPRESSED_OFFSET = 8;
    private static final int DECISION_OFFSET = 16;
    private static final int PROTOCOL_OFFSET = 20;
    private static final int SOURCE_OFFSET = 24;
    private static final int SOURCE_PORT_OFFSET = 28;
    private static final int DESTINATION_OFFSET = 32;
    private static final int DESTINATION_PORT_OFFSET = 36;
    private static final int INBOUND_OFFSET = 40;
    private static final int LENGTH = 44;
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);

    private final RingBuffer ring;
    private final int maxPerSecond;

    // worker state
    private boolean windowStarted;
    private long windowStartNs;
    private int recordedInWindow;
    private long suppressed;

    /**
     * @param capacityBytes the ring's capacity, a power of two.
     */
    DenialRecorder(final int maxPerSecond, final int capacityBytes)
    {
        if (maxPerSecond <= 0)
        {
            throw new IllegalArgumentException("denial events per second must be positive: " + maxPerSecond);
        }
        this.maxPerSecond = maxPerSecond;
        ring = new OneToOneRingBuffer(Rings.allocate(capacityBytes));
    }

    /**
     * Worker thread: records one denial, or counts it when over the rate or the ring is full.
     */
    void record(
        final long nowNs, final int decision, final boolean inbound, final int protocol, final int source,
        final int sourcePort, final int destination, final int destinationPort)
    {
        if (!windowStarted || nowNs - windowStartNs >= WINDOW_NS)
        {
            windowStarted = true;
            windowStartNs = nowNs;
            recordedInWindow = 0;
        }
        if (recordedInWindow == maxPerSecond)
        {
            suppressed++;
            return;
        }
        final int index = ring.tryClaim(MSG_DENIAL, LENGTH);
        if (index < 0)
        {
            suppressed++;
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index + TIME_OFFSET, nowNs);
        buffer.putLong(index + SUPPRESSED_OFFSET, suppressed);
        buffer.putInt(index + DECISION_OFFSET, decision);
        buffer.putInt(index + PROTOCOL_OFFSET, protocol);
        buffer.putInt(index + SOURCE_OFFSET, source);
        buffer.putInt(index + SOURCE_PORT_OFFSET, sourcePort);
        buffer.putInt(index + DESTINATION_OFFSET, destination);
        buffer.putInt(index + DESTINATION_PORT_OFFSET, destinationPort);
        buffer.putInt(index + INBOUND_OFFSET, inbound ? 1 : 0);
        ring.commit(index);
        recordedInWindow++;
        suppressed = 0;
    }

    /**
     * Control-plane thread: hands up to {@code limit} recorded denials to {@code events}.
     *
     * @param ruleNames the names of the rules the decisions' indices refer to.
     * @return how many were handed on.
     */
    int drain(final FirewallEventListener events, final String[] ruleNames, final int limit)
    {
        final MessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            final int decision = buffer.getInt(index + DECISION_OFFSET);
            final int rule = CompiledPolicy.rule(decision);
            events.onFlowDenied(buffer.getLong(index + TIME_OFFSET), CompiledPolicy.reason(decision),
                buffer.getInt(index + INBOUND_OFFSET) != 0, buffer.getInt(index + PROTOCOL_OFFSET),
                buffer.getInt(index + SOURCE_OFFSET), buffer.getInt(index + SOURCE_PORT_OFFSET),
                buffer.getInt(index + DESTINATION_OFFSET), buffer.getInt(index + DESTINATION_PORT_OFFSET),
                rule < 0 ? null : ruleNames[rule], buffer.getLong(index + SUPPRESSED_OFFSET));
        };
        return Rings.read(ring, handler, limit);
    }
}
