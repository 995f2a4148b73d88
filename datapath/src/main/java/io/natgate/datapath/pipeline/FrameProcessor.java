package io.natgate.datapath.pipeline;

import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;

/**
 * The per-frame work of the worker: parse, answer ARP and ICMP to the gateway, filter,
 * translate and route. Runs only on the worker thread.
 */
public interface FrameProcessor
{
    /**
     * Bytes the caller guarantees to be writable before {@code offset} in {@link #process}, so a
     * link header can be prepended (raw-IP port in, Ethernet port out) without a copy.
     */
    int HEADROOM = 64;

    /**
     * Processes one frame received on {@code ingressPort}, rewriting it in place and
     * emitting whatever it produces (the translated frame, replies, ICMP errors) to {@code sink}.
     */
    void process(MutableDirectBuffer buffer, int offset, int length, int ingressPort, long nowNs, FrameSink sink);

    /**
     * Processes a burst: what {@link #process} does to each frame, in any order of stages (a
     * processor may run each stage over the whole burst before the next, as VPP's nodes do), but
     * what leaves one egress port leaves in the order it came. The default prefetches each frame,
     * then processes each in turn. An exception about one frame goes to {@code errors} and the rest
     * of the burst goes on.
     */
    default void processBurst(final FrameVector frames, final long nowNs, final FrameSink sink, final ErrorHandler errors)
    {
        final int size = frames.size();
        if (size > 1)
        {
            for (int i = 0; i < size; i++)
            {
                prefetch(frames.buffer(i), frames.offset(i), frames.length(i), frames.ingressPort(i));
            }
            prefetchDone();
        }
        for (int i = 0; i < size; i++)
        {
            try
            {
                process(frames.buffer(i), frames.offset(i), frames.length(i), frames.ingressPort(i), nowNs, sink);
            }
            catch (final RuntimeException ex)
            {
                errors.onError(ex);
            }
        }
    }

    /**
     * @return true when this processor honours the {@link FrameVector#offload offload states} of the
     * frames it is given (and sends them on with theirs); otherwise the worker completes
     * checksum-partial frames before handing them over.
     */
    default boolean acceptsOffloads()
    {
        return false;
    }

    /**
     * Before a burst is processed, called for each of its frames in order: a chance to start the
     * memory loads the frame will need (its session), so the burst's cache misses overlap. Only a
     * hint: it must not change the frame or any state that decides what happens to it.
     */
    default void prefetch(final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort)
    {
    }

    /**
     * Called once after {@link #prefetch} has seen every frame of the burst, before the first is processed.
     */
    default void prefetchDone()
    {
    }

    /**
     * Finishes a hairpinned IPv4 packet another worker handed over ({@link FrameSink#handoff}): translates its
     * destination on this worker (which owns it) and sends it back inside. {@code HEADROOM} bytes before
     * {@code ipOffset} are writable for the link header. Only processors that hand off receive these.
     */
    default void processHandoff(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final int offload, final long nowNs, final FrameSink sink)
    {
        throw new IllegalStateException("a handed-off packet reached a processor that never hands off");
    }

    /**
     * Called once on the worker thread before the first frame, e.g. to send gratuitous ARP.
     */
    default void onStart(final FrameSink sink)
    {
    }

    /**
     * Runs timers (session expiry, ARP retries, fragment timeouts), a bounded amount per call.
     *
     * @return the amount of work done, 0 when idle.
     */
    int onTimer(long nowNs, FrameSink sink);
}
