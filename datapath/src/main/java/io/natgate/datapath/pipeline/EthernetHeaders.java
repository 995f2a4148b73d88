package io.natgate.datapath.pipeline;

import io.natgate.datapath.frame.EthernetFrame;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The length of a frame's Ethernet header, with or without one VLAN tag.
 */
final class EthernetHeaders
{
    static final int MAX_LENGTH = EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH;

    private EthernetHeaders()
    {
    }

    static int length(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF) == EthernetFrame.ETHERTYPE_VLAN ?
            MAX_LENGTH : EthernetFrame.HEADER_LENGTH;
    }
}
