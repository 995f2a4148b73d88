package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.icmp.IcmpWriter;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.arp.PendingFrames;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The ICMP errors the gateway itself sends (time exceeded, fragmentation needed, administratively
 * prohibited), back out of the port the offending packet came in on, limited by a token bucket
 * (RFC 1812 4.3.2.8).
 */
final class IcmpErrors
{
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final PortSettings[] ports;
    private final DatapathCounters counters;
    private final Ipv4Output output;
    private final long errorsPerSecond;
    private final IcmpWriter writer = new IcmpWriter();
    private final UnsafeBuffer scratch =
        new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + PendingFrames.SLOT_BYTES + 64]);
    private long tokens;
    private long refillNs;

    IcmpErrors(
        final PortSettings[] ports, final DatapathCounters counters, final Ipv4Output output,
        final long errorsPerSecond)
    {
        this.ports = ports;
        this.counters = counters;
        this.output = output;
        this.errorsPerSecond = errorsPerSecond;
        this.tokens = errorsPerSecond;
    }

    void send(
        final int ingressPort, final int type, final int code, final int restOfHeader,
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final long nowNs,
        final FrameSink sink)
    {
        if (!takeToken(nowNs))
        {
            return;
        }
        final UnsafeBuffer scratch = this.scratch;
        final int length = writer.writeError(scratch, FrameProcessor.HEADROOM, type, code, restOfHeader,
            ports[ingressPort].address(), buffer, ipOffset, ipLength);
        if (length > 0)
        {
            counters.increment(ingressPort, PortCounter.ICMP_ERRORS_SENT);
            output.send(ingressPort, scratch, FrameProcessor.HEADROOM, length, nowNs, sink);
        }
    }

    private boolean takeToken(final long nowNs)
    {
        final long elapsedNs = nowNs - refillNs;
        if (elapsedNs > 0)
        {
            final long limit = errorsPerSecond;
            final long refill = elapsedNs >= NS_PER_SECOND ? limit : elapsedNs * limit / NS_PER_SECOND;
            if (refill > 0)
            {
                tokens = Math.min(limit, tokens + refill);
                refillNs = nowNs;
            }
        }
        if (tokens > 0)
        {
            tokens--;
            return true;
        }
        return false;
    }
}
