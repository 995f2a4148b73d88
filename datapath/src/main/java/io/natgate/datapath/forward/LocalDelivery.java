package io.natgate.datapath.forward;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.Ipv4Packet;
import io.natgate.datapath.frame.UdpDatagram;
import io.natgate.datapath.icmp.IcmpWriter;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Traffic to and from the gateway itself: pings to its addresses answered; UDP to an endpoint the
 * control plane {@link #addEndpoint registered} punted to the local port; what the control plane
 * injects through the local port sent out untranslated, from the port whose address is its source
 * (multicast straight to its group MAC) or, sourced from another public address, by the outside routes.
 */
final class LocalDelivery
{
    /** 01:00:5e and the low 23 bits of the group address (RFC 1112). */
    private static final long MULTICAST_MAC_PREFIX = 0x01_00_5E_00_00_00L;

    private final PortSettings[] ports;
    private final int localPort;
    private final NatEngine nat;
    private final DatapathCounters counters;
    private final Routes routes;
    private final Ipv4Input input;
    private final Ipv4Output output;
    private final Adjacencies adjacencies;
    private final long[] endpoints; // address << 16 | port
    private int endpointCount;
    private final IcmpWriter icmpWriter = new IcmpWriter();
    private final Ipv4Packet ip = new Ipv4Packet();

    LocalDelivery(
        final ForwarderConfig config, final PortSettings[] ports, final NatEngine nat, final DatapathCounters counters,
        final Routes routes, final Ipv4Input input, final Ipv4Output output, final Adjacencies adjacencies)
    {
        this.ports = ports;
        this.localPort = config.localPort();
        this.nat = nat;
        this.counters = counters;
        this.routes = routes;
        this.input = input;
        this.output = output;
        this.adjacencies = adjacencies;
        this.endpoints = new long[config.maxLocalEndpoints()];
    }

    int localPort()
    {
        return localPort;
    }

    /**
     * See {@link Forwarder#addLocalEndpoint}.
     */
    boolean addEndpoint(final int address, final int udpPort)
    {
        if (localPort < 0)
        {
            throw new IllegalStateException("no local port configured (" + ForwarderConfig.LOCAL_PORT + ")");
        }
        if (routes.portWithAddress(address) < 0)
        {
            throw new IllegalArgumentException(Ipv4.toString(address) + " is not the address of a port");
        }
        if (udpPort < 1 || udpPort > 0xFFFF)
        {
            throw new IllegalArgumentException("UDP port must be 1..65535: " + udpPort);
        }
        final long key = endpointKey(address, udpPort);
        if (endpointIndex(key) >= 0)
        {
            return true;
        }
        if (endpointCount == endpoints.length)
        {
            return false;
        }
        endpoints[endpointCount++] = key;
        return true;
    }

    /**
     * See {@link Forwarder#removeLocalEndpoint}.
     */
    boolean removeEndpoint(final int address, final int udpPort)
    {
        final int index = endpointIndex(endpointKey(address, udpPort));
        if (index < 0)
        {
            return false;
        }
        endpoints[index] = endpoints[--endpointCount];
        return true;
    }

    int endpointCount()
    {
        return endpointCount;
    }

    /**
     * @return whether a validated packet is an unfragmented UDP datagram to a registered local endpoint.
     */
    boolean isForEndpoint(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        if (endpointCount == 0)
        {
            return false;
        }
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        final int headerLength = ip.headerLength();
        if (ip.protocol() != Ipv4Packet.PROTO_UDP || ip.isFragment() ||
            ipLength - headerLength < UdpDatagram.HEADER_LENGTH)
        {
            return false;
        }
        final int udpPort = buffer.getShort(ipOffset + headerLength + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return endpointIndex(endpointKey(ip.destinationAddress(), udpPort)) >= 0;
    }

    /**
     * @return whether a validated packet is a sound, unfragmented ICMP echo request.
     */
    boolean isEchoRequest(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength)
    {
        final Ipv4Packet ip = this.ip;
        ip.wrap(buffer, ipOffset);
        final int headerLength = ip.headerLength();
        return ip.protocol() == Ipv4Packet.PROTO_ICMP && !ip.isFragment() &&
            ipLength - headerLength >= IcmpMessage.HEADER_LENGTH &&
            (buffer.getByte(ipOffset + headerLength) & 0xFF) == IcmpMessage.ECHO_REQUEST &&
            Checksums.checksum(buffer, ipOffset + headerLength, ipLength - headerLength) == 0;
    }

    void punt(final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final FrameSink sink)
    {
        sink.send(localPort, buffer, ipOffset, ipLength);
    }

    void answerEcho(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final long nowNs, final FrameSink sink)
    {
        icmpWriter.turnIntoEchoReply(buffer, ipOffset);
        counters.increment(ingressPort, PortCounter.ICMP_ECHO_REPLIES_SENT);
        output.send(ingressPort, buffer, ipOffset, ipLength, nowNs, sink);
    }

    /**
     * A packet the control plane sent from one of the gateway's addresses: out of the port with that
     * address, else (another public address) by the outside routes; never translated, TTL kept.
     */
    void sendLocallyOriginated(
        final MutableDirectBuffer buffer, final int ipOffset, final int available, final int ingressPort,
        final long nowNs, final FrameSink sink)
    {
        final int ipLength = input.validate(buffer, ipOffset, available, ingressPort);
        if (ipLength < 0)
        {
            return;
        }
        final int source = buffer.getInt(ipOffset + 12, ByteOrder.BIG_ENDIAN);
        final int destination = buffer.getInt(ipOffset + 16, ByteOrder.BIG_ENDIAN);
        int egressPort = routes.portWithAddress(source);
        if (egressPort < 0)
        {
            if (!nat.isPublicAddress(source))
            {
                counters.drop(ingressPort, DropReason.MARTIAN_SOURCE);
                return;
            }
            egressPort = routes.byRole(PortRole.OUTSIDE, destination);
            if (egressPort < 0)
            {
                counters.drop(ingressPort, DropReason.NO_ROUTE);
                return;
            }
        }
        final long groupMac = destination == -1 ? EthernetFrame.BROADCAST_MAC :
            (destination & 0xF000_0000) == 0xE000_0000 ? MULTICAST_MAC_PREFIX | (destination & 0x7F_FFFF) : 0;
        if (groupMac == 0)
        {
            output.send(egressPort, buffer, ipOffset, ipLength, nowNs, sink);
        }
        else if (ipLength > ports[egressPort].mtu())
        {
            counters.drop(ingressPort, DropReason.FRAGMENTATION_NEEDED);
        }
        else if (ports[egressPort].linkLayer() == LinkLayer.RAW_IP)
        {
            sink.send(egressPort, buffer, ipOffset, ipLength);
        }
        else
        {
            adjacencies.sendEthernet(egressPort, groupMac, buffer, ipOffset, ipLength, sink);
        }
    }

    private int endpointIndex(final long key)
    {
        for (int i = 0; i < endpointCount; i++)
        {
            if (endpoints[i] == key)
            {
                return i;
            }
        }
        return -1;
    }

    private static long endpointKey(final int address, final int udpPort)
    {
        return (address & 0xFFFF_FFFFL) << 16 | udpPort;
    }
}
