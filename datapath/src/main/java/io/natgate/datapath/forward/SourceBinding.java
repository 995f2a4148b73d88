package io.natgate.datapath.forward;

import io.natgate.datapath.arp.NeighbourTable;
import io.natgate.datapath.arp.PendingFrames;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.SoftwareOffloads;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Source guard on inside Ethernet ports: a packet's source address must belong to the MAC its frame came
 * from, as the gateway resolved it (the reply to its own ARP request, or a configured binding). The frames
 * of a source not resolved yet wait in a bounded queue, a few per source, while the gateway asks; the
 * answer lets through those from the MAC that answered and drops the others, and a source that never
 * answers has its frames dropped after the ARP retries. So no inside host can borrow a neighbour's address,
 * nor an address nobody has.
 */
final class SourceBinding
{
    /** {@link #check}: the source is bound to the frame's MAC. */
    static final int BOUND = 0;
    /** {@link #check}: the source is bound to another MAC. */
    static final int MISMATCH = 1;
    /** {@link #check}: the source is not resolved (yet). */
    static final int UNRESOLVED = 2;

    /**
     * Processes a frame again from the start, once its source is resolved.
     */
    @FunctionalInterface
    interface Reprocessor
    {
        void reprocess(MutableDirectBuffer buffer, int offset, int length, int ingressPort, long nowNs, FrameSink sink);
    }

    private final ForwarderConfig config;
    private final PortSettings[] ports;
    private final DatapathCounters counters;
    private final Adjacencies adjacencies;
    private static final int SOURCE_ADDRESS_OFFSET = 12;
    private static final long TIMER_INTERVAL_NS = 50_000_000L;

    private final PendingFrames waiting;
    private final EthernetFrame ethernet = new EthernetFrame();
    private final UnsafeBuffer scratch =
        new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + PendingFrames.SLOT_BYTES + 64]);
    private final PendingFrames.WaitingVisitor retry = this::retry;
    private Reprocessor reprocessor;
    private FrameSink timerSink;
    private long timerNowNs;
    private long nextTimerNs;

    SourceBinding(
        final ForwarderConfig config, final PortSettings[] ports, final DatapathCounters counters,
        final Adjacencies adjacencies)
    {
        this.ports = ports;
        this.config = config;
        this.counters = counters;
        this.adjacencies = adjacencies;
        waiting = new PendingFrames(config.unverifiedFrames());
    }

    void reprocessor(final Reprocessor reprocessor)
    {
        this.reprocessor = reprocessor;
    }

    /**
     * @return {@link #BOUND}, {@link #MISMATCH} or {@link #UNRESOLVED}; always {@link #BOUND} when binding is off.
     */
    int check(final int port, final int source, final long sourceMac)
    {
        if (!config.bindSources())
        {
            return BOUND;
        }
        final long boundMac = adjacencies.table(port).macOf(boundAddress(port, source));
        return boundMac == sourceMac ? BOUND : boundMac != 0 ? MISMATCH : UNRESOLVED;
    }

    /**
     * @return the neighbour a source must be bound to: itself on the port's network, the port's router beyond it
     * (routed inside networks).
     */
    private int boundAddress(final int port, final int source)
    {
        final PortSettings settings = ports[port];
        return settings.isOnLink(source) || settings.nextHop() == 0 ? source : settings.nextHop();
    }

    /**
     * Holds an Ethernet frame whose IPv4 source was not resolved when it was classified, and asks for it.
     * An ARP reply earlier in the same burst may have resolved it since: then it goes on at once (or is
     * dropped, from another MAC). A held frame keeps its bytes only, not its offload state, so a
     * checksum-partial frame has its checksum completed first.
     */
    void hold(
        final MutableDirectBuffer buffer, final int frameOffset, final int frameLength, final int port,
        final int offload, final long nowNs, final FrameSink sink)
    {
        final EthernetFrame ethernet = this.ethernet;
        ethernet.wrap(buffer, frameOffset);
        if (Offload.isChecksumPartial(offload))
        {
            SoftwareOffloads.completeChecksum(buffer, frameOffset + ethernet.headerLength());
        }
        final int source = buffer.getInt(frameOffset + ethernet.headerLength() + SOURCE_ADDRESS_OFFSET,
            ByteOrder.BIG_ENDIAN);
        final int address = boundAddress(port, source);
        switch (check(port, source, ethernet.sourceMac()))
        {
            case BOUND ->
            {
                reprocessor.reprocess(buffer, frameOffset, frameLength, port, nowNs, sink);
                return;
            }
            case MISMATCH ->
            {
                counters.drop(port, DropReason.SOURCE_MAC_MISMATCH);
                return;
            }
            default ->
            {
            }
        }
        if (!waiting.add(port, address, buffer, frameOffset, frameLength, config.unverifiedFramesPerSource()))
        {
            counters.drop(port, DropReason.SOURCE_UNRESOLVED);
        }
        if (adjacencies.table(port).shouldRequest(address, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            adjacencies.requestArp(port, address, sink);
        }
    }

    /**
     * Processes again the frames that waited for {@code address}, now resolved: those from its MAC pass,
     * the others are dropped as spoofed on the way.
     */
    void resolved(final int port, final int address, final long nowNs, final FrameSink sink)
    {
        final UnsafeBuffer scratch = this.scratch;
        int length;
        while ((length = waiting.take(port, address, scratch, FrameProcessor.HEADROOM)) > 0)
        {
            reprocessor.reprocess(scratch, FrameProcessor.HEADROOM, length, port, nowNs, sink);
        }
    }

    /**
     * Retries the sources frames wait for, and drops the frames of those that never answered.
     *
     * @return the amount of work done.
     */
    int onTimer(final long nowNs, final FrameSink sink)
    {
        if (waiting.size() == 0 || nowNs - nextTimerNs < 0)
        {
            return 0;
        }
        nextTimerNs = nowNs + TIMER_INTERVAL_NS;
        timerSink = sink;
        timerNowNs = nowNs;
        waiting.forEachWaiting(retry);
        timerSink = null;
        return 1;
    }

    private void retry(final int port, final int address)
    {
        final NeighbourTable table = adjacencies.table(port);
        final long nowNs = timerNowNs;
        if (table.hasFailed(address, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            final UnsafeBuffer scratch = this.scratch;
            while (waiting.take(port, address, scratch, FrameProcessor.HEADROOM) > 0)
            {
                counters.drop(port, DropReason.SOURCE_UNRESOLVED);
            }
            table.forget(address);
        }
        else if (table.macOf(address) == 0 &&
            table.shouldRequest(address, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            adjacencies.requestArp(port, address, timerSink);
        }
    }
}
