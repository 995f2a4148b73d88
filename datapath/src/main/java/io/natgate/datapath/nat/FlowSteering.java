package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Picks the worker that owns an IPv4 packet's flow, before any worker sees it (the rx side's
 * classification): from the inside by the inside host ({@link WorkerSteering#insideWorker}), from the
 * outside by the public endpoint ({@link WorkerSteering#publicWorker}). An ICMP error goes where the flow
 * it quotes goes: the quoted packet's destination from the inside, its source endpoint from the outside.
 * <p>
 * A later fragment carries no port. From the inside its source address is enough; from the outside the
 * first fragment's choice is remembered per datagram (source, destination, protocol, identification) and
 * later fragments follow it; a later fragment that comes before its first is held here (bounded, as the
 * engine holds them) and handed back by {@link #pollReleased} once the first fragment came. One per
 * steering thread: it is single-threaded and allocates nothing per packet.
 */
public final class FlowSteering
{
    /** Result of {@link #inbound}: the fragment was held until its first fragment comes. */
    public static final int HELD = Integer.MIN_VALUE;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final WorkerSteering steering;
    private final DatapathCounters counters;
    private final FragmentTable fragments;
    private final long fragmentTimeoutNs;
    private final int[] timedOutPorts;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet quoted = new Ipv4Packet();

    /**
     * @param config   bounds the fragments remembered and held ({@link NatConfig#maxFragmentFlows()},
     *                 {@link NatConfig#maxHeldFragments()}) and how long ({@link NatConfig#fragmentTimeoutNs()}).
     * @param counters where held fragments and their drops are counted, by ingress port.
     */
    public FlowSteering(final WorkerSteering steering, final NatConfig config, final DatapathCounters counters)
    {
        this.steering = steering;
        this.counters = counters;
        this.fragments = new FragmentTable(config.maxFragmentFlows(), config.maxHeldFragments());
        this.fragmentTimeoutNs = config.fragmentTimeoutNs();
        this.timedOutPorts = new int[counters.portCount()];
    }

    public int workers()
    {
        return steering.workers();
    }

    /**
     * @return the worker of a packet from the inside (validated IPv4 header at {@code ipOffset}).
     */
    public int outbound(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        if (steering.workers() == 1)
        {
            return 0;
        }
        final Ipv4Packet ip = wrap(this.ip, buffer, ipOffset);
        final int headerLength = ip.headerLength();
        if (ip.protocol() == Ipv4Protocols.ICMP && ip.fragmentOffsetBytes() == 0 &&
            ipLength >= headerLength + IcmpMessage.HEADER_LENGTH + 20 &&
            IcmpMessage.isError(buffer.getByte(ipOffset + headerLength) & 0xFF))
        {
            // an error about a packet that came in: it quotes the inside host as its destination
            return steering.insideWorker(buffer.getInt(ipOffset + headerLength + IcmpMessage.HEADER_LENGTH + 16, NETWORK));
        }
        return steering.insideWorker(ip.sourceAddress());
    }

    /**
     * @return the worker of a packet from the outside, {@link #HELD}, or a negative drop code
     * ({@link NatEngine#drop}) for a later fragment that could be neither steered nor held.
     */
    public int inbound(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort, final long nowNs)
    {
        if (steering.workers() == 1)
        {
            return 0;
        }
        final Ipv4Packet ip = wrap(this.ip, buffer, ipOffset);
        final long keyHigh = FragmentTable.keyHigh(ip.sourceAddress(), ip.destinationAddress());
        final long keyLow = FragmentTable.keyLow(false, ip.protocol(), ip.identification());
        if (ip.fragmentOffsetBytes() != 0)
        {
            return laterFragment(keyHigh, keyLow, buffer, ipOffset, ipLength, ingressPort, nowNs);
        }
        final int worker = firstOrWhole(buffer, ipOffset, ipLength);
        if (ip.moreFragments() && fragments.track(keyHigh, keyLow, worker, 0, nowNs + fragmentTimeoutNs) &&
            fragments.heldCount() > 0)
        {
            fragments.releaseKey(keyHigh, keyLow);
        }
        return worker;
    }

    /**
     * After a first fragment was steered, hands back, one per call, later fragments of its datagram that
     * were held here, as they came, for the caller to steer again (they follow their first fragment now).
     *
     * @return the length copied to {@code destination}, or 0 when none is left.
     */
    public int pollReleased(final MutableDirectBuffer destination, final int offset)
    {
        return fragments.pollReleased(destination, offset);
    }

    /**
     * @return true when the last packet steered released held fragments for {@link #pollReleased}.
     */
    public boolean hasReleased()
    {
        return fragments.releaseKeyLow() != 0;
    }

    /**
     * Forgets datagrams and drops held fragments past their time, counting each dropped fragment on its port.
     *
     * @return the amount of work done.
     */
    public int expire(final long nowNs)
    {
        final int work = fragments.expire(nowNs, timedOutPorts);
        for (int port = 0; work > 0 && port < timedOutPorts.length; port++)
        {
            for (; timedOutPorts[port] > 0; timedOutPorts[port]--)
            {
                counters.drop(port, DropReason.FRAGMENT_TIMEOUT);
            }
        }
        return work;
    }

    private int laterFragment(
        final long keyHigh, final long keyLow, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final int ingressPort, final long nowNs)
    {
        final int flow = fragments.find(keyHigh, keyLow);
        if (flow != FragmentTable.NONE)
        {
            return fragments.newAddress(flow);
        }
        final int result = fragments.holdOrDrop(keyHigh, keyLow, buffer, ipOffset, ipLength, ingressPort,
            nowNs + fragmentTimeoutNs, counters);
        return result == NatEngine.HELD ? HELD : result;
    }

    /**
     * @return the worker of an unfragmented packet or first fragment from the outside.
     */
    private int firstOrWhole(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        final Ipv4Packet ip = this.ip;
        final int protocol = ip.protocol();
        final int l4Offset = ipOffset + ip.headerLength();
        final int l4Length = ipLength - ip.headerLength();
        if ((protocol == Ipv4Protocols.TCP || protocol == Ipv4Protocols.UDP) && l4Length >= 4)
        {
            return steering.publicWorker(protocol, ip.destinationAddress(), buffer.getShort(l4Offset + 2, NETWORK) & 0xFFFF);
        }
        if (protocol != Ipv4Protocols.ICMP || l4Length < IcmpMessage.HEADER_LENGTH)
        {
            return 0; // dropped by whichever worker: no flow to find
        }
        final int type = buffer.getByte(l4Offset) & 0xFF;
        if (!IcmpMessage.isError(type))
        {
            return steering.publicWorker(Ipv4Protocols.ICMP, ip.destinationAddress(),
                buffer.getShort(l4Offset + 4, NETWORK) & 0xFFFF);
        }
        // an error about a packet that went out: its source is the public endpoint
        final int quotedOffset = l4Offset + IcmpMessage.HEADER_LENGTH;
        if (l4Length < IcmpMessage.HEADER_LENGTH + 20)
        {
            return 0;
        }
        final Ipv4Packet quoted = wrap(this.quoted, buffer, quotedOffset);
        final int quotedHeaderLength = quoted.headerLength();
        final int quotedL4 = quotedOffset + quotedHeaderLength;
        if (quotedHeaderLength < 20 || quotedL4 + 8 > ipOffset + ipLength || quoted.fragmentOffsetBytes() != 0)
        {
            return 0;
        }
        final int quotedProtocol = quoted.protocol();
        final int port = quotedProtocol == Ipv4Protocols.ICMP ?
            buffer.getShort(quotedL4 + 4, NETWORK) & 0xFFFF : buffer.getShort(quotedL4, NETWORK) & 0xFFFF;
        return steering.publicWorker(quotedProtocol, quoted.sourceAddress(), port);
    }

    private static Ipv4Packet wrap(final Ipv4Packet packet, final MutableDirectBuffer buffer, final int offset)
    {
        packet.wrap(buffer, offset);
        return packet;
    }
}
