package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.MutableDirectBuffer;

/**
 * A trivial frame processor for tests: sends every frame out of the port its ingress port
 * maps to, unchanged (or does what a test's {@link FrameAction} says), optionally emitting a
 * mapping-created event per frame. Records the times and ingress ports it was given.
 */
class ForwardingProcessor implements FrameProcessor
{
    /**
     * What to do with one frame instead of forwarding it.
     */
    @FunctionalInterface
    interface FrameAction
    {
        void onFrame(MutableDirectBuffer buffer, int offset, int length, int ingressPort, FrameSink sink);
    }

    private final int[] egressByIngress;
    private FrameAction action = this::forward;
    private NatEventListener events;
    int timerWork;
    long framesProcessed;
    long timerCalls;
    long startCalls;
    long lastFrameNowNs = Long.MIN_VALUE;
    long lastTimerNowNs = Long.MIN_VALUE;
    final int[] framesByIngress = new int[8];

    ForwardingProcessor(final int... egressByIngress)
    {
        this.egressByIngress = egressByIngress;
    }

    /**
     * @return a processor that does {@code action} with each frame.
     */
    static ForwardingProcessor doing(final FrameAction action)
    {
        final ForwardingProcessor processor = new ForwardingProcessor();
        processor.action = action;
        return processor;
    }

    ForwardingProcessor emitEventsTo(final NatEventListener events)
    {
        this.events = events;
        return this;
    }

    @Override
    public void process(
        final MutableDirectBuffer buffer,
        final int offset,
        final int length,
        final int ingressPort,
        final long nowNs,
        final FrameSink sink)
    {
        framesProcessed++;
        framesByIngress[ingressPort]++;
        lastFrameNowNs = nowNs;
        if (null != events)
        {
            events.onMappingCreated(nowNs, 17, ingressPort, (int)framesProcessed, 0, 0, MappingKind.DYNAMIC.id());
        }
        action.onFrame(buffer, offset, length, ingressPort, sink);
    }

    @Override
    public void onStart(final FrameSink sink)
    {
        startCalls++;
    }

    @Override
    public int onTimer(final long nowNs, final FrameSink sink)
    {
        timerCalls++;
        lastTimerNowNs = nowNs;
        return timerWork;
    }

    void forward(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final FrameSink sink)
    {
        sink.send(egressByIngress[ingressPort], buffer, offset, length);
    }
}
