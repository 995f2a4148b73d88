package io.natgate.bindings.afpacket;

import io.natgate.bindings.bpf.ClassicBpf;

/**
 * How {@link PacketSocket#open(PacketSocketOptions)} sets up an AF_PACKET socket: the interface,
 * the TPACKET_V3 ring geometry (normally from the hardware profile) and the socket options.
 * Setters return this; {@link #validate(int)} runs once at open and names a bad setting and its value.
 */
public final class PacketSocketOptions
{
    public static final int DEFAULT_RX_BLOCK_SIZE_BYTES = 1 << 18;
    public static final int DEFAULT_RX_BLOCK_COUNT = 32;
    public static final int DEFAULT_RX_FRAME_SIZE_BYTES = 2048;
    public static final int DEFAULT_BLOCK_TIMEOUT_MS = 1;
    public static final int DEFAULT_TX_FRAME_SIZE_BYTES = 2048;
    public static final int DEFAULT_TX_FRAME_COUNT = 1024;
    public static final int DEFAULT_TX_BLOCK_SIZE_BYTES = 1 << 16;
    public static final int NO_FANOUT = -1;

    private String interfaceName;
    private int rxBlockSizeBytes = DEFAULT_RX_BLOCK_SIZE_BYTES;
    private int rxBlockCount = DEFAULT_RX_BLOCK_COUNT;
    private int rxFrameSizeBytes = DEFAULT_RX_FRAME_SIZE_BYTES;
    private int blockTimeoutMs = DEFAULT_BLOCK_TIMEOUT_MS;
    private int txFrameSizeBytes = DEFAULT_TX_FRAME_SIZE_BYTES;
    private int txFrameCount = DEFAULT_TX_FRAME_COUNT;
    private int txBlockSizeBytes = DEFAULT_TX_BLOCK_SIZE_BYTES;
    private boolean promiscuous = true;
    private boolean qdiscBypass = true;
    private boolean ignoreOutgoing = true;
    private boolean vnetHeader = true;
    private int fanoutGroupId = NO_FANOUT;
    private int fanoutMode = Tpacket.PACKET_FANOUT_HASH;
    private long[] fanoutProgram;

    public PacketSocketOptions interfaceName(final String interfaceName)
    {
        this.interfaceName = interfaceName;
        return this;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * Size of one RX block: a multiple of the page size and a power of two. The kernel fills a
     * block with frames and hands it over whole.
     */
    public PacketSocketOptions rxBlockSizeBytes(final int rxBlockSizeBytes)
    {
        this.rxBlockSizeBytes = rxBlockSizeBytes;
        return this;
    }

    public int rxBlockSizeBytes()
    {
        return rxBlockSizeBytes;
    }

    /**
     * Number of RX blocks; 0 opens a transmit-only socket.
     */
    public PacketSocketOptions rxBlockCount(final int rxBlockCount)
    {
        this.rxBlockCount = rxBlockCount;
        return this;
    }

    public int rxBlockCount()
    {
        return rxBlockCount;
    }

    /**
     * The nominal RX frame size the kernel uses to count frames (V3 packs frames by their real size).
     */
    public PacketSocketOptions rxFrameSizeBytes(final int rxFrameSizeBytes)
    {
        this.rxFrameSizeBytes = rxFrameSizeBytes;
        return this;
    }

    public int rxFrameSizeBytes()
    {
        return rxFrameSizeBytes;
    }

    /**
     * How long the kernel keeps a partly filled RX block before handing it over: the latency
     * floor at low rates.
     */
    public PacketSocketOptions blockTimeoutMs(final int blockTimeoutMs)
    {
        this.blockTimeoutMs = blockTimeoutMs;
        return this;
    }

    public int blockTimeoutMs()
    {
        return blockTimeoutMs;
    }

    /**
     * Size of a TX ring slot: the frame plus {@link Tpacket#TX_DATA_OFFSET} bytes of header.
     */
    public PacketSocketOptions txFrameSizeBytes(final int txFrameSizeBytes)
    {
        this.txFrameSizeBytes = txFrameSizeBytes;
        return this;
    }

    public int txFrameSizeBytes()
    {
        return txFrameSizeBytes;
    }

    /**
     * Number of TX ring slots; 0 opens a receive-only socket.
     */
    public PacketSocketOptions txFrameCount(final int txFrameCount)
    {
        this.txFrameCount = txFrameCount;
        return this;
    }

    public int txFrameCount()
    {
        return txFrameCount;
    }

    /**
     * Size of a TX block: a multiple of the page size and of {@link #txFrameSizeBytes()}.
     */
    public PacketSocketOptions txBlockSizeBytes(final int txBlockSizeBytes)
    {
        this.txBlockSizeBytes = txBlockSizeBytes;
        return this;
    }

    public int txBlockSizeBytes()
    {
        return txBlockSizeBytes;
    }

    public PacketSocketOptions promiscuous(final boolean promiscuous)
    {
        this.promiscuous = promiscuous;
        return this;
    }

    public boolean promiscuous()
    {
        return promiscuous;
    }

    /**
     * PACKET_QDISC_BYPASS: transmit straight to the driver, skipping the qdisc layer.
     */
    public PacketSocketOptions qdiscBypass(final boolean qdiscBypass)
    {
        this.qdiscBypass = qdiscBypass;
        return this;
    }

    public boolean qdiscBypass()
    {
        return qdiscBypass;
    }

    /**
     * PACKET_IGNORE_OUTGOING: do not receive frames sent on the interface (ours or the host's).
     */
    public PacketSocketOptions ignoreOutgoing(final boolean ignoreOutgoing)
    {
        this.ignoreOutgoing = ignoreOutgoing;
        return this;
    }

    public boolean ignoreOutgoing()
    {
        return ignoreOutgoing;
    }

    /**
     * PACKET_VNET_HDR: every received frame comes with its {@link VirtioNetHeader} (checksum-partial and
     * GSO frames arrive as they are instead of being checksummed or segmented for the socket, and
     * are delivered whole), and every transmitted frame goes with one. On by default.
     */
    public PacketSocketOptions vnetHeader(final boolean vnetHeader)
    {
        this.vnetHeader = vnetHeader;
        return this;
    }

    public boolean vnetHeader()
    {
        return vnetHeader;
    }

    /**
     * @return the bytes before each frame that are not the frame: the virtio_net_hdr, or 0.
     */
    public int vnetHeaderLength()
    {
        return vnetHeader ? VirtioNetHeader.LENGTH : 0;
    }

    /**
     * Joins PACKET_FANOUT group {@code groupId} (0..65535) so several sockets share an
     * interface's traffic; {@link #NO_FANOUT} for none.
     *
     * @param mode {@link Tpacket#PACKET_FANOUT_HASH}, {@code _LB}, {@code _CPU}, ... optionally or-ed with flags;
     *             {@link Tpacket#PACKET_FANOUT_CBPF} with a {@link #fanoutProgram(long[])}.
     */
    public PacketSocketOptions fanout(final int groupId, final int mode)
    {
        this.fanoutGroupId = groupId;
        this.fanoutMode = mode;
        return this;
    }

    public int fanoutGroupId()
    {
        return fanoutGroupId;
    }

    public int fanoutMode()
    {
        return fanoutMode;
    }

    /**
     * The classic BPF program of a {@link Tpacket#PACKET_FANOUT_CBPF} group (required for that mode,
     * refused for the others), set with PACKET_FANOUT_DATA once the socket joined: the kernel runs it on
     * each frame the interface receives and hands the frame to member {@code return value % members},
     * members numbered in the order they joined. One instruction per element, packed by
     * {@link ClassicBpf#stmt}/{@link ClassicBpf#jump}; 1 to {@link ClassicBpf#MAX_INSTRUCTIONS}. The group
     * has one program: each member that sets one replaces it.
     */
    public PacketSocketOptions fanoutProgram(final long[] program)
    {
        this.fanoutProgram = program;
        return this;
    }

    public long[] fanoutProgram()
    {
        return fanoutProgram;
    }

    public long rxRingSizeBytes()
    {
        return (long)rxBlockSizeBytes * rxBlockCount;
    }

    public long txRingSizeBytes()
    {
        return txFrameCount == 0 ? 0 : (long)txBlockCount() * txBlockSizeBytes;
    }

    public int txBlockCount()
    {
        final int framesPerBlock = txBlockSizeBytes / txFrameSizeBytes;
        return (txFrameCount + framesPerBlock - 1) / framesPerBlock;
    }

    /**
     * @return the largest frame a TX slot holds (after its virtio_net_hdr when there is one).
     */
    public int maxTxFrameLength()
    {
        return txFrameSizeBytes - Tpacket.TX_DATA_OFFSET - vnetHeaderLength();
    }

    /**
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public PacketSocketOptions validate(final int pageSize)
    {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() >= 16)
        {
            throw new IllegalArgumentException("interfaceName must be 1..15 characters: interfaceName=" + interfaceName);
        }
        if (rxBlockCount < 0)
        {
            throw new IllegalArgumentException("rxBlockCount must be >= 0: rxBlockCount=" + rxBlockCount);
        }
        if (rxBlockCount > 0)
        {
            if (rxBlockSizeBytes < pageSize || Integer.bitCount(rxBlockSizeBytes) != 1)
            {
                throw new IllegalArgumentException("rxBlockSizeBytes must be a power of two >= the page size " +
                    pageSize + ": rxBlockSizeBytes=" + rxBlockSizeBytes);
            }
            if (rxFrameSizeBytes < Tpacket.TPACKET3_HDRLEN || rxFrameSizeBytes % Tpacket.TPACKET_ALIGNMENT != 0 ||
                rxFrameSizeBytes > rxBlockSizeBytes)
            {
                throw new IllegalArgumentException("rxFrameSizeBytes must be a multiple of 16 in [" +
                    Tpacket.TPACKET3_HDRLEN + ", rxBlockSizeBytes]: rxFrameSizeBytes=" + rxFrameSizeBytes);
            }
            if (blockTimeoutMs < 1)
            {
                throw new IllegalArgumentException("blockTimeoutMs must be >= 1: blockTimeoutMs=" + blockTimeoutMs);
            }
        }
        if (txFrameCount < 0)
        {
            throw new IllegalArgumentException("txFrameCount must be >= 0: txFrameCount=" + txFrameCount);
        }
        if (txFrameCount > 0)
        {
            if (txFrameSizeBytes <= Tpacket.TX_DATA_OFFSET + vnetHeaderLength() + 14 || txFrameSizeBytes % Tpacket.TPACKET_ALIGNMENT != 0)
            {
                throw new IllegalArgumentException("txFrameSizeBytes must be a multiple of 16 above " +
                    (Tpacket.TX_DATA_OFFSET + vnetHeaderLength() + 14) + ": txFrameSizeBytes=" + txFrameSizeBytes);
            }
            if (txBlockSizeBytes < pageSize || txBlockSizeBytes % pageSize != 0 || txBlockSizeBytes % txFrameSizeBytes != 0)
            {
                throw new IllegalArgumentException("txBlockSizeBytes must be a multiple of the page size " + pageSize +
                    " and of txFrameSizeBytes " + txFrameSizeBytes + ": txBlockSizeBytes=" + txBlockSizeBytes);
            }
        }
        if (rxBlockCount == 0 && txFrameCount == 0)
        {
            throw new IllegalArgumentException("a packet socket needs an RX or a TX ring: rxBlockCount=0, txFrameCount=0");
        }
        if (rxRingSizeBytes() + txRingSizeBytes() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("rings must total under 2 GiB: rx " + rxRingSizeBytes() + " + tx " +
                txRingSizeBytes() + " bytes");
        }
        if (fanoutGroupId != NO_FANOUT && (fanoutGroupId < 0 || fanoutGroupId > 0xFFFF))
        {
            throw new IllegalArgumentException("fanoutGroupId must be in [0, 65535]: fanoutGroupId=" + fanoutGroupId);
        }
        validateFanoutProgram();
        return this;
    }

    private void validateFanoutProgram()
    {
        final boolean cbpf = fanoutGroupId != NO_FANOUT && (fanoutMode & 0xFF) == Tpacket.PACKET_FANOUT_CBPF;
        if (cbpf && fanoutProgram == null)
        {
            throw new IllegalArgumentException("fanoutProgram is required with fanoutMode PACKET_FANOUT_CBPF: " +
                "fanoutProgram=null");
        }
        if (!cbpf && fanoutProgram != null)
        {
            throw new IllegalArgumentException("fanoutProgram needs a fanout group in mode PACKET_FANOUT_CBPF: " +
                "fanoutGroupId=" + fanoutGroupId + ", fanoutMode=" + fanoutMode);
        }
        if (cbpf && (fanoutProgram.length < 1 || fanoutProgram.length > ClassicBpf.MAX_INSTRUCTIONS))
        {
            throw new IllegalArgumentException("fanoutProgram must have 1.." + ClassicBpf.MAX_INSTRUCTIONS +
                " instructions: fanoutProgram.length=" + fanoutProgram.length);
        }
    }

    @Override
    public String toString()
    {
        return "PacketSocketOptions{interfaceName=" + interfaceName + ", rxBlockSizeBytes=" + rxBlockSizeBytes +
            ", rxBlockCount=" + rxBlockCount + ", rxFrameSizeBytes=" + rxFrameSizeBytes + ", blockTimeoutMs=" +
            blockTimeoutMs + ", txFrameSizeBytes=" + txFrameSizeBytes + ", txFrameCount=" + txFrameCount +
            ", txBlockSizeBytes=" + txBlockSizeBytes + ", promiscuous=" + promiscuous + ", qdiscBypass=" +
            qdiscBypass + ", ignoreOutgoing=" + ignoreOutgoing + ", vnetHeader=" + vnetHeader + ", fanoutGroupId=" + fanoutGroupId +
            ", fanoutMode=" + fanoutMode +
            ", fanoutProgram=" + (fanoutProgram == null ? "none" : fanoutProgram.length + " instructions") + '}';
    }
}
