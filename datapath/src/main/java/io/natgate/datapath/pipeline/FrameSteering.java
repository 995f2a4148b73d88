package io.natgate.datapath.pipeline;

import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.FlowSteering;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The receive side's choice of worker for a frame, before the one copy into that worker's rx ring: an IPv4
 * frame from an inside port goes to its inside host's worker, from an outside port to the worker that owns
 * its public endpoint ({@link FlowSteering}). An ARP reply goes to {@link #ALL_WORKERS} (each worker resolves
 * its own next hops and clients, and learns only from answers to its own requests); everything else that is
 * not IPv4 (ARP requests, answered once; IPv6, forwarded once) and what is too short to tell goes to worker
 * 0, which handles or drops and counts it as a single worker does. One per rx thread (it holds later fragments that
 * come before their first: {@link FlowSteering#HELD}).
 */
public final class FrameSteering
{
    /** Every worker gets a copy (ARP replies). */
    public static final int ALL_WORKERS = -1;
    /** A later fragment held until its first fragment's worker is known ({@link FlowSteering#pollReleased}). */
    public static final int HELD = FlowSteering.HELD;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int ARP_OPCODE_OFFSET = 6;
    private static final int ARP_REPLY = 2;

    private final FlowSteering flows;
    private final boolean[] insidePorts;

    /**
     * @param insidePorts per port index, true for an inside port (outbound traffic), false for an outside one.
     */
    public FrameSteering(final FlowSteering flows, final boolean[] insidePorts)
    {
        this.flows = flows;
        this.insidePorts = insidePorts.clone();
    }

    /**
     * @param rawIp true for a port without a link layer (the frame is the IP packet).
     * @return the worker, {@link #ALL_WORKERS}, {@link #HELD}, or a negative drop code for a later fragment
     * that could be neither steered nor held (counted by the caller on {@code portIndex}).
     */
    public int worker(
        final MutableDirectBuffer buffer, final int offset, final int length, final int portIndex, final boolean rawIp,
        final long nowNs)
    {
        if (flows.workers() == 1)
        {
            return 0;
        }
        int ipOffset = offset;
        if (!rawIp)
        {
            if (length < EthernetFrame.HEADER_LENGTH)
            {
                return 0;
            }
            int etherType = buffer.getShort(offset + 12, NETWORK) & 0xFFFF;
            ipOffset = offset + EthernetFrame.HEADER_LENGTH;
            if (etherType == EthernetFrame.ETHERTYPE_VLAN)
            {
                if (length < EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH)
                {
                    return 0;
                }
                etherType = buffer.getShort(offset + 16, NETWORK) & 0xFFFF;
                ipOffset += EthernetFrame.VLAN_TAG_LENGTH;
            }
            if (etherType == EthernetFrame.ETHERTYPE_ARP)
            {
                return ipOffset + ARP_OPCODE_OFFSET + 2 <= offset + length &&
                    (buffer.getShort(ipOffset + ARP_OPCODE_OFFSET, NETWORK) & 0xFFFF) == ARP_REPLY ? ALL_WORKERS : 0;
            }
            if (etherType != EthernetFrame.ETHERTYPE_IPV4)
            {
                return 0;
            }
        }
        final int available = offset + length - ipOffset;
        if (available < IPV4_MIN_HEADER || (buffer.getByte(ipOffset) & 0xF0) != 0x40)
        {
            return 0;
        }
        final int headerLength = (buffer.getByte(ipOffset) & 0x0F) << 2;
        final int ipLength = Math.min(available, buffer.getShort(ipOffset + 2, NETWORK) & 0xFFFF);
        if (headerLength < IPV4_MIN_HEADER || ipLength < headerLength)
        {
            return 0;
        }
        return insidePorts[portIndex] ?
            flows.outbound(buffer, ipOffset, ipLength) :
            flows.inbound(buffer, ipOffset, ipLength, portIndex, nowNs);
    }

    /**
     * @return true when the frame just steered released later fragments that waited for it.
     */
    public boolean hasReleased()
    {
        return flows.hasReleased();
    }

    /**
     * Hands back, one per call, an IP packet the last steered frame released; the caller steers it again.
     *
     * @return its length, 0 when none is left.
     */
    public int pollReleased(final MutableDirectBuffer destination, final int offset)
    {
        return flows.pollReleased(destination, offset);
    }

    /**
     * Drops held fragments past their time (counted on their port).
     *
     * @return the amount of work done.
     */
    public int expire(final long nowNs)
    {
        return flows.expire(nowNs);
    }
}
