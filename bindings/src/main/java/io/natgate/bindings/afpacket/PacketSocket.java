package io.natgate.bindings.afpacket;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.bpf.ClassicBpf;
import io.natgate.bindings.linux.Ifreq;
import io.natgate.bindings.linux.LibC;
import io.natgate.bindings.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A Linux AF_PACKET socket bound to one interface, with a memory-mapped TPACKET_V3 RX ring and TX
 * ring. Owns the descriptor, the mapping and a shared arena.
 * <p>
 * Receive ({@link #nextFrame()}) walks the blocks the kernel has handed over and returns each frame
 * as an offset into {@link #ring()}; nothing is copied or allocated. Transmit claims a TX slot
 * ({@link #claimTxFrame()}), the caller writes the frame into the ring at the returned offset,
 * {@link #commitTxFrame(int)} marks it for sending, and {@link #flushTx()} kicks the kernel once per
 * burst. A full TX ring is the return value -1 from {@link #claimTxFrame()}, never an exception.
 * <p>
 * With {@link PacketSocketOptions#vnetHeader()} each frame carries its {@link VirtioNetHeader}: the
 * kernel hands over checksum-partial and GSO frames (up to 64 KiB) as they are, described by
 * {@link #frameVnetFlags()}, {@link #frameGsoType()} and the rest, and a transmitted frame is
 * described by the arguments of {@link #commitTxFrame(int, int, int, int, int, int, int)}.
 * <p>
 * One thread receives and one thread transmits; they touch disjoint rings and call states.
 */
public final class PacketSocket implements AutoCloseable
{
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();
    private static final ValueLayout.OfShort NETWORK_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int MAC_ADDRESSES_LENGTH = 12;
    private static final int ETHERTYPE_VLAN = 0x8100;

    private final Arena arena;
    private final String interfaceName;
    private final int fd;
    private final int interfaceIndex;
    private final long macAddress;
    private final int mtu;
    private final MemorySegment ring;
    private final MemorySegment controlCallState;
    private final MemorySegment rxCallState;
    private final MemorySegment txCallState;
    private final MemorySegment pollFd;
    private final MemorySegment statsOut;
    private final MemorySegment statsLength;

    private final int rxBlockSize;
    private final int rxBlockCount;
    private final long txRingOffset;
    private final int txFrameSize;
    private final int txFrameCount;
    private final int maxTxFrameLength;
    private final int vnetHeaderLength;

    private int rxBlockIndex;
    private boolean rxHoldingBlock;
    private boolean holdBlocks;
    private int rxHeldBlocks;
    private int rxPacketsLeft;
    private long rxNextHeader;
    private int frameLength;
    private int frameWireLength;
    private long frameTimestampNs;
    private int frameVnetFlags;
    private int frameGsoType;
    private int frameGsoSize;
    private int frameCsumStart;
    private int frameCsumOffset;

    private int txHead;
    private int txPending;
    private long txWrongFormat;

    private long totalPackets;
    private long totalDrops;
    private boolean closed;

    private PacketSocket(final Arena arena, final PacketSocketOptions options, final int fd, final int interfaceIndex,
        final long macAddress, final int mtu, final MemorySegment ring, final MemorySegment controlCallState)
    {
        this.arena = arena;
        this.interfaceName = options.interfaceName();
        this.fd = fd;
        this.interfaceIndex = interfaceIndex;
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.ring = ring;
        this.controlCallState = controlCallState;
        this.rxCallState = LibC.allocateCallState(arena);
        this.txCallState = LibC.allocateCallState(arena);
        this.pollFd = arena.allocate(8, 4);
        this.statsOut = arena.allocate(Tpacket.TPACKET_STATS_V3);
        this.statsLength = arena.allocate(JAVA_INT);
        this.rxBlockSize = options.rxBlockSizeBytes();
        this.rxBlockCount = options.rxBlockCount();
        this.txRingOffset = options.rxRingSizeBytes();
        this.txFrameSize = options.txFrameSizeBytes();
        this.txFrameCount = options.txFrameCount() == 0 ? 0 :
            options.txBlockCount() * (options.txBlockSizeBytes() / options.txFrameSizeBytes());
        this.maxTxFrameLength = options.txFrameCount() == 0 ? 0 : options.maxTxFrameLength();
        this.vnetHeaderLength = options.vnetHeaderLength();
    }

    /**
     * Opens the socket, sets up its rings and binds it to the interface.
     *
     * @throws LinuxException with the system's text: EPERM without CAP_NET_RAW, ENODEV for an
     * unknown interface, ENOMEM when the rings cannot be allocated.
     * @throws IllegalArgumentException for bad options, naming the setting.
     */
    public static PacketSocket open(final PacketSocketOptions options)
    {
        LibC.LIBRARY.ensureAvailable();
        options.validate(LibC.pageSize());
        final String name = options.interfaceName();
        final Arena arena = Arena.ofShared();
        final MemorySegment callState = LibC.allocateCallState(arena);
        int fd = -1;
        try
        {
            // Protocol 0 receives nothing until bind, so no other interface's frames enter the ring.
            fd = (int)LibC.socket.invokeExact(callState, LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                final int errno = LibC.errno(callState);
                throw new LinuxException("socket(AF_PACKET, SOCK_RAW) for " + name, errno,
                    errno == LibC.EPERM ? "needs root or CAP_NET_RAW" : null);
            }
            final MemorySegment ifreq = arena.allocate(LibC.IFREQ_SIZE, 8);
            final int interfaceIndex = Ifreq.getInt(callState, fd, ifreq, name, LibC.SIOCGIFINDEX, "SIOCGIFINDEX");
            final int mtu = Ifreq.getInt(callState, fd, ifreq, name, LibC.SIOCGIFMTU, "SIOCGIFMTU");
            final long mac = Ifreq.macAddress(callState, fd, ifreq, name);

            // PACKET_VERSION, _RESERVE and _LOSS must all be set before any ring exists (else EBUSY).
            setIntOption(arena, callState, fd, Tpacket.PACKET_VERSION, Tpacket.TPACKET_V3, "PACKET_VERSION", name);
            if (options.vnetHeader())
            {
                // Like the others, only before the rings: offload metadata with every frame, both ways.
                setIntOption(arena, callState, fd, Tpacket.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR", name);
            }
            if (options.txFrameCount() > 0)
            {
                // Malformed TX frames are skipped and marked TP_STATUS_WRONG_FORMAT instead of failing the whole flush.
                setIntOption(arena, callState, fd, Tpacket.PACKET_LOSS, 1, "PACKET_LOSS", name);
            }
            if (options.rxBlockCount() > 0)
            {
                setIntOption(arena, callState, fd, Tpacket.PACKET_RESERVE, VLAN_TAG_LENGTH, "PACKET_RESERVE", name);
                final MemorySegment req = arena.allocate(Tpacket.TPACKET_REQ3);
                req.set(JAVA_INT, 0, options.rxBlockSizeBytes());
                req.set(JAVA_INT, 4, options.rxBlockCount());
                req.set(JAVA_INT, 8, options.rxFrameSizeBytes());
                req.set(JAVA_INT, 12, options.rxBlockSizeBytes() / options.rxFrameSizeBytes() * options.rxBlockCount());
                req.set(JAVA_INT, 16, options.blockTimeoutMs());
                setOption(callState, fd, Tpacket.PACKET_RX_RING, req, "PACKET_RX_RING", name);
            }
            if (options.txFrameCount() > 0)
            {
                final int framesPerBlock = options.txBlockSizeBytes() / options.txFrameSizeBytes();
                final MemorySegment req = arena.allocate(Tpacket.TPACKET_REQ3);
                req.set(JAVA_INT, 0, options.txBlockSizeBytes());
                req.set(JAVA_INT, 4, options.txBlockCount());
                req.set(JAVA_INT, 8, options.txFrameSizeBytes());
                req.set(JAVA_INT, 12, options.txBlockCount() * framesPerBlock);
                setOption(callState, fd, Tpacket.PACKET_TX_RING, req, "PACKET_TX_RING", name);
                if (options.qdiscBypass())
                {
                    setIntOption(arena, callState, fd, Tpacket.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS", name);
                }
            }
            if (options.ignoreOutgoing() && options.rxBlockCount() > 0)
            {
                setIntOption(arena, callState, fd, Tpacket.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING", name);
            }

            final long mappingSize = options.rxRingSizeBytes() + options.txRingSizeBytes();
            final MemorySegment mapped = (MemorySegment)LibC.mmap.invokeExact(callState, MemorySegment.NULL,
                mappingSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, 0L);
            if (mapped.address() == LibC.MAP_FAILED)
            {
                throw new LinuxException("mmap(" + mappingSize + " bytes of rings) for " + name, LibC.errno(callState));
            }
            final MemorySegment ring = mapped.reinterpret(mappingSize, arena, PacketSocket::unmap);

            final MemorySegment address = arena.allocate(Tpacket.SOCKADDR_LL);
            address.set(JAVA_SHORT, 0, (short)LibC.AF_PACKET);
            address.set(NETWORK_SHORT, 2, (short)Tpacket.ETH_P_ALL);
            address.set(JAVA_INT, 4, interfaceIndex);
            if ((int)LibC.bind.invokeExact(callState, fd, address, (int)Tpacket.SOCKADDR_LL.byteSize()) != 0)
            {
                throw new LinuxException("bind(AF_PACKET, " + name + ")", LibC.errno(callState));
            }
            if (options.promiscuous())
            {
                final MemorySegment mreq = arena.allocate(Tpacket.PACKET_MREQ);
                mreq.set(JAVA_INT, 0, interfaceIndex);
                mreq.set(JAVA_SHORT, 4, (short)Tpacket.PACKET_MR_PROMISC);
                setOption(callState, fd, Tpacket.PACKET_ADD_MEMBERSHIP, mreq, "PACKET_ADD_MEMBERSHIP(PROMISC)", name);
            }
            if (options.fanoutGroupId() != PacketSocketOptions.NO_FANOUT)
            {
                setIntOption(arena, callState, fd, Tpacket.PACKET_FANOUT,
                    options.fanoutGroupId() | (options.fanoutMode() << 16), "PACKET_FANOUT", name);
                if (options.fanoutProgram() != null)
                {
                    // Only a member may set the group's program; until then the group steers every frame to member 0.
                    setOption(callState, fd, Tpacket.PACKET_FANOUT_DATA, ClassicBpf.program(arena, options.fanoutProgram()),
                        "PACKET_FANOUT_DATA", name);
                }
            }
            return new PacketSocket(arena, options, fd, interfaceIndex, mac, mtu, ring, callState);
        }
        catch (final Throwable t)
        {
            // Closing the arena unmaps the rings if they were mapped.
            LibC.closeQuietly(fd, callState);
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Moves to the next received frame, handing back the previous one's block to the kernel when
     * it has been read to the end (unless {@link #holdBlocks(boolean) held}). The frame stays valid
     * until the next call to this method or {@link #releaseConsumed()}; with held blocks, until
     * {@link #releaseConsumed()}. A VLAN tag the kernel stripped into metadata is put back in the
     * frame, so frames are as they were on the wire.
     *
     * @return the frame's offset in {@link #ring()}, or -1 when no frame is ready.
     */
    public long nextFrame()
    {
        while (rxPacketsLeft == 0)
        {
            if (rxHoldingBlock)
            {
                if (holdBlocks)
                {
                    rxHoldingBlock = false;
                    rxHeldBlocks++;
                    if (++rxBlockIndex == rxBlockCount)
                    {
                        rxBlockIndex = 0;
                    }
                }
                else
                {
                    releaseBlock();
                }
            }
            if (rxBlockCount == 0 || rxHeldBlocks >= rxBlockCount - 1)
            {
                return -1;
            }
            final long block = (long)rxBlockIndex * rxBlockSize;
            final int status = (int)INT_HANDLE.getAcquire(ring, block + Tpacket.BLOCK_STATUS);
            if ((status & Tpacket.TP_STATUS_USER) == 0)
            {
                return -1;
            }
            rxHoldingBlock = true;
            rxPacketsLeft = ring.get(JAVA_INT, block + Tpacket.BLOCK_NUM_PKTS);
            rxNextHeader = block + ring.get(JAVA_INT, block + Tpacket.BLOCK_OFFSET_TO_FIRST_PKT);
        }
        final long header = rxNextHeader;
        rxNextHeader = header + ring.get(JAVA_INT, header + Tpacket.HDR_NEXT_OFFSET);
        rxPacketsLeft--;

        long frame = header + (ring.get(JAVA_SHORT, header + Tpacket.HDR_MAC) & 0xFFFF);
        int length = ring.get(JAVA_INT, header + Tpacket.HDR_SNAPLEN);
        int wireLength = ring.get(JAVA_INT, header + Tpacket.HDR_LEN);
        final int status = ring.get(JAVA_INT, header + Tpacket.HDR_STATUS);
        if (vnetHeaderLength != 0)
        {
            // Read before a VLAN tag is put back: the tag's bytes overlap the header's end.
            final long vnet = frame - vnetHeaderLength;
            frameVnetFlags = ring.get(JAVA_BYTE, vnet + VirtioNetHeader.FLAGS) & 0xFF;
            frameGsoType = ring.get(JAVA_BYTE, vnet + VirtioNetHeader.GSO_TYPE) & 0xFF;
            frameGsoSize = ring.get(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.GSO_SIZE) & 0xFFFF;
            frameCsumStart = ring.get(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.CSUM_START) & 0xFFFF;
            frameCsumOffset = ring.get(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.CSUM_OFFSET) & 0xFFFF;
        }
        if ((status & Tpacket.TP_STATUS_VLAN_VALID) != 0)
        {
            final int tpid = (status & Tpacket.TP_STATUS_VLAN_TPID_VALID) != 0 ?
                ring.get(JAVA_SHORT, header + Tpacket.HDR_VLAN_TPID) & 0xFFFF : ETHERTYPE_VLAN;
            final int tci = ring.get(JAVA_INT, header + Tpacket.HDR_VLAN_TCI) & 0xFFFF;
            MemorySegment.copy(ring, frame, ring, frame - VLAN_TAG_LENGTH, MAC_ADDRESSES_LENGTH);
            frame -= VLAN_TAG_LENGTH;
            ring.set(NETWORK_SHORT, frame + MAC_ADDRESSES_LENGTH, (short)tpid);
            ring.set(NETWORK_SHORT, frame + MAC_ADDRESSES_LENGTH + 2, (short)tci);
            length += VLAN_TAG_LENGTH;
            wireLength += VLAN_TAG_LENGTH;
            if ((frameVnetFlags & VirtioNetHeader.F_NEEDS_CSUM) != 0)
            {
                frameCsumStart += VLAN_TAG_LENGTH;
            }
        }
        frameLength = length;
        frameWireLength = wireLength;
        frameTimestampNs = (ring.get(JAVA_INT, header + Tpacket.HDR_SEC) & 0xFFFF_FFFFL) * 1_000_000_000L +
            ring.get(JAVA_INT, header + Tpacket.HDR_NSEC);
        return frame;
    }

    /**
     * Keeps every block read to its end until {@link #releaseConsumed()}, so all frames of a burst
     * stay valid while they are processed where they lie (one block short of the ring at most:
     * {@link #nextFrame()} returns -1 rather than read a block still held).
     */
    public PacketSocket holdBlocks(final boolean holdBlocks)
    {
        this.holdBlocks = holdBlocks;
        return this;
    }

    /**
     * Hands the held blocks and the current block, if all its frames have been read, back to the
     * kernel; call at the end of a receive burst (once its frames are done with, when blocks are
     * held) so a block does not wait for the next burst to be returned.
     */
    public void releaseConsumed()
    {
        int index = rxBlockIndex - rxHeldBlocks;
        if (index < 0)
        {
            index += rxBlockCount;
        }
        for (; rxHeldBlocks > 0; rxHeldBlocks--)
        {
            INT_HANDLE.setRelease(ring, (long)index * rxBlockSize + Tpacket.BLOCK_STATUS, Tpacket.TP_STATUS_KERNEL);
            if (++index == rxBlockCount)
            {
                index = 0;
            }
        }
        if (rxHoldingBlock && rxPacketsLeft == 0)
        {
            releaseBlock();
        }
    }

    /**
     * @return the captured length of the frame {@link #nextFrame()} returned.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * @return the frame's length on the wire, larger than {@link #frameLength()} only when snapped.
     */
    public int frameWireLength()
    {
        return frameWireLength;
    }

    public long frameTimestampNs()
    {
        return frameTimestampNs;
    }

    /**
     * @return the current frame's virtio_net_hdr flags ({@link VirtioNetHeader#F_NEEDS_CSUM},
     * {@link VirtioNetHeader#F_DATA_VALID}); 0 without vnet headers.
     */
    public int frameVnetFlags()
    {
        return frameVnetFlags;
    }

    /**
     * @return the current frame's gso_type ({@link VirtioNetHeader#GSO_NONE}, {@code _TCPV4}, ...).
     */
    public int frameGsoType()
    {
        return frameGsoType;
    }

    /**
     * @return the current frame's gso_size: the payload bytes of each segment it stands for.
     */
    public int frameGsoSize()
    {
        return frameGsoSize;
    }

    /**
     * @return where the checksum of a {@link VirtioNetHeader#F_NEEDS_CSUM} frame starts, from the frame's first byte.
     */
    public int frameCsumStart()
    {
        return frameCsumStart;
    }

    /**
     * @return where, after {@link #frameCsumStart()}, the checksum of a checksum-partial frame goes.
     */
    public int frameCsumOffset()
    {
        return frameCsumOffset;
    }

    /**
     * Waits up to {@code timeoutMs} for a received block (for tests and tools; a datapath agent
     * polls {@link #nextFrame()} under its idle strategy instead).
     *
     * @return true when a block is ready.
     */
    public boolean awaitReceive(final int timeoutMs)
    {
        if (rxPacketsLeft > 0)
        {
            return true;
        }
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, (short)(LibC.POLLIN | LibC.POLLERR));
        pollFd.set(JAVA_SHORT, 6, (short)0);
        try
        {
            final int ready = (int)LibC.poll.invokeExact(rxCallState, pollFd, 1L, timeoutMs);
            if (ready < 0 && LibC.errno(rxCallState) != LibC.EINTR)
            {
                throw new LinuxException("poll(AF_PACKET " + interfaceName + ")", LibC.errno(rxCallState));
            }
            return ready > 0;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Claims the next TX slot.
     *
     * @return the offset in {@link #ring()} where the frame's first byte goes, or -1 when the TX
     * ring is full (the kernel has not finished sending the slot's previous frame).
     */
    public long claimTxFrame()
    {
        if (txFrameCount == 0)
        {
            return -1;
        }
        final long slot = txRingOffset + (long)txHead * txFrameSize;
        final int status = (int)INT_HANDLE.getAcquire(ring, slot + Tpacket.HDR_STATUS);
        if (status != Tpacket.TP_STATUS_AVAILABLE)
        {
            if ((status & Tpacket.TP_STATUS_WRONG_FORMAT) == 0)
            {
                return -1;
            }
            txWrongFormat++;
        }
        return slot + Tpacket.TX_DATA_OFFSET + vnetHeaderLength;
    }

    /**
     * Marks the claimed slot, now holding {@code length} bytes of a complete frame, as ready to send.
     */
    public void commitTxFrame(final int length)
    {
        commitTxFrame(length, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
    }

    /**
     * Marks the claimed slot, now holding {@code length} bytes, as ready to send with this
     * virtio_net_hdr (ignored without vnet headers): the kernel completes a checksum-partial frame's
     * checksum and segments a GSO frame, or lets the device do it.
     *
     * @param vnetFlags  0 or {@link VirtioNetHeader#F_NEEDS_CSUM}.
     * @param gsoType    {@link VirtioNetHeader#GSO_NONE}, {@code _TCPV4} or {@code _UDP_L4}, with {@code _ECN}.
     * @param headerLength the bytes of Ethernet, IP and transport headers (hdr_len).
     * @param gsoSize    the payload bytes of each segment of a GSO frame.
     * @param csumStart  where the checksummed region starts, from the frame's first byte.
     * @param csumOffset where in it the checksum goes.
     */
    public void commitTxFrame(final int length, final int vnetFlags, final int gsoType, final int headerLength,
        final int gsoSize, final int csumStart, final int csumOffset)
    {
        if (length < 0 || length > maxTxFrameLength)
        {
            throw new IllegalArgumentException("frame length " + length + " outside [0, " + maxTxFrameLength + "]");
        }
        final long slot = txRingOffset + (long)txHead * txFrameSize;
        if (vnetHeaderLength != 0)
        {
            final long vnet = slot + Tpacket.TX_DATA_OFFSET;
            ring.set(JAVA_BYTE, vnet + VirtioNetHeader.FLAGS, (byte)vnetFlags);
            ring.set(JAVA_BYTE, vnet + VirtioNetHeader.GSO_TYPE, (byte)gsoType);
            ring.set(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.HDR_LEN, (short)headerLength);
            ring.set(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.GSO_SIZE, (short)gsoSize);
            ring.set(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.CSUM_START, (short)csumStart);
            ring.set(JAVA_SHORT_UNALIGNED, vnet + VirtioNetHeader.CSUM_OFFSET, (short)csumOffset);
        }
        ring.set(JAVA_INT, slot + Tpacket.HDR_NEXT_OFFSET, 0);
        ring.set(JAVA_INT, slot + Tpacket.HDR_LEN, length + vnetHeaderLength);
        ring.set(JAVA_INT, slot + Tpacket.HDR_SNAPLEN, length + vnetHeaderLength);
        INT_HANDLE.setRelease(ring, slot + Tpacket.HDR_STATUS, Tpacket.TP_STATUS_SEND_REQUEST);
        if (++txHead == txFrameCount)
        {
            txHead = 0;
        }
        txPending++;
    }

    /**
     * Asks the kernel to send every committed frame, without waiting for completion.
     *
     * @return the number of frames handed to the kernel by this call; 0 when it is busy (EAGAIN,
     * ENOBUFS), in which case they go with the next flush.
     * @throws LinuxException for other failures, e.g. ENETDOWN when the interface is down.
     */
    public int flushTx()
    {
        if (txPending == 0)
        {
            return 0;
        }
        long sent;
        try
        {
            sent = (long)LibC.sendto_nocapture.invokeExact(fd, MemorySegment.NULL, 0L, LibC.MSG_DONTWAIT,
                MemorySegment.NULL, 0);
            if (sent < 0)
            {
                sent = (long)LibC.sendto.invokeExact(txCallState, fd, MemorySegment.NULL, 0L, LibC.MSG_DONTWAIT,
                    MemorySegment.NULL, 0);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        if (sent < 0)
        {
            final int errno = LibC.errno(txCallState);
            if (errno == LibC.EAGAIN || errno == LibC.ENOBUFS || errno == LibC.EINTR)
            {
                return 0;
            }
            throw new LinuxException("sendto(AF_PACKET " + interfaceName + " TX ring)", errno);
        }
        final int frames = txPending;
        txPending = 0;
        return frames;
    }

    /**
     * @return frames the kernel rejected as malformed (e.g. longer than the MTU), seen when their
     * slot was reused.
     */
    public long txWrongFormatCount()
    {
        return txWrongFormat;
    }

    /**
     * Reads and accumulates PACKET_STATISTICS (which the kernel resets on each read). Call from one
     * thread only.
     */
    public void updateStats()
    {
        statsLength.set(JAVA_INT, 0, (int)Tpacket.TPACKET_STATS_V3.byteSize());
        try
        {
            if ((int)LibC.getsockopt.invokeExact(controlCallState, fd, LibC.SOL_PACKET, Tpacket.PACKET_STATISTICS,
                statsOut, statsLength) != 0)
            {
                throw new LinuxException("getsockopt(PACKET_STATISTICS, " + interfaceName + ")",
                    LibC.errno(controlCallState));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        totalPackets += statsOut.get(JAVA_INT, 0) & 0xFFFF_FFFFL;
        totalDrops += statsOut.get(JAVA_INT, 4) & 0xFFFF_FFFFL;
    }

    /**
     * @return frames the kernel delivered to this socket, as of the last {@link #updateStats()}.
     */
    public long receivedCount()
    {
        return totalPackets;
    }

    /**
     * @return frames the kernel dropped because the RX ring was full, as of the last {@link #updateStats()}.
     */
    public long droppedCount()
    {
        return totalDrops;
    }

    /**
     * @return the mapping: the RX ring, then the TX ring. Frame offsets index into it.
     */
    public MemorySegment ring()
    {
        return ring;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    public int interfaceIndex()
    {
        return interfaceIndex;
    }

    /**
     * @return the interface's MAC address as the low 48 bits.
     */
    public long macAddress()
    {
        return macAddress;
    }

    /**
     * @return the interface's MTU (IP packet size) when the socket was opened.
     */
    public int mtu()
    {
        return mtu;
    }

    /**
     * @return the largest frame a TX slot holds, 0 for a receive-only socket.
     */
    public int maxTxFrameLength()
    {
        return maxTxFrameLength;
    }

    /**
     * @return true when frames carry a {@link VirtioNetHeader} both ways.
     */
    public boolean hasVnetHeader()
    {
        return vnetHeaderLength != 0;
    }

    public int fd()
    {
        return fd;
    }

    /**
     * Unmaps the rings and closes the socket; the threads using it must have stopped.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            arena.close();
        }
        finally
        {
            try (Arena temp = Arena.ofConfined())
            {
                LibC.closeQuietly(fd, LibC.allocateCallState(temp));
            }
        }
    }

    @Override
    public String toString()
    {
        return "PacketSocket{" + interfaceName + ", ifindex=" + interfaceIndex + ", fd=" + fd + '}';
    }

    private void releaseBlock()
    {
        INT_HANDLE.setRelease(ring, (long)rxBlockIndex * rxBlockSize + Tpacket.BLOCK_STATUS, Tpacket.TP_STATUS_KERNEL);
        rxHoldingBlock = false;
        if (++rxBlockIndex == rxBlockCount)
        {
            rxBlockIndex = 0;
        }
    }

    private static void unmap(final MemorySegment mapping)
    {
        try (Arena temp = Arena.ofConfined())
        {
            final int ignored = (int)LibC.munmap.invokeExact(LibC.allocateCallState(temp), mapping, mapping.byteSize());
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    private static void setIntOption(final Arena arena, final MemorySegment callState, final int fd, final int option,
        final int value, final String optionName, final String name)
    {
        final MemorySegment optval = arena.allocateFrom(JAVA_INT, value);
        setOption(callState, fd, option, optval, optionName, name);
    }

    private static void setOption(final MemorySegment callState, final int fd, final int option,
        final MemorySegment optval, final String optionName, final String name)
    {
        try
        {
            if ((int)LibC.setsockopt.invokeExact(callState, fd, LibC.SOL_PACKET, option, optval, (int)optval.byteSize()) != 0)
            {
                throw new LinuxException("setsockopt(" + optionName + ", " + name + ")", LibC.errno(callState));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
