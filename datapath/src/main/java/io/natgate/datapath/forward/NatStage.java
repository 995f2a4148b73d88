package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.MutableDirectBuffer;

/**
 * Translation as two passes over the burst: the fast path for every frame to translate, then the
 * slow path for those it missed. A frame the slow path drops is counted; one dropped because no
 * mapping could be made is answered with an ICMP error (RFC 5508 REQ-8).
 */
final class NatStage
{
    private final NatEngine nat;
    private final DatapathCounters counters;
    private final IcmpErrors icmpErrors;

    NatStage(final NatEngine nat, final DatapathCounters counters, final IcmpErrors icmpErrors)
    {
        this.nat = nat;
        this.counters = counters;
        this.icmpErrors = icmpErrors;
    }

    /**
     * Fast path: moves a {@link Next#NAT_OUT} or {@link Next#NAT_IN} frame on to translated (its TTL decremented
     * in the same checksum update), or to its slow path.
     */
    void fast(final BurstState state, final int i, final long nowNs)
    {
        final MutableDirectBuffer buffer = state.buffer(i);
        nat.frameOffload(state.frames.offload(i));
        if (state.next[i] == Next.NAT_OUT)
        {
            state.next[i] = nat.fastOutbound(buffer, state.ipOffset[i], state.ipLength[i], true, nowNs,
                state.flowHash[i]) ==
                NatEngine.FORWARD ? Next.FAST_OUT : Next.NAT_SLOW_OUT;
        }
        else
        {
            state.next[i] = nat.fastInbound(buffer, state.ipOffset[i], state.ipLength[i], true, nowNs,
                state.flowHash[i]) ==
                NatEngine.FORWARD ? Next.FAST_IN : Next.NAT_SLOW_IN;
        }
    }

    /**
     * Slow path: moves a {@link Next#NAT_SLOW_OUT} or {@link Next#NAT_SLOW_IN} frame on to translated,
     * hairpinned or done (held or dropped).
     */
    void slow(final BurstState state, final int i, final long nowNs, final FrameSink sink)
    {
        final MutableDirectBuffer buffer = state.buffer(i);
        final int ipOffset = state.ipOffset[i];
        final int ipLength = state.ipLength[i];
        final int ingressPort = state.ingressPort(i);
        final boolean outbound = state.next[i] == Next.NAT_SLOW_OUT;
        nat.frameOffload(state.frames.offload(i));
        final int result = outbound ?
            nat.slowOutbound(buffer, ipOffset, ipLength, ingressPort, nowNs) :
            nat.slowInbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        if (result == NatEngine.FORWARD)
        {
            state.next[i] = outbound ? Next.TRANSLATED_OUT : Next.TRANSLATED_IN;
        }
        else if (result == NatEngine.HAIRPIN)
        {
            state.next[i] = Next.HAIRPINNED;
        }
        else if (result == NatEngine.HANDOFF)
        {
            state.next[i] = Next.DONE;
            if (sink.handoff(nat.handoffWorker(), buffer, ipOffset, ipLength, ingressPort, state.frames.offload(i)))
            {
                counters.increment(GlobalCounter.WORKER_HANDOFFS);
            }
            else
            {
                counters.drop(ingressPort, DropReason.RX_RING_FULL); // the owner's handoff ring is full
            }
        }
        else
        {
            state.next[i] = Next.DONE;
            if (result < 0)
            {
                onDrop(result, ingressPort, buffer, ipOffset, ipLength, nowNs, sink);
            }
        }
    }

    /**
     * A hairpinned packet another worker handed over, its source translated: translates its destination here
     * (this worker owns it) and moves it on to hairpinned, or to done (dropped and counted).
     */
    void handedOff(final BurstState state, final int i, final long nowNs, final FrameSink sink)
    {
        final MutableDirectBuffer buffer = state.buffer(i);
        final int ipOffset = state.frames.offset(i);
        final int ipLength = state.frames.length(i);
        final int ingressPort = state.ingressPort(i);
        state.ipOffset[i] = ipOffset;
        state.ipLength[i] = ipLength;
        nat.frameOffload(state.frames.offload(i));
        final int result = nat.inbound(buffer, ipOffset, ipLength, ingressPort, nowNs);
        state.next[i] = result == NatEngine.FORWARD ? Next.HAIRPINNED : Next.DONE;
        if (result < 0)
        {
            onDrop(result, ingressPort, buffer, ipOffset, ipLength, nowNs, sink);
        }
    }

    private void onDrop(
        final int result, final int ingressPort, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final long nowNs, final FrameSink sink)
    {
        final DropReason reason = NatEngine.dropReason(result);
        counters.drop(ingressPort, reason);
        if (reason == DropReason.OUT_OF_PORTS || reason == DropReason.MAX_SESSIONS ||
            reason == DropReason.CLIENT_PORT_QUOTA || reason == DropReason.CLIENT_SESSION_QUOTA)
        {
            // RFC 5508 REQ-8: no mapping could be created, tell the sender
            icmpErrors.send(ingressPort, IcmpMessage.DESTINATION_UNREACHABLE, IcmpMessage.CODE_ADMIN_PROHIBITED, 0,
                buffer, ipOffset, ipLength, nowNs, sink);
        }
    }
}
