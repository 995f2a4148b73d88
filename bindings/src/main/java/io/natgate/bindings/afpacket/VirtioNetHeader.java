package io.natgate.bindings.afpacket;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct virtio_net_hdr} from {@code linux/virtio_net.h}: the offload metadata a packet
 * socket with PACKET_VNET_HDR puts before each received frame and expects before each
 * transmitted one. Its 16-bit fields are in the host's byte order (packet sockets use the legacy,
 * native-endian virtio layout).
 */
public final class VirtioNetHeader
{
    /** The frame's transport checksum field holds only the pseudo-header sum: csum_start/csum_offset say where. */
    public static final int F_NEEDS_CSUM = 1;
    /** The frame's checksums were verified (CHECKSUM_UNNECESSARY). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
        JAVA_BYTE.withName("flags"),
        JAVA_BYTE.withName("gso_type"),
        JAVA_SHORT.withName("hdr_len"),
        JAVA_SHORT.withName("gso_size"),
        JAVA_SHORT.withName("csum_start"),
        JAVA_SHORT.withName("csum_offset"));

    public static final int LENGTH = (int)LAYOUT.byteSize();

    public static final long FLAGS = offset("flags");
    public static final long GSO_TYPE = offset("gso_type");
    public static final long HDR_LEN = offset("hdr_len");
    public static final long GSO_SIZE = offset("gso_size");
    public static final long CSUM_START = offset("csum_start");
    public static final long CSUM_OFFSET = offset("csum_offset");

    private VirtioNetHeader()
    {
    }

    private static long offset(final String field)
    {
        return LAYOUT.byteOffset(groupElement(field));
    }
}
