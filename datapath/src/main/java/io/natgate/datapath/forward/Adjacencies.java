package io.natgate.datapath.forward;

import io.natgate.datapath.arp.NeighbourTable;
import io.natgate.datapath.arp.PendingFrames;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.offload.Offload;
import io.natgate.datapath.offload.SoftwareOffloads;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Next hops on Ethernet ports: the neighbour table per port, the Ethernet header written before
 * an IP packet for its next hop's MAC, and while that is unresolved a bounded queue of waiting
 * packets and ARP requests, retried on the timer and given up after the configured retries.
 */
final class Adjacencies
{
    private static final long TIMER_INTERVAL_NS = 50_000_000L;

    private final ForwarderConfig config;
    private final PortSettings[] ports;
    private final DatapathCounters counters;
    private final ArpSender arpSender;
    private final NeighbourTable[] neighbours;
    private final PendingFrames pending;
    private final EthernetFrame ethernet = new EthernetFrame();
    private final UnsafeBuffer scratch =
        new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + PendingFrames.SLOT_BYTES + 64]);
    private final PendingFrames.WaitingVisitor retry = this::retryResolution;
    // Per port, the rewrite for its last next hop: its address (0 = none), until when, the header words.
    private final int[] cachedHop;
    private final long[] cachedUntilNs;
    private final long[] cachedHeaderHigh;
    private final long[] cachedHeaderLow;
    private FrameSink timerSink;
    private long timerNowNs;
    private long nextTimerNs;

    Adjacencies(
        final ForwarderConfig config, final PortSettings[] ports, final DatapathCounters counters,
        final ArpSender arpSender)
    {
        this.config = config;
        this.ports = ports;
        this.counters = counters;
        this.arpSender = arpSender;
        neighbours = new NeighbourTable[ports.length];
        for (int i = 0; i < ports.length; i++)
        {
            neighbours[i] = new NeighbourTable(config.neighbourCapacity());
        }
        pending = new PendingFrames(config.arpPendingFrames());
        cachedHop = new int[ports.length];
        cachedUntilNs = new long[ports.length];
        cachedHeaderHigh = new long[ports.length];
        cachedHeaderLow = new long[ports.length];
    }

    /**
     * Sends an IP packet that fits the port's MTU out of an Ethernet port to its next hop, or queues
     * it while the next hop is resolved.
     */
    void send(
        final int egressPort, final MutableDirectBuffer buffer, final int ipOffset, final int ipLength,
        final int offload, final long nowNs, final FrameSink sink)
    {
        final PortSettings port = ports[egressPort];
        final int destination = buffer.getInt(ipOffset + 16, ByteOrder.BIG_ENDIAN);
        final int nextHop = port.isOnLink(destination) ? destination : port.nextHop();
        if (nextHop == 0)
        {
            counters.drop(egressPort, DropReason.NO_ROUTE);
            return;
        }
        if (nextHop == cachedHop[egressPort] && cachedUntilNs[egressPort] - nowNs > 0)
        {
            final int frameOffset = ipOffset - EthernetFrame.HEADER_LENGTH;
            buffer.putLong(frameOffset, cachedHeaderHigh[egressPort], ByteOrder.BIG_ENDIAN);
            buffer.putLong(frameOffset + 6, cachedHeaderLow[egressPort], ByteOrder.BIG_ENDIAN);
            sink.send(egressPort, buffer, frameOffset, ipLength + EthernetFrame.HEADER_LENGTH, offload);
            return;
        }
        final NeighbourTable table = neighbours[egressPort];
        final long mac = table.lookup(nextHop, nowNs);
        if (mac != 0)
        {
            cache(egressPort, nextHop, mac, table.expiresAtNs(nextHop));
            sendEthernet(egressPort, mac, buffer, ipOffset, ipLength, offload, sink);
            return;
        }
        if (Offload.isChecksumPartial(offload))
        {
            // it waits without its offload state: complete it (an aggregate is longer than a slot and refused)
            SoftwareOffloads.completeChecksum(buffer, ipOffset);
        }
        if (!pending.add(egressPort, nextHop, buffer, ipOffset, ipLength))
        {
            counters.drop(egressPort, DropReason.ARP_QUEUE_FULL);
        }
        if (neighbours[egressPort].shouldRequest(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            requestArp(egressPort, nextHop, sink);
        }
    }

    /**
     * Keeps the Ethernet header for the port's last next hop whole, as two words: destination MAC and
     * the source MAC's first 2 bytes, then the source MAC and the ethertype (the words overlap by 2 bytes).
     */
    private void cache(final int port, final int nextHop, final long mac, final long untilNs)
    {
        final long sourceMac = ports[port].macAddress();
        cachedHop[port] = nextHop;
        cachedUntilNs[port] = untilNs;
        cachedHeaderHigh[port] = (mac << 16) | (sourceMac >>> 32);
        cachedHeaderLow[port] = (sourceMac << 16) | EthernetFrame.ETHERTYPE_IPV4;
    }

    /**
     * Writes the Ethernet header in the headroom before the IP packet and sends the frame.
     */
    void sendEthernet(
        final int egressPort, final long destinationMac, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final FrameSink sink)
    {
        sendEthernet(egressPort, destinationMac, buffer, ipOffset, ipLength, Offload.NONE, sink);
    }

    /**
     * As {@link #sendEthernet(int, long, MutableDirectBuffer, int, int, FrameSink)}, the frame going
     * with its {@link Offload} state.
     */
    void sendEthernet(
        final int egressPort, final long destinationMac, final MutableDirectBuffer buffer, final int ipOffset,
        final int ipLength, final int offload, final FrameSink sink)
    {
        final PortSettings port = ports[egressPort];
        final int headerLength = port.vlan() == 0 ? EthernetFrame.HEADER_LENGTH :
            EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH;
        final int frameOffset = ipOffset - headerLength;
        final EthernetFrame ethernet = this.ethernet;
        ethernet.wrap(buffer, frameOffset);
        ethernet.writeHeader(destinationMac, port.macAddress(), port.vlan(), EthernetFrame.ETHERTYPE_IPV4);
        sink.send(egressPort, buffer, frameOffset, ipLength + headerLength, offload);
    }

    /**
     * @return a port's neighbour table.
     */
    NeighbourTable table(final int port)
    {
        return neighbours[port];
    }

    /**
     * Sends what waited for a neighbour its table has just resolved.
     */
    void resolved(final int port, final int address, final long mac, final FrameSink sink)
    {
        cachedHop[port] = 0;
        final UnsafeBuffer scratch = this.scratch;
        int length;
        while ((length = pending.take(port, address, scratch, FrameProcessor.HEADROOM)) > 0)
        {
            sendEthernet(port, mac, scratch, FrameProcessor.HEADROOM, length, sink);
        }
    }

    /**
     * Retries or gives up the resolutions packets wait for.
     *
     * @return the amount of work done.
     */
    int onTimer(final long nowNs, final FrameSink sink)
    {
        if (nowNs - nextTimerNs < 0 || pending.size() == 0)
        {
            return 0;
        }
        nextTimerNs = nowNs + TIMER_INTERVAL_NS;
        timerSink = sink;
        timerNowNs = nowNs;
        pending.forEachWaiting(retry);
        timerSink = null;
        return 1;
    }

    private void retryResolution(final int port, final int nextHop)
    {
        final NeighbourTable table = neighbours[port];
        final long nowNs = timerNowNs;
        if (table.hasFailed(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            final UnsafeBuffer scratch = this.scratch;
            while (pending.take(port, nextHop, scratch, FrameProcessor.HEADROOM) > 0)
            {
                counters.drop(port, DropReason.ARP_UNRESOLVED);
            }
            table.forget(nextHop);
            cachedHop[port] = 0;
        }
        else if (table.shouldRequest(nextHop, nowNs, config.arpRetryIntervalNs(), config.arpRetries()))
        {
            requestArp(port, nextHop, timerSink);
        }
    }

    void requestArp(final int port, final int nextHop, final FrameSink sink)
    {
        if (arpSender.send(sink, ports[port], ArpPacket.OP_REQUEST, EthernetFrame.BROADCAST_MAC, ports[port].address(),
            0, nextHop))
        {
            counters.increment(port, PortCounter.ARP_REQUESTS_SENT);
        }
    }
}
