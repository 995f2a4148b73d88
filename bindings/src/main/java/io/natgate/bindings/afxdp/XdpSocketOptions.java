package io.natgate.bindings.afxdp;

/**
 * Settings of an AF_XDP socket and of the UMEM it opens: the interface and queue, the UMEM's frame
 * size and count, the four rings' sizes, copy or zero-copy and where the XDP program runs. Setters
 * return this; {@link #validate(int)} runs once at open and names a bad setting and its value.
 */
public final class XdpSocketOptions
{
    public static final int DEFAULT_FRAME_SIZE_BYTES = 2048;
    public static final int DEFAULT_UMEM_FRAME_COUNT = 4096;
    public static final int DEFAULT_RING_SIZE = 2048;

    private String interfaceName;
    private int queueId;
    private int frameSizeBytes = DEFAULT_FRAME_SIZE_BYTES;
    private int umemFrameCount = DEFAULT_UMEM_FRAME_COUNT;
    private int rxRingSize = DEFAULT_RING_SIZE;
    private int txRingSize = DEFAULT_RING_SIZE;
    private int fillRingSize = DEFAULT_RING_SIZE;
    private int completionRingSize = DEFAULT_RING_SIZE;
    private XdpMode mode = XdpMode.AUTO;
    private XdpAttach attach = XdpAttach.NATIVE;

    public XdpSocketOptions interfaceName(final String interfaceName)
    {
        this.interfaceName = interfaceName;
        return this;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * The device queue this socket serves (one socket per queue); 0 on single-queue devices like veth.
     */
    public XdpSocketOptions queueId(final int queueId)
    {
        this.queueId = queueId;
        return this;
    }

    public int queueId()
    {
        return queueId;
    }

    /**
     * A UMEM chunk: a power of two from 2048 to the page size; a frame may take all of it but the
     * kernel's {@value LibXdp#XDP_PACKET_HEADROOM}-byte headroom.
     */
    public XdpSocketOptions frameSizeBytes(final int frameSizeBytes)
    {
        this.frameSizeBytes = frameSizeBytes;
        return this;
    }

    public int frameSizeBytes()
    {
        return frameSizeBytes;
    }

    /**
     * Chunks in the UMEM: each socket on it keeps {@code fillRingSize} for receiving and
     * {@code txRingSize} for sending.
     */
    public XdpSocketOptions umemFrameCount(final int umemFrameCount)
    {
        this.umemFrameCount = umemFrameCount;
        return this;
    }

    public int umemFrameCount()
    {
        return umemFrameCount;
    }

    public XdpSocketOptions rxRingSize(final int rxRingSize)
    {
        this.rxRingSize = rxRingSize;
        return this;
    }

    public int rxRingSize()
    {
        return rxRingSize;
    }

    public XdpSocketOptions txRingSize(final int txRingSize)
    {
        this.txRingSize = txRingSize;
        return this;
    }

    public int txRingSize()
    {
        return txRingSize;
    }

    public XdpSocketOptions fillRingSize(final int fillRingSize)
    {
        this.fillRingSize = fillRingSize;
        return this;
    }

    public int fillRingSize()
    {
        return fillRingSize;
    }

    public XdpSocketOptions completionRingSize(final int completionRingSize)
    {
        this.completionRingSize = completionRingSize;
        return this;
    }

    public int completionRingSize()
    {
        return completionRingSize;
    }

    public XdpSocketOptions mode(final XdpMode mode)
    {
        this.mode = mode;
        return this;
    }

    public XdpMode mode()
    {
        return mode;
    }

    public XdpSocketOptions attach(final XdpAttach attach)
    {
        this.attach = attach;
        return this;
    }

    public XdpAttach attach()
    {
        return attach;
    }

    /**
     * @return a copy of these settings, to change for another socket or queue.
     */
    public XdpSocketOptions copy()
    {
        return new XdpSocketOptions().interfaceName(interfaceName).queueId(queueId).frameSizeBytes(frameSizeBytes)
            .umemFrameCount(umemFrameCount).rxRingSize(rxRingSize).txRingSize(txRingSize).fillRingSize(fillRingSize)
            .completionRingSize(completionRingSize).mode(mode).attach(attach);
    }

    /**
     * @return the longest frame a UMEM chunk holds after the kernel's headroom.
     */
    public int maxFrameLength()
    {
        return frameSizeBytes - LibXdp.XDP_PACKET_HEADROOM;
    }

    /**
     * @return the UMEM chunks one socket keeps: its fill ring's worth for rx and its tx ring's worth.
     */
    public int framesPerSocket()
    {
        return fillRingSize + txRingSize;
    }

    /**
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public XdpSocketOptions validate(final int pageSize)
    {
        return validate(pageSize, 1);
    }

    /**
     * @param sockets how many sockets will share the UMEM.
     * @throws IllegalArgumentException naming the first bad setting and its value.
     */
    public XdpSocketOptions validate(final int pageSize, final int sockets)
    {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() >= 16)
        {
            throw new IllegalArgumentException("interfaceName must be 1..15 characters: interfaceName=" + interfaceName);
        }
        if (queueId < 0)
        {
            throw new IllegalArgumentException("queueId must be >= 0: queueId=" + queueId);
        }
        if (frameSizeBytes < 2048 || frameSizeBytes > pageSize || Integer.bitCount(frameSizeBytes) != 1)
        {
            throw new IllegalArgumentException("frameSizeBytes must be a power of two from 2048 to the page size " +
                pageSize + ": frameSizeBytes=" + frameSizeBytes);
        }
        checkRing("rxRingSize", rxRingSize);
        checkRing("txRingSize", txRingSize);
        checkRing("fillRingSize", fillRingSize);
        checkRing("completionRingSize", completionRingSize);
        if (completionRingSize < txRingSize)
        {
            throw new IllegalArgumentException("txRingSize must be <= completionRingSize " + completionRingSize +
                ": txRingSize=" + txRingSize);
        }
        if ((long)umemFrameCount < (long)framesPerSocket() * sockets)
        {
            throw new IllegalArgumentException("umemFrameCount must hold fillRingSize + txRingSize frames for each of " +
                sockets + " socket(s), " + (long)framesPerSocket() * sockets + ": umemFrameCount=" + umemFrameCount);
        }
        if ((long)umemFrameCount * frameSizeBytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("umemFrameCount x frameSizeBytes must be under 2 GiB: umemFrameCount=" +
                umemFrameCount + ", frameSizeBytes=" + frameSizeBytes);
        }
        if (mode == null || attach == null)
        {
            throw new IllegalArgumentException("mode and attach must be set: mode=" + mode + ", attach=" + attach);
        }
        return this;
    }

    private static void checkRing(final String name, final int size)
    {
        if (size < 64 || size > (1 << 16) || Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of two from 64 to 65536: " + name + "=" + size);
        }
    }

    @Override
    public String toString()
    {
        return "XdpSocketOptions{interfaceName=" + interfaceName + ", queueId=" + queueId + ", frameSizeBytes=" +
            frameSizeBytes + ", umemFrameCount=" + umemFrameCount + ", rxRingSize=" + rxRingSize + ", txRingSize=" +
            txRingSize + ", fillRingSize=" + fillRingSize + ", completionRingSize=" + completionRingSize + ", mode=" +
            mode.configName() + ", attach=" + attach.configName() + '}';
    }
}
