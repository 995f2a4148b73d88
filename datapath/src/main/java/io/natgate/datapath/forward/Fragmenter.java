package io.natgate.datapath.forward;

import io.natgate.datapath.arp.PendingFrames;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Splits a packet without DF into fragments that fit the egress MTU (RFC 791), each sent on
 * through {@link Ipv4Output}.
 */
final class Fragmenter
{
    private static final int HEADROOM = FrameProcessor.HEADROOM;

    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet fragmentHeader = new Ipv4Packet();
    private final UnsafeBuffer fragment = new UnsafeBuffer(new byte[HEADROOM + PendingFrames.SLOT_BYTES + 64]);

    void fragment(
        final int mtu, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int egressPort,
        final long nowNs, final FrameSink sink, final Ipv4Output output)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        final int headerLength = ip.headerLength();
        final int maxPayload = ((mtu - headerLength) / 8) * 8;
        final int originalFlags = ip.flagsAndFragmentOffset();
        final int originalOffsetUnits = originalFlags & Ipv4Packet.FRAGMENT_OFFSET_MASK;
        final boolean originalMoreFragments = (originalFlags & Ipv4Packet.FLAG_MF) != 0;
        final UnsafeBuffer fragment = this.fragment;
        final Ipv4Packet fragmentHeader = this.fragmentHeader;
        for (int payloadOffset = 0; payloadOffset < ipLength - headerLength; payloadOffset += maxPayload)
        {
            final int payloadLength = Math.min(maxPayload, ipLength - headerLength - payloadOffset);
            final boolean last = payloadOffset + payloadLength >= ipLength - headerLength;
            fragment.putBytes(HEADROOM, buffer, ipOffset, headerLength);
            fragment.putBytes(HEADROOM + headerLength, buffer, ipOffset + headerLength + payloadOffset, payloadLength);
            fragmentHeader.wrap(fragment, HEADROOM);
            fragmentHeader.totalLength(headerLength + payloadLength);
            fragmentHeader.flagsAndFragmentOffset(
                (last && !originalMoreFragments ? 0 : Ipv4Packet.FLAG_MF) | (originalOffsetUnits + payloadOffset / 8));
            fragmentHeader.updateHeaderChecksum();
            output.send(egressPort, fragment, HEADROOM, headerLength + payloadLength, nowNs, sink);
        }
    }
}
