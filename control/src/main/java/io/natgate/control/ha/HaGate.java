package io.natgate.control.ha;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.pipeline.FrameVector;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The forwarder behind a switch the HA node throws: while this gateway is a standby every frame received is
 * dropped (counted {@link DropReason#HA_STANDBY}) and nothing is announced or answered, so neighbours keep
 * talking to the active; when it becomes active it claims the gateway's addresses with gratuitous ARP on every
 * Ethernet port, a few rounds apart (a lost one is covered by the next), and forwards. The switch is read once
 * per burst on the worker thread.
 */
public final class HaGate implements FrameProcessor
{
    /** Rounds of gratuitous ARP on becoming active, and the time between them. */
    static final int ANNOUNCE_ROUNDS = 3;
    static final long ANNOUNCE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Forwarder forwarder;
    private final DatapathCounters counters;
    private volatile boolean forwarding;
    private volatile int announceRequests;
    private int announcesSeen;
    private int roundsLeft;
    private long nextRoundNs;
    private volatile long announcementsSent;

    public HaGate(final Forwarder forwarder, final DatapathCounters counters)
    {
        this.forwarder = forwarder;
        this.counters = counters;
    }

    /**
     * Called by the HA node (event thread): from the next burst on frames are forwarded, or dropped.
     */
    public void forwarding(final boolean forwarding)
    {
        this.forwarding = forwarding;
    }

    public boolean forwarding()
    {
        return forwarding;
    }

    /**
     * Called by the HA node: the worker sends {@value #ANNOUNCE_ROUNDS} rounds of gratuitous ARP from its next
     * duty cycle on.
     */
    public void announce()
    {
        announceRequests++; // the event thread is the only writer
    }

    /**
     * @return gratuitous ARP frames sent since the start.
     */
    public long announcementsSent()
    {
        return announcementsSent;
    }

    @Override
    public void process(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final long nowNs,
        final FrameSink sink)
    {
        if (forwarding)
        {
            forwarder.process(buffer, offset, length, ingressPort, nowNs, sink);
        }
        else
        {
            counters.drop(ingressPort, DropReason.HA_STANDBY);
        }
    }

    @Override
    public void processBurst(final FrameVector frames, final long nowNs, final FrameSink sink, final ErrorHandler errors)
    {
        if (forwarding)
        {
            forwarder.processBurst(frames, nowNs, sink, errors);
            return;
        }
        for (int i = 0, size = frames.size(); i < size; i++)
        {
            counters.drop(frames.ingressPort(i), DropReason.HA_STANDBY);
        }
    }

    @Override
    public boolean acceptsOffloads()
    {
        return forwarder.acceptsOffloads();
    }

    @Override
    public void prefetch(final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort)
    {
        forwarder.prefetch(buffer, offset, length, ingressPort);
    }

    @Override
    public void prefetchDone()
    {
        forwarder.prefetchDone();
    }

    /**
     * The forwarder announces itself at start only when it starts active (a standby must not).
     */
    @Override
    public void onStart(final FrameSink sink)
    {
        if (forwarding)
        {
            forwarder.onStart(sink);
        }
    }

    @Override
    public int onTimer(final long nowNs, final FrameSink sink)
    {
        int work = forwarder.onTimer(nowNs, sink);
        final int requests = announceRequests;
        if (requests != announcesSeen)
        {
            announcesSeen = requests;
            roundsLeft = ANNOUNCE_ROUNDS;
            nextRoundNs = nowNs;
        }
        if (roundsLeft > 0 && nowNs - nextRoundNs >= 0 && forwarding)
        {
            roundsLeft--;
            nextRoundNs = nowNs + ANNOUNCE_INTERVAL_NS;
            final int sent = forwarder.announce(sink);
            announcementsSent += sent;
            work += sent;
        }
        return work;
    }
}
