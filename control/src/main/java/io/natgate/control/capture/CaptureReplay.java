package io.natgate.control.capture;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapDumper;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.NetworkInterfaces;
import io.natgate.control.config.PortConfig;
import io.natgate.control.config.StaticMapping;
import io.natgate.control.firewall.Firewall;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.control.gateway.CommandCompletions;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a capture through the NAT offline, as {@code natgate pcap} does: each frame of the input file enters the
 * gateway on one port, and what the gateway sends out of the other is written to the output file with the time of
 * the frame that caused it, so a capture from the field comes out translated with its timing and opens in Wireshark.
 * The engine's clock is the capture's, so sessions time out as they would have.
 * <p>
 * The engine, forwarder and firewall rules are built from the config as {@code natgate run} builds them (static
 * mappings applied, no journal, no providers), one frame at a time on this thread. Interfaces need not exist, and
 * the frames the capture shows sent to the gateway it was taken in front of (the destination of its first unicast
 * IPv4 frame) are taken as sent to this one. The replay plays the
 * network's part in ARP: the gateway resolves addresses before it forwards to them (inside clients included), and
 * each of its requests is answered at once, with the MAC the capture shows for that address on the input side, or
 * a made-up locally administered one ({@code 02:00} and the address) elsewhere; the output file holds the requests
 * and answers as a capture on that link would.
 */
public final class CaptureReplay
{
    private static final int SNAP_LENGTH = 65_535;
    private static final long MADE_UP_MAC = 0x0200_0000_0000L;

    /**
     * What a replay did.
     *
     * @param framesIn      frames read from the input file.
     * @param framesOut     frames written to the output file (ARP answers on that side included).
     * @param framesBack    frames the gateway sent back out of the input port (ARP, ICMP errors): not written.
     * @param arpAnswered   the gateway's ARP requests the replay answered.
     * @param drops         frames dropped, by reason (only reasons that occurred).
     * @param staticMappings each static mapping of the config and how applying it went.
     */
    public record Result(
        long framesIn, long framesOut, long framesBack, long arpAnswered, Map<String, Long> drops,
        Map<String, String> staticMappings)
    {
    }

    private final EffectiveSettings settings;
    private final int inputPort;
    private final int outputPort;
    private final DatapathCounters counters;
    private final NatEngine nat;
    private final Forwarder forwarder;
    private final Int2ObjectHashMap<Long> inputMacs = new Int2ObjectHashMap<>();
    private final ArrayDeque<byte[]> answers = new ArrayDeque<>();
    private final ArrayDeque<Integer> answerPorts = new ArrayDeque<>();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + SNAP_LENGTH]);
    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Map<Long, CommandStatus> completions = new LinkedHashMap<>();
    private PcapDumper output;
    private UnsafeBuffer staging;
    private long timestampMicros;
    private long framesOut;
    private long framesBack;
    private long arpAnswered;

    private final long capturedGatewayMac;
    private final long inputPortMac;

    private CaptureReplay(final EffectiveSettings settings, final String from, final long capturedGatewayMac)
    {
        this.capturedGatewayMac = capturedGatewayMac;
        this.settings = settings;
        final GatewayConfig config = settings.gateway().orElseThrow();
        final List<PortConfig> ports = config.ports();
        final PortConfig input = port(ports, from, true);
        final PortConfig out = port(ports, from, false);
        for (final PortConfig port : List.of(input, out))
        {
            if (port.backend().linkLayer() != LinkLayer.ETHERNET)
            {
                throw new IllegalArgumentException("port " + port.name() + " carries raw IP (" +
                    port.backend().configName() + "); natgate pcap replays Ethernet captures");
            }
        }
        inputPort = input.settings().index();
        inputPortMac = input.settings().macAddress();
        outputPort = out.settings().index();
        counters = new DatapathCounters(ports.size());
        nat = new NatEngine(settings.natConfig(),
            new CommandCompletions(completion -> completions.put(completion.correlationId(), completion.status())),
            counters);
        forwarder = new Forwarder(settings.forwarderConfig(), nat, counters);
        final Firewall firewall = new Firewall(config.firewallRules(), settings.forwarderConfig().ports(),
            config.insideRoutes(), command ->
        {
            throw new IllegalStateException("no firewall sessions in a replay");
        }, nat::flowPolicy, FirewallEventListener.NONE, () -> timestampMicros * 1000,
            Firewall.DENIAL_EVENTS_PER_SECOND_DEFAULT);
        nat.flowPolicy(firewall.policy());
    }

    /**
     * @return a loader's view of interfaces for a replay: every interface exists, its MAC {@code mac} unless the
     * config gives one, its MTU 1500 unless the config gives one.
     */
    public static NetworkInterfaces interfaces(final long mac)
    {
        return name -> Optional.of(new NetworkInterfaces.Interface(name, mac, 1500));
    }

    /**
     * @return the destination MAC of the first unicast IPv4 frame of {@code capture}: the gateway it was taken in
     * front of; a made-up one when it has none.
     */
    public static long gatewayMac(final Path capture)
    {
        try (Pcap pcap = Pcap.openOffline(capture))
        {
            final UnsafeBuffer view = new UnsafeBuffer();
            final EthernetFrame ethernet = new EthernetFrame();
            while (pcap.linkType() == LibPcap.DLT_EN10MB && pcap.next() == Pcap.PACKET)
            {
                if (pcap.capturedLength() < EthernetFrame.HEADER_LENGTH)
                {
                    continue;
                }
                view.wrap(pcap.packetAddress(), pcap.capturedLength());
                ethernet.wrap(view, 0);
                final long destination = ethernet.destinationMac();
                if (ethernet.etherType() == EthernetFrame.ETHERTYPE_IPV4 && (destination >>> 40 & 1) == 0)
                {
                    return destination;
                }
            }
        }
        return MADE_UP_MAC | 1;
    }

    /**
     * Replays {@code input} into the port of role {@code from} ("inside" or "outside") and writes what leaves the
     * other port to {@code output}.
     *
     * @throws io.natgate.bindings.pcap.PcapException with libpcap's text when a file cannot be read or written.
     * @throws IllegalArgumentException for a capture that is not Ethernet, or a config without the ports.
     */
    public static Result replay(final EffectiveSettings settings, final String from, final Path input, final Path output)
    {
        return new CaptureReplay(settings, from, gatewayMac(input)).run(input, output);
    }

    private Result run(final Path inputFile, final Path outputFile)
    {
        long framesIn = 0;
        try (Pcap input = Pcap.openOffline(inputFile);
            PcapDumper dumper = PcapDumper.create(outputFile, LibPcap.DLT_EN10MB, SNAP_LENGTH))
        {
            if (input.linkType() != LibPcap.DLT_EN10MB)
            {
                throw new IllegalArgumentException(inputFile + " has link type " + Pcap.linkTypeName(input.linkType()) +
                    "; natgate pcap replays Ethernet (EN10MB) captures");
            }
            output = dumper;
            staging = new UnsafeBuffer(dumper.stagingBuffer().address(), (int)dumper.stagingBuffer().byteSize());
            final FrameSink sink = this::send;
            boolean first = true;
            while (input.next() == Pcap.PACKET)
            {
                framesIn++;
                timestampMicros = input.timestampMicros();
                final long nowNs = timestampMicros * 1000;
                if (first)
                {
                    applyStaticMappings(nowNs);
                    first = false;
                }
                forwarder.onTimer(nowNs, sink);
                final int length = input.capturedLength();
                frame.putBytes(FrameProcessor.HEADROOM, new UnsafeBuffer(input.packetAddress(), length), 0, length);
                learn(length);
                if (ethernet.destinationMac() == capturedGatewayMac)
                {
                    ethernet.destinationMac(inputPortMac);
                }
                forwarder.process(frame, FrameProcessor.HEADROOM, length, inputPort, nowNs, sink);
                while (!answers.isEmpty())
                {
                    final byte[] answer = answers.poll();
                    final int port = answerPorts.poll();
                    if (port == outputPort)
                    {
                        write(new UnsafeBuffer(answer), 0, answer.length);
                    }
                    frame.putBytes(FrameProcessor.HEADROOM, answer);
                    forwarder.process(frame, FrameProcessor.HEADROOM, answer.length, port, nowNs, sink);
                }
            }
            dumper.flush();
        }
        final Map<String, Long> drops = new LinkedHashMap<>();
        for (int port = 0; port < counters.portCount(); port++)
        {
            for (int id = 0; id < DropReason.count(); id++)
            {
                final DropReason reason = DropReason.get(id);
                final long count = reason == null ? 0 : counters.get(port, reason);
                if (count > 0)
                {
                    drops.merge(reason.label(), count, Long::sum);
                }
            }
        }
        final Map<String, String> statics = new LinkedHashMap<>();
        final List<StaticMapping> mappings = settings.gateway().orElseThrow().staticMappings();
        for (int i = 0; i < mappings.size(); i++)
        {
            final CommandStatus status = completions.get((long)i + 1);
            statics.put(mappings.get(i).toString(), status == null ? "not applied (no frames)" : status.label());
        }
        return new Result(framesIn, framesOut, framesBack, arpAnswered, drops, statics);
    }

    private void applyStaticMappings(final long nowNs)
    {
        nat.commandTimeNs(nowNs);
        final List<StaticMapping> mappings = settings.gateway().orElseThrow().staticMappings();
        for (int i = 0; i < mappings.size(); i++)
        {
            mappings.get(i).addTo(nat, i + 1);
        }
    }

    /**
     * Keeps the MAC an IPv4 frame of the input came from, to answer the gateway's ARP for its address with it.
     */
    private void learn(final int length)
    {
        ethernet.wrap(frame, FrameProcessor.HEADROOM);
        if (length >= EthernetFrame.HEADER_LENGTH + 20 && ethernet.etherType() == EthernetFrame.ETHERTYPE_IPV4)
        {
            inputMacs.put(frame.getInt(FrameProcessor.HEADROOM + EthernetFrame.HEADER_LENGTH + 12,
                java.nio.ByteOrder.BIG_ENDIAN), Long.valueOf(ethernet.sourceMac()));
        }
    }

    private boolean send(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
    {
        answerArp(portIndex, buffer, offset, length);
        if (portIndex == outputPort)
        {
            write(buffer, offset, length);
        }
        else
        {
            framesBack++;
        }
        return true;
    }

    private void answerArp(final int portIndex, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH)
        {
            return;
        }
        final UnsafeBuffer view = new UnsafeBuffer(buffer, offset, length);
        ethernet.wrap(view, 0);
        if (ethernet.etherType() != EthernetFrame.ETHERTYPE_ARP)
        {
            return;
        }
        arp.wrap(view, EthernetFrame.HEADER_LENGTH);
        if (!arp.isEthernetIpv4() || arp.operation() != ArpPacket.OP_REQUEST)
        {
            return;
        }
        final int address = arp.targetAddress();
        final Long seen = portIndex == inputPort ? inputMacs.get(address) : null;
        final long mac = seen != null ? seen : MADE_UP_MAC | (address & 0xFFFF_FFFFL);
        answers.add(PacketBuilder.arp(arp.senderMac(), ArpPacket.OP_REPLY, mac, address, arp.senderMac(),
            arp.senderAddress()));
        answerPorts.add(portIndex);
        arpAnswered++;
    }

    private void write(final DirectBuffer buffer, final int offset, final int length)
    {
        final int written = Math.min(length, SNAP_LENGTH);
        staging.putBytes(0, buffer, offset, written);
        output.dump(written, timestampMicros);
        framesOut++;
    }

    private static PortConfig port(final List<PortConfig> ports, final String from, final boolean input)
    {
        final boolean inside = from.equals("inside") == input;
        return ports.stream().filter(port -> port.role() == (inside ? io.natgate.datapath.forward.PortRole.INSIDE :
            io.natgate.datapath.forward.PortRole.OUTSIDE)).findFirst().orElseThrow(() ->
            new IllegalArgumentException("the config has no " + (inside ? "inside" : "outside") + " port"));
    }
}
