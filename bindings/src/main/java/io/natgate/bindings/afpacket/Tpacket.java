package io.natgate.bindings.afpacket;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The AF_PACKET ABI from {@code linux/if_packet.h}: socket options, status bits, and the
 * structures of the TPACKET_V3 rings as memory layouts, with the field offsets the ring code reads
 * derived from them.
 */
public final class Tpacket
{
    public static final int ETH_P_ALL = 0x0003;

    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_RESERVE = 12;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_LOSS = 14;
    public static final int PACKET_VNET_HDR = 15;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_QDISC_BYPASS = 20;
    /** Sets a fanout group's steering program (a struct sock_fprog for {@link #PACKET_FANOUT_CBPF}). */
    public static final int PACKET_FANOUT_DATA = 22;
    public static final int PACKET_IGNORE_OUTGOING = 23;

    public static final int TPACKET_V3 = 2;
    public static final int TPACKET_ALIGNMENT = 16;

    public static final int PACKET_MR_PROMISC = 1;

    public static final int PACKET_FANOUT_HASH = 0;
    public static final int PACKET_FANOUT_LB = 1;
    public static final int PACKET_FANOUT_CPU = 2;
    public static final int PACKET_FANOUT_ROLLOVER = 3;
    public static final int PACKET_FANOUT_QM = 5;
    /** A classic BPF program picks the member: its return value modulo the members, in join order. */
    public static final int PACKET_FANOUT_CBPF = 6;
    public static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;

    /** RX block and frame status. */
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_LOSING = 1 << 2;
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;

    /** TX frame status. */
    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 1 << 1;
    public static final int TP_STATUS_WRONG_FORMAT = 1 << 2;

    /** struct sockaddr_ll. */
    public static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
        JAVA_SHORT.withName("sll_family"),
        JAVA_SHORT.withName("sll_protocol"),
        JAVA_INT.withName("sll_ifindex"),
        JAVA_SHORT.withName("sll_hatype"),
        JAVA_BYTE.withName("sll_pkttype"),
        JAVA_BYTE.withName("sll_halen"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr"));

    /** struct tpacket_req3. */
    public static final StructLayout TPACKET_REQ3 = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_block_size"),
        JAVA_INT.withName("tp_block_nr"),
        JAVA_INT.withName("tp_frame_size"),
        JAVA_INT.withName("tp_frame_nr"),
        JAVA_INT.withName("tp_retire_blk_tov"),
        JAVA_INT.withName("tp_sizeof_priv"),
        JAVA_INT.withName("tp_feature_req_word"));

    /** struct tpacket_block_desc with its tpacket_hdr_v1. */
    public static final StructLayout TPACKET_BLOCK_DESC = MemoryLayout.structLayout(
        JAVA_INT.withName("version"),
        JAVA_INT.withName("offset_to_priv"),
        JAVA_INT.withName("block_status"),
        JAVA_INT.withName("num_pkts"),
        JAVA_INT.withName("offset_to_first_pkt"),
        JAVA_INT.withName("blk_len"),
        JAVA_LONG.withName("seq_num"),
        JAVA_INT.withName("ts_first_pkt_sec"),
        JAVA_INT.withName("ts_first_pkt_nsec"),
        JAVA_INT.withName("ts_last_pkt_sec"),
        JAVA_INT.withName("ts_last_pkt_nsec"));

    /** struct tpacket3_hdr with its tpacket_hdr_variant1. */
    public static final StructLayout TPACKET3_HDR = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_next_offset"),
        JAVA_INT.withName("tp_sec"),
        JAVA_INT.withName("tp_nsec"),
        JAVA_INT.withName("tp_snaplen"),
        JAVA_INT.withName("tp_len"),
        JAVA_INT.withName("tp_status"),
        JAVA_SHORT.withName("tp_mac"),
        JAVA_SHORT.withName("tp_net"),
        JAVA_INT.withName("tp_rxhash"),
        JAVA_INT.withName("tp_vlan_tci"),
        JAVA_SHORT.withName("tp_vlan_tpid"),
        JAVA_SHORT.withName("tp_padding"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding2"));

    /** struct tpacket_stats_v3. */
    public static final StructLayout TPACKET_STATS_V3 = MemoryLayout.structLayout(
        JAVA_INT.withName("tp_packets"),
        JAVA_INT.withName("tp_drops"),
        JAVA_INT.withName("tp_freeze_q_cnt"));

    /** struct packet_mreq. */
    public static final StructLayout PACKET_MREQ = MemoryLayout.structLayout(
        JAVA_INT.withName("mr_ifindex"),
        JAVA_SHORT.withName("mr_type"),
        JAVA_SHORT.withName("mr_alen"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address"));

    public static final long BLOCK_STATUS = offset(TPACKET_BLOCK_DESC, "block_status");
    public static final long BLOCK_NUM_PKTS = offset(TPACKET_BLOCK_DESC, "num_pkts");
    public static final long BLOCK_OFFSET_TO_FIRST_PKT = offset(TPACKET_BLOCK_DESC, "offset_to_first_pkt");

    public static final long HDR_NEXT_OFFSET = offset(TPACKET3_HDR, "tp_next_offset");
    public static final long HDR_SEC = offset(TPACKET3_HDR, "tp_sec");
    public static final long HDR_NSEC = offset(TPACKET3_HDR, "tp_nsec");
    public static final long HDR_SNAPLEN = offset(TPACKET3_HDR, "tp_snaplen");
    public static final long HDR_LEN = offset(TPACKET3_HDR, "tp_len");
    public static final long HDR_STATUS = offset(TPACKET3_HDR, "tp_status");
    public static final long HDR_MAC = offset(TPACKET3_HDR, "tp_mac");
    public static final long HDR_VLAN_TCI = offset(TPACKET3_HDR, "tp_vlan_tci");
    public static final long HDR_VLAN_TPID = offset(TPACKET3_HDR, "tp_vlan_tpid");

    /** TPACKET3_HDRLEN: the aligned header plus a sockaddr_ll, as the kernel's tp_hdrlen for V3. */
    public static final int TPACKET3_HDRLEN = align((int)TPACKET3_HDR.byteSize()) + (int)SOCKADDR_LL.byteSize();
    /**
     * Where a TX frame's data starts when PACKET_TX_HAS_OFF is off: tp_hdrlen minus the sockaddr_ll,
     * i.e. right after the aligned tpacket3_hdr.
     */
    public static final int TX_DATA_OFFSET = TPACKET3_HDRLEN - (int)SOCKADDR_LL.byteSize();

    private Tpacket()
    {
    }

    /**
     * TPACKET_ALIGN(x).
     */
    public static int align(final int length)
    {
        return (length + TPACKET_ALIGNMENT - 1) & ~(TPACKET_ALIGNMENT - 1);
    }

    private static long offset(final StructLayout layout, final String field)
    {
        return layout.byteOffset(groupElement(field));
    }
}
