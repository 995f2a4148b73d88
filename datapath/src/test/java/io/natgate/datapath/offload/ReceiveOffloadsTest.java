package io.natgate.datapath.offload;

import io.natgate.datapath.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.offload.ScapyVectors.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio_net_hdr of a received frame (values as {@code virtio_net_hdr_from_skb} writes them)
 * turned into its {@link Offload} state.
 */
class ReceiveOffloadsTest
{
    private static final long GATEWAY = 0x0200_0000_0001L;
    private static final long CLIENT = 0x0200_0000_000AL;

    @Test
    void shouldKeepAChecksumPartialIpv4TcpFramePartial()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(Frames.ipv4(GATEWAY, CLIENT, bytes(ScapyVectors.PARTIAL_SYN)));

        final int offload = ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(),
            ReceiveOffloads.VNET_F_NEEDS_CSUM, ReceiveOffloads.VNET_GSO_NONE, 0, 14 + 20, 16);

        assertEquals(Offload.CHECKSUM_PARTIAL, offload);
    }

    @Test
    void shouldKeepATcpv4AggregateWholeWithItsSegmentSize()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(Frames.ipv4(GATEWAY, CLIENT, bytes(ScapyVectors.TCP_AGGREGATE)));

        final int offload = ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(), ReceiveOffloads.VNET_F_NEEDS_CSUM,
            ReceiveOffloads.VNET_GSO_TCPV4 | ReceiveOffloads.VNET_GSO_ECN, 1448, 14 + 20, 16);

        assertTrue(Offload.isGsoTcp(offload), Offload.describe(offload));
        assertTrue(Offload.isChecksumPartial(offload));
        assertEquals(1448, Offload.gsoSize(offload));
        assertEquals(Offload.GSO_ECN, offload & Offload.GSO_ECN);
        assertEquals(1448 + 40, Offload.segmentIpLength(offload, frame, 14, 4040));
    }

    @Test
    void shouldKeepAUdpL4AggregateWhole()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(Frames.ipv4(GATEWAY, CLIENT, bytes(ScapyVectors.UDP_AGGREGATE)));

        final int offload = ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(), ReceiveOffloads.VNET_F_NEEDS_CSUM,
            ReceiveOffloads.VNET_GSO_UDP_L4, 1200, 14 + 20, 6);

        assertTrue(Offload.isGsoUdp(offload));
        assertEquals(1200 + 28, Offload.segmentIpLength(offload, frame, 14, 3028));
    }

    @Test
    void shouldCompleteAChecksumPartialFrameItCannotTranslateOnArrival()
    {
        final byte[] ipv6 = bytes(ScapyVectors.IPV6_PARTIAL_FRAME);
        final UnsafeBuffer frame = new UnsafeBuffer(ipv6);

        final int offload = ReceiveOffloads.fromVirtio(frame, 0, ipv6.length, ReceiveOffloads.VNET_F_NEEDS_CSUM,
            ReceiveOffloads.VNET_GSO_NONE, 0, 54, 6);

        assertEquals(Offload.CHECKSUM_VERIFIED, offload);
        assertArrayEquals(bytes(ScapyVectors.IPV6_COMPLETE_FRAME), ipv6);
    }

    @Test
    void shouldRefuseAggregatesOfKindsItDoesNotTranslate()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(Frames.ipv4(GATEWAY, CLIENT, bytes(ScapyVectors.TCP_AGGREGATE)));
        final int tcpv6 = 4;
        final int ufo = 3;

        assertEquals(ReceiveOffloads.UNSUPPORTED, ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(),
            ReceiveOffloads.VNET_F_NEEDS_CSUM, tcpv6, 1448, 14 + 20, 16));
        assertEquals(ReceiveOffloads.UNSUPPORTED, ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(),
            ReceiveOffloads.VNET_F_NEEDS_CSUM, ufo, 1448, 14 + 20, 16));
        assertEquals(ReceiveOffloads.UNSUPPORTED, ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(),
            ReceiveOffloads.VNET_F_NEEDS_CSUM, ReceiveOffloads.VNET_GSO_UDP_L4, 1448, 14 + 20, 16),
            "a UDP aggregate that is TCP");
    }

    @Test
    void shouldMarkAFrameTheKernelVerifiedAndLeaveAPlainOneAlone()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(Frames.ipv4(GATEWAY, CLIENT, bytes(ScapyVectors.UDP_QUERY)));

        assertEquals(Offload.CHECKSUM_VERIFIED, ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(),
            ReceiveOffloads.VNET_F_DATA_VALID, ReceiveOffloads.VNET_GSO_NONE, 0, 0, 0));
        assertEquals(Offload.NONE, ReceiveOffloads.fromVirtio(frame, 0, frame.capacity(), 0,
            ReceiveOffloads.VNET_GSO_NONE, 0, 0, 0));
    }
}
