package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.PcapException;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.VethLabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libpcap port on a veth pair in a namespace of the test's own, alone and facing the
 * AF_PACKET port.
 */
class PcapPortTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    @Test
    void shouldCarryFramesByteIdenticalBetweenPortsAcrossVethPairInBothDirections()
    {
        try (PcapPort a = open("a", LAB.lab().endA());
            PcapPort b = open("b", LAB.lab().endB()))
        {
            final byte[][] aToB = FrameExchange.frames(b.macAddress(), a.macAddress(), 3000, 64, 1514, 60, 591);
            final byte[][] bToA = FrameExchange.frames(a.macAddress(), b.macAddress(), 3000, 1514, 64, 1000);

            assertEquals(3000, PortExchange.exchange(a, b, aToB, 128));
            assertEquals(3000, PortExchange.exchange(b, a, bToA, 128));

            final PortStats stats = b.stats(new PortStats());
            assertEquals(0, stats.rxDropped(), stats::toString);
        }
    }

    @Test
    void shouldInteroperateWithAfPacketPortInBothDirections()
    {
        try (PcapPort a = open("a", LAB.lab().endA());
            AfPacketPort b = openAfPacket("b", LAB.lab().endB()))
        {
            final byte[][] aToB = FrameExchange.frames(b.macAddress(), a.macAddress(), 1000, 64, 1514);
            final byte[][] bToA = FrameExchange.frames(a.macAddress(), b.macAddress(), 1000, 1514, 64);

            assertEquals(1000, PortExchange.exchange(a, b, aToB, 128));
            assertEquals(1000, PortExchange.exchange(b, a, bToA, 128));
        }
    }

    @Test
    void shouldLearnMacAddressFromLibpcapWhenNotConfigured()
    {
        try (PcapPort a = open("a", LAB.lab().endA()))
        {
            assertEquals(LAB.lab().mac(LAB.lab().endA()), a.macAddress());
            assertEquals(LinkLayer.ETHERNET, a.linkLayer());
            assertEquals(1500, a.mtu());
        }
    }

    @Test
    void shouldFailWithLibpcapTextForUnknownDevice()
    {
        final PcapException ex = assertThrows(PcapException.class, () -> open("x", "ngnosuch2", 0x02_00_00_00_00_01L));

        assertEquals(LibPcap.PCAP_ERROR_NO_SUCH_DEVICE, ex.status());
        assertTrue(ex.getMessage().contains("No such device exists"), ex.getMessage());
    }

    @Test
    void shouldFailNamingTheSettingWhenMacAddressIsUnknown()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> open("x", "ngnosuch3", 0));

        assertEquals("port x: libpcap does not report the MAC address of ngnosuch3; set macAddress in the port's " +
            "configuration", ex.getMessage());
    }

    static PcapPort open(final String name, final String device)
    {
        return open(name, device, 0);
    }

    static PcapPort open(final String name, final String device, final long macAddress)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return PcapPort.open(name, PcapPort.defaultOptions(device, 1500).bufferSizeBytes(2 * 1024 * 1024),
                macAddress, 1500);
        }
    }

    static AfPacketPort openAfPacket(final String name, final String device)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return AfPacketPort.open(name, new PacketSocketOptions().interfaceName(device).rxBlockSizeBytes(1 << 16)
                .rxBlockCount(16));
        }
    }
}
