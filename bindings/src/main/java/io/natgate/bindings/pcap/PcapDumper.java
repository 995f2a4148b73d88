package io.natgate.bindings.pcap;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A capture file being written ({@code pcap_dumper_t *}), classic pcap format with microsecond
 * timestamps, readable by tcpdump and Wireshark. Owns the pointer, a packet header and a staging
 * buffer, so {@link #dump(int, long)} allocates nothing. Used by one thread.
 */
public final class PcapDumper implements AutoCloseable
{
    private final Arena arena;
    private final Path file;
    private final int snapLength;
    private final MemorySegment header;
    private final MemorySegment stagingBuffer;
    private MemorySegment dumper;

    private PcapDumper(final Arena arena, final MemorySegment dumper, final Path file, final int snapLength)
    {
        this.arena = arena;
        this.dumper = dumper;
        this.file = file;
        this.snapLength = snapLength;
        this.header = arena.allocate(LibPcap.PKTHDR_SIZE, 8);
        this.stagingBuffer = arena.allocate(Math.max(snapLength, 64), 64);
    }

    /**
     * Creates (or truncates) a capture file of the given link type, e.g. {@link LibPcap#DLT_EN10MB}
     * for Ethernet or {@link LibPcap#DLT_RAW} for raw IP.
     *
     * @throws PcapException with libpcap's text when the file cannot be created.
     */
    public static PcapDumper create(final Path file, final int linkType, final int snapLength)
    {
        try (Pcap dead = Pcap.openDead(linkType, snapLength))
        {
            return open(dead, file);
        }
    }

    static PcapDumper open(final Pcap pcap, final Path file)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment dumper = (MemorySegment)LibPcap.pcap_dump_open.invokeExact(
                pcap.handle(), arena.allocateFrom(file.toString()));
            if (MemorySegment.NULL.equals(dumper))
            {
                throw new PcapException("pcap_dump_open(" + file + "): " + pcap.lastError(), LibPcap.PCAP_ERROR);
            }
            return new PcapDumper(arena, dumper, file, pcap.snapLength());
        }
        catch (final Throwable t)
        {
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * A native buffer of {@link #snapLength()} bytes owned by this dumper: write a frame at its
     * start and record it with {@link #dump(int, long)}.
     */
    public MemorySegment stagingBuffer()
    {
        return stagingBuffer;
    }

    public int snapLength()
    {
        return snapLength;
    }

    /**
     * Appends a packet of {@code length} bytes whose first {@code min(length, snapLength())} bytes
     * are at the start of {@link #stagingBuffer()}.
     */
    public void dump(final int length, final long timestampMicros)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("frame length out of range: " + length);
        }
        dump(stagingBuffer, length, timestampMicros);
    }

    /**
     * Appends the first {@code length} bytes of a native segment as one packet. Frames longer than
     * the snap length are recorded truncated, with their full length as the wire length.
     */
    public void dump(final MemorySegment frame, final int length, final long timestampMicros)
    {
        final long seconds = Math.floorDiv(timestampMicros, 1_000_000L);
        final long micros = Math.floorMod(timestampMicros, 1_000_000L);
        if (LibPcap.PKTHDR_LONG_TIMEVAL)
        {
            header.set(JAVA_LONG, LibPcap.PKTHDR_TS_SEC_OFFSET, seconds);
            header.set(JAVA_LONG, LibPcap.PKTHDR_TS_USEC_OFFSET, micros);
        }
        else
        {
            header.set(JAVA_INT, LibPcap.PKTHDR_TS_SEC_OFFSET, (int)seconds);
            header.set(JAVA_INT, LibPcap.PKTHDR_TS_USEC_OFFSET, (int)micros);
        }
        header.set(JAVA_INT, LibPcap.PKTHDR_CAPLEN_OFFSET, Math.min(length, snapLength));
        header.set(JAVA_INT, LibPcap.PKTHDR_LEN_OFFSET, length);
        try
        {
            LibPcap.pcap_dump.invokeExact(dumper, header, frame);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * Writes buffered packets to the file.
     *
     * @throws PcapException when the write fails.
     */
    public void flush()
    {
        try
        {
            if ((int)LibPcap.pcap_dump_flush.invokeExact(dumper) != 0)
            {
                throw new PcapException("pcap_dump_flush(" + file + "): write failed", LibPcap.PCAP_ERROR);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    public Path file()
    {
        return file;
    }

    /**
     * Flushes and closes the file.
     */
    @Override
    public void close()
    {
        if (dumper == null)
        {
            return;
        }
        try
        {
            LibPcap.pcap_dump_close.invokeExact(dumper);
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
        finally
        {
            dumper = null;
            arena.close();
        }
    }
}
