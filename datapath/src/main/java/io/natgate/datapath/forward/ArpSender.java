package io.natgate.datapath.forward;

import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes and sends one ARP frame (request, reply or announcement), padded to the Ethernet minimum.
 */
final class ArpSender
{
    private static final int MIN_FRAME_LENGTH = 60;

    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameProcessor.HEADROOM + MIN_FRAME_LENGTH + EthernetFrame.VLAN_TAG_LENGTH]);

    boolean send(
        final FrameSink sink, final PortSettings port, final int operation, final long ethernetDestination,
        final int senderAddress, final long targetMac, final int targetAddress)
    {
        final UnsafeBuffer frame = this.frame;
        final int tagLength = port.vlan() == 0 ? 0 : EthernetFrame.VLAN_TAG_LENGTH;
        ethernet.wrap(frame, 0);
        ethernet.writeHeader(ethernetDestination, port.macAddress(), port.vlan(), EthernetFrame.ETHERTYPE_ARP);
        arp.wrap(frame, EthernetFrame.HEADER_LENGTH + tagLength);
        arp.write(operation, port.macAddress(), senderAddress, targetMac, targetAddress);
        // pad to the Ethernet minimum of 60 bytes (64 tagged) before the FCS
        frame.setMemory(EthernetFrame.HEADER_LENGTH + tagLength + ArpPacket.LENGTH,
            MIN_FRAME_LENGTH - EthernetFrame.HEADER_LENGTH - ArpPacket.LENGTH, (byte)0);
        return sink.send(port.index(), frame, 0, MIN_FRAME_LENGTH + tagLength);
    }
}
