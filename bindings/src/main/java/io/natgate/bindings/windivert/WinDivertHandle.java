package io.natgate.bindings.windivert;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An open WinDivert handle with its receive and send batch buffers. Owns the HANDLE and a shared
 * arena; nothing is allocated per packet or per batch.
 * <p>
 * {@link #receive()} never blocks: it keeps one overlapped {@code WinDivertRecvEx} outstanding and
 * reports a batch (up to {@code batchSize} packets) when it has completed. Transmit queues packets
 * in the send buffer ({@link #claimSend(int)}, {@link #commitSend(int)}) and {@link #send()} injects
 * them with one {@code WinDivertSendEx}. One thread receives, one thread sends.
 */
public final class WinDivertHandle implements AutoCloseable
{
    private static final ValueLayout.OfShort NETWORK_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int IPV6_HEADER_LENGTH = 40;

    private final Arena arena;
    private final MemorySegment handle;
    private final String filter;
    private final int batchSize;
    private final int maxPacketLength;
    private final MemorySegment rxCallState;
    private final MemorySegment txCallState;
    private final MemorySegment rxPackets;
    private final MemorySegment rxAddresses;
    private final MemorySegment rxLength;
    private final MemorySegment rxAddressesLength;
    private final MemorySegment rxTransferred;
    private final MemorySegment overlapped;
    private final MemorySegment txPackets;
    private final MemorySegment txAddresses;
    private final MemorySegment txLength;
    private final MemorySegment paramOut;
    private final int[] packetOffsets;
    private final int[] packetLengths;
    private final WinDivertAddress txAddress = new WinDivertAddress();

    private boolean receivePending;
    private int txCount;
    private int txBytes;
    private boolean closed;

    private WinDivertHandle(final Arena arena, final MemorySegment handle, final WinDivertOptions options)
    {
        this.arena = arena;
        this.handle = handle;
        this.filter = options.filter();
        this.batchSize = options.batchSize();
        this.maxPacketLength = options.maxPacketLength();
        final long bufferBytes = (long)batchSize * maxPacketLength;
        this.rxCallState = WinDivert.allocateCallState(arena);
        this.txCallState = WinDivert.allocateCallState(arena);
        this.rxPackets = arena.allocate(bufferBytes, 64);
        this.rxAddresses = arena.allocate((long)batchSize * WinDivertAddress.SIZE, 8);
        this.rxLength = arena.allocate(JAVA_INT);
        this.rxAddressesLength = arena.allocate(JAVA_INT);
        this.rxTransferred = arena.allocate(JAVA_INT);
        this.overlapped = arena.allocate(Kernel32.OVERLAPPED_SIZE, 8);
        this.txPackets = arena.allocate(bufferBytes, 64);
        this.txAddresses = arena.allocate((long)batchSize * WinDivertAddress.SIZE, 8);
        this.txLength = arena.allocate(JAVA_INT);
        this.paramOut = arena.allocate(JAVA_LONG);
        this.packetOffsets = new int[batchSize];
        this.packetLengths = new int[batchSize];
        this.txAddress.wrap(arena.allocate(WinDivertAddress.SIZE, 8), 0).clear();
    }

    /**
     * Opens a handle ({@code WinDivertOpen}) and applies the queue parameters.
     *
     * @throws io.natgate.bindings.NativeLibraryUnavailableException anywhere but Windows, or when
     * WinDivert.dll is missing, saying what to do.
     * @throws WinDivertException with Windows' text and WinDivert's meaning of the code.
     */
    public static WinDivertHandle open(final WinDivertOptions options)
    {
        options.validate();
        WinDivert.LIBRARY.ensureAvailable();
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment callState = WinDivert.allocateCallState(arena);
            final MemorySegment handle = (MemorySegment)WinDivert.WinDivertOpen.invokeExact(callState,
                arena.allocateFrom(options.filter()), options.layer(), (short)options.priority(), options.flags());
            if (handle.address() == WinDivert.INVALID_HANDLE_VALUE)
            {
                throw new WinDivertException("WinDivertOpen(\"" + options.filter() + "\", layer " + options.layer() + ")",
                    WinDivert.lastError(callState));
            }
            final WinDivertHandle divert = new WinDivertHandle(arena, handle, options);
            try
            {
                if (options.queueLength() > 0)
                {
                    divert.setParam(WinDivert.WINDIVERT_PARAM_QUEUE_LENGTH, options.queueLength());
                }
                if (options.queueTimeMs() > 0)
                {
                    divert.setParam(WinDivert.WINDIVERT_PARAM_QUEUE_TIME, options.queueTimeMs());
                }
                if (options.queueSizeBytes() > 0)
                {
                    divert.setParam(WinDivert.WINDIVERT_PARAM_QUEUE_SIZE, options.queueSizeBytes());
                }
            }
            catch (final RuntimeException ex)
            {
                divert.close();
                throw ex;
            }
            return divert;
        }
        catch (final Throwable t)
        {
            if (arena.scope().isAlive())
            {
                arena.close();
            }
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Polls for a received batch without blocking.
     *
     * @return the number of packets now available through {@link #packetOffset(int)} and
     * {@link #packetLength(int)} (valid until the next call), or 0 when none has arrived yet.
     * @throws WinDivertException when the receive fails (e.g. ERROR_NO_DATA after shutdown).
     */
    public int receive()
    {
        try
        {
            if (!receivePending)
            {
                rxAddressesLength.set(JAVA_INT, 0, batchSize * WinDivertAddress.SIZE);
                overlapped.fill((byte)0);
                final int ok = (int)WinDivert.WinDivertRecvEx.invokeExact(rxCallState, handle, rxPackets,
                    (int)rxPackets.byteSize(), rxLength, 0L, rxAddresses, rxAddressesLength, overlapped);
                if (ok != 0)
                {
                    return splitBatch(rxPackets, rxLength.get(JAVA_INT, 0), packetOffsets, packetLengths);
                }
                final int error = WinDivert.lastError(rxCallState);
                if (error != Kernel32.ERROR_IO_PENDING)
                {
                    throw new WinDivertException("WinDivertRecvEx(\"" + filter + "\")", error);
                }
                receivePending = true;
                return 0;
            }
            // HasOverlappedIoCompleted: the idle poll reads memory only, no downcall (a capturing
            // downcall allocates in JDK 25; this way that happens once per batch, not per poll).
            if (overlapped.get(JAVA_LONG, 0) == Kernel32.STATUS_PENDING)
            {
                return 0;
            }
            final int done = (int)Kernel32.GetOverlappedResult.invokeExact(rxCallState, handle, overlapped, rxTransferred, 0);
            if (done != 0)
            {
                receivePending = false;
                return splitBatch(rxPackets, rxTransferred.get(JAVA_INT, 0), packetOffsets, packetLengths);
            }
            final int error = WinDivert.lastError(rxCallState);
            if (error == Kernel32.ERROR_IO_INCOMPLETE)
            {
                return 0;
            }
            receivePending = false;
            throw new WinDivertException("WinDivertRecvEx(\"" + filter + "\") completion", error);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return the received packets, one after another, and their {@link #receivedAddresses() addresses}.
     */
    public MemorySegment receivedPackets()
    {
        return rxPackets;
    }

    /**
     * @return one 80-byte WINDIVERT_ADDRESS per received packet, in order.
     */
    public MemorySegment receivedAddresses()
    {
        return rxAddresses;
    }

    public int packetOffset(final int index)
    {
        return packetOffsets[index];
    }

    public int packetLength(final int index)
    {
        return packetLengths[index];
    }

    /**
     * The address every queued packet is sent with: set it once (direction, interface) and
     * {@link #commitSend(int)} copies it into each packet's slot.
     */
    public WinDivertAddress sendAddressTemplate()
    {
        return txAddress;
    }

    /**
     * Claims room for a packet of up to {@code length} bytes in the send batch.
     *
     * @return the offset in {@link #sendBuffer()} to write the packet at, or -1 when the batch is full
     * (call {@link #send()} first).
     */
    public long claimSend(final int length)
    {
        if (txCount == batchSize || txBytes + length > txPackets.byteSize())
        {
            return -1;
        }
        return txBytes;
    }

    /**
     * Adds the packet written at the claimed offset to the batch, with the template address.
     */
    public void commitSend(final int length)
    {
        txAddress.copyTo(txAddresses, (long)txCount * WinDivertAddress.SIZE);
        txCount++;
        txBytes += length;
    }

    public MemorySegment sendBuffer()
    {
        return txPackets;
    }

    /**
     * @return packets queued for the next {@link #send()}.
     */
    public int queuedCount()
    {
        return txCount;
    }

    /**
     * Injects the queued batch ({@code WinDivertSendEx}).
     *
     * @return the number of packets sent, 0 when none were queued.
     * @throws WinDivertException when the injection fails.
     */
    public int send()
    {
        if (txCount == 0)
        {
            return 0;
        }
        final int count = txCount;
        try
        {
            final int ok = (int)WinDivert.WinDivertSendEx.invokeExact(txCallState, handle, txPackets, txBytes, txLength,
                0L, txAddresses, count * WinDivertAddress.SIZE, MemorySegment.NULL);
            txCount = 0;
            txBytes = 0;
            if (ok == 0)
            {
                throw new WinDivertException("WinDivertSendEx(\"" + filter + "\", " + count + " packets)",
                    WinDivert.lastError(txCallState));
            }
            return count;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public void setParam(final int param, final long value)
    {
        try
        {
            if ((int)WinDivert.WinDivertSetParam.invokeExact(rxCallState, handle, param, value) == 0)
            {
                throw new WinDivertException("WinDivertSetParam(" + param + ", " + value + ")",
                    WinDivert.lastError(rxCallState));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public long getParam(final int param)
    {
        try
        {
            if ((int)WinDivert.WinDivertGetParam.invokeExact(rxCallState, handle, param, paramOut) == 0)
            {
                throw new WinDivertException("WinDivertGetParam(" + param + ")", WinDivert.lastError(rxCallState));
            }
            return paramOut.get(JAVA_LONG, 0);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Recomputes the IP, ICMP and transport checksums of a packet in place
     * ({@code WinDivertHelperCalcChecksums}).
     *
     * @param flags {@code WINDIVERT_HELPER_NO_*_CHECKSUM} bits to skip some.
     * @return false when the packet could not be parsed.
     */
    public static boolean calcChecksums(final MemorySegment packet, final int length, final long flags)
    {
        WinDivert.LIBRARY.ensureAvailable();
        try
        {
            return (int)WinDivert.WinDivertHelperCalcChecksums.invokeExact(packet, length, MemorySegment.NULL, flags) != 0;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Stops receiving and/or sending ({@code WinDivertShutdown}); queued packets can still be read.
     */
    public void shutdown(final int how)
    {
        try
        {
            if ((int)WinDivert.WinDivertShutdown.invokeExact(txCallState, handle, how) == 0)
            {
                throw new WinDivertException("WinDivertShutdown(" + how + ")", WinDivert.lastError(txCallState));
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Cancels an outstanding receive, closes the handle and frees the buffers; the threads using it
     * must have stopped.
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
            if (receivePending)
            {
                // The driver writes into our buffers until the cancelled receive completes: wait for it.
                final int cancelled = (int)Kernel32.CancelIoEx.invokeExact(rxCallState, handle, overlapped);
                final int completed = (int)Kernel32.GetOverlappedResult.invokeExact(rxCallState, handle, overlapped,
                    rxTransferred, 1);
            }
            final int ignored = (int)WinDivert.WinDivertClose.invokeExact(txCallState, handle);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        finally
        {
            arena.close();
        }
    }

    /**
     * Finds the packets in a received batch: WinDivert returns them back to back, each as long as
     * its IP header says (IPv4 total length, or IPv6 payload length plus the 40-byte header).
     *
     * @return the number of packets found; a malformed length ends the batch at what precedes it.
     */
    static int splitBatch(final MemorySegment packets, final int bytes, final int[] offsets, final int[] lengths)
    {
        int count = 0;
        int offset = 0;
        while (offset < bytes && count < offsets.length)
        {
            final int remaining = bytes - offset;
            final int version = (packets.get(JAVA_BYTE, offset) & 0xF0) >>> 4;
            final int length;
            if (version == 4 && remaining >= 20)
            {
                length = packets.get(NETWORK_SHORT, offset + 2) & 0xFFFF;
            }
            else if (version == 6 && remaining >= IPV6_HEADER_LENGTH)
            {
                length = IPV6_HEADER_LENGTH + (packets.get(NETWORK_SHORT, offset + 4) & 0xFFFF);
            }
            else
            {
                break;
            }
            if (length < 20 || length > remaining)
            {
                break;
            }
            offsets[count] = offset;
            lengths[count] = length;
            count++;
            offset += length;
        }
        return count;
    }
}
