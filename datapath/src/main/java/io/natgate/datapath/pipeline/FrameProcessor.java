package io.natgate.datapath.pipeline;

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
