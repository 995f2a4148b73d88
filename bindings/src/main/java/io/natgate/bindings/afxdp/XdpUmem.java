package io.natgate.bindings.afxdp;

import io.natgate.bindings.NativeLibrary;
import io.natgate.bindings.linux.LibC;
import io.natgate.bindings.linux.LinuxException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A UMEM: page-aligned memory split into equal chunks that AF_XDP sockets receive into and send
 * from, registered with the kernel by libxdp. Several sockets (ports, queues) may share one, so a
 * frame received on one can be sent on another by passing its address. Owns the memory, the
 * {@code struct xsk_umem} and a shared arena; close it after its sockets.
 */
public final class XdpUmem implements AutoCloseable
{
    private final Arena arena;
    private final MemorySegment area;
    private final MemorySegment umem;
    private final int frameSizeBytes;
    private final int frameCount;
    private MemorySegment firstFill;
    private MemorySegment firstCompletion;
    private int sockets;
    private boolean closed;

    private XdpUmem(final Arena arena, final MemorySegment area, final MemorySegment umem, final int frameSizeBytes,
        final int frameCount)
    {
        this.arena = arena;
        this.area = area;
        this.umem = umem;
        this.frameSizeBytes = frameSizeBytes;
        this.frameCount = frameCount;
    }

    /**
     * Allocates and registers a UMEM of {@code umemFrameCount} chunks of {@code frameSizeBytes}, with
     * the fill and completion ring sizes of {@code options}.
     *
     * @param sockets how many sockets will share it (for the size check).
     * @throws IllegalArgumentException for bad settings, naming the setting.
     * @throws io.natgate.bindings.NativeLibraryUnavailableException saying what to install.
     */
    public static XdpUmem create(final XdpSocketOptions options, final int sockets)
    {
        LibXdp.LIBRARY.ensureAvailable();
        LibBpf.LIBRARY.ensureAvailable();
        LibBpf.silence();
        final int pageSize = LibC.pageSize();
        options.validate(pageSize, sockets);
        final Arena arena = Arena.ofShared();
        try
        {
            final long sizeBytes = (long)options.umemFrameCount() * options.frameSizeBytes();
            final MemorySegment area = arena.allocate(sizeBytes, pageSize);
            final MemorySegment config = arena.allocate(LibXdp.UMEM_CONFIG_SIZE, 4);
            config.set(JAVA_INT, 0, options.fillRingSize());
            config.set(JAVA_INT, 4, options.completionRingSize());
            config.set(JAVA_INT, 8, options.frameSizeBytes());
            config.set(JAVA_INT, 12, 0);
            config.set(JAVA_INT, 16, 0);
            // libxdp maps the first fill and completion rings here; the first socket takes them over.
            final MemorySegment fill = arena.allocate(LibXdp.RING_STRUCT_SIZE, 8);
            final MemorySegment completion = arena.allocate(LibXdp.RING_STRUCT_SIZE, 8);
            final MemorySegment out = arena.allocate(ADDRESS);
            final int result = (int)LibXdp.xsk_umem__create.invokeExact(out, area, sizeBytes, fill, completion, config);
            if (result < 0)
            {
                throw new LinuxException("xsk_umem__create(" + sizeBytes + " bytes)", -result,
                    -result == LibC.EPERM ? XdpSocket.PERMISSION_HINT : null);
            }
            final XdpUmem created = new XdpUmem(arena, area, out.get(ADDRESS, 0), options.frameSizeBytes(),
                options.umemFrameCount());
            created.firstFill = fill;
            created.firstCompletion = completion;
            return created;
        }
        catch (final Throwable t)
        {
            arena.close();
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * @return the memory frames live in; a frame at UMEM address {@code a} is at offset {@code a}.
     */
    public MemorySegment area()
    {
        return area;
    }

    public int frameSizeBytes()
    {
        return frameSizeBytes;
    }

    public int frameCount()
    {
        return frameCount;
    }

    MemorySegment pointer()
    {
        return umem;
    }

    /**
     * @return the fill ring struct libxdp mapped with the UMEM, for its first socket (which must pass
     * these very structs: when a first socket fails to bind, libxdp keeps the rings only if they are
     * the UMEM's own), or {@code other} once a socket has taken them.
     */
    MemorySegment fillFor(final MemorySegment other)
    {
        return firstFill != null ? firstFill : other;
    }

    MemorySegment completionFor(final MemorySegment other)
    {
        return firstCompletion != null ? firstCompletion : other;
    }

    void socketOpened()
    {
        firstFill = null;
        firstCompletion = null;
        sockets++;
    }

    void socketClosed()
    {
        sockets--;
    }

    /**
     * Unregisters and frees the UMEM; its sockets must have been closed first.
     *
     * @throws IllegalStateException while a socket still uses it.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (sockets > 0)
        {
            throw new IllegalStateException("UMEM still used by " + sockets + " socket(s): close them first");
        }
        closed = true;
        try
        {
            final int ignored = (int)LibXdp.xsk_umem__delete.invokeExact(umem);
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
}
