package io.natgate.bindings.linux;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Moves the calling thread into a named network namespace ({@code ip netns add NAME}, mounted
 * under {@code /run/netns}) for a scope, with {@code setns(2)}. Sockets opened inside the scope,
 * packet sockets and libpcap handles alike, stay bound to that namespace after the thread
 * leaves it, so a gateway (or a test) can open ports in a lab namespace without running the
 * whole JVM there. Only the calling thread moves; the scope must be closed on that thread.
 */
public final class NetworkNamespace
{
    public static final Path NETNS_RUN_DIR = Path.of("/run/netns");

    private NetworkNamespace()
    {
    }

    /**
     * Enters the namespace {@code /run/netns/<name>}.
     *
     * @throws LinuxException when the namespace does not exist or the caller lacks CAP_SYS_ADMIN.
     */
    public static Scope enter(final String name)
    {
        if (name.isEmpty() || name.contains("/"))
        {
            throw new IllegalArgumentException("network namespace name must be a plain name: " + name);
        }
        return enter(NETNS_RUN_DIR.resolve(name));
    }

    /**
     * Enters the namespace whose handle file is {@code path} (e.g. {@code /proc/PID/ns/net}).
     */
    public static Scope enter(final Path path)
    {
        LibC.LIBRARY.ensureAvailable();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.allocateCallState(arena);
            final int original = open(arena, callState, Path.of("/proc/thread-self/ns/net"));
            final int target;
            try
            {
                target = open(arena, callState, path);
            }
            catch (final RuntimeException ex)
            {
                LibC.closeQuietly(original, callState);
                throw ex;
            }
            try
            {
                setns(callState, target, "setns(" + path + ")");
            }
            catch (final RuntimeException ex)
            {
                LibC.closeQuietly(original, callState);
                throw ex;
            }
            finally
            {
                LibC.closeQuietly(target, callState);
            }
            return new Scope(original, Thread.currentThread(), path);
        }
    }

    private static int open(final Arena arena, final MemorySegment callState, final Path path)
    {
        try
        {
            final int fd = (int)LibC.open.invokeExact(callState, arena.allocateFrom(path.toString()),
                LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0)
            {
                final int errno = LibC.errno(callState);
                throw new LinuxException("open(" + path + ")", errno,
                    errno == LibC.ENOENT ? "no such network namespace" : null);
            }
            return fd;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    private static void setns(final MemorySegment callState, final int fd, final String call)
    {
        try
        {
            if ((int)LibC.setns.invokeExact(callState, fd, LibC.CLONE_NEWNET) != 0)
            {
                final int errno = LibC.errno(callState);
                throw new LinuxException(call, errno, errno == LibC.EPERM ? "needs CAP_SYS_ADMIN" : null);
            }
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }

    /**
     * The time the calling thread spends in another namespace; closing returns it to where it was.
     */
    public static final class Scope implements AutoCloseable
    {
        private final Thread thread;
        private final Path path;
        private int originalFd;

        private Scope(final int originalFd, final Thread thread, final Path path)
        {
            this.originalFd = originalFd;
            this.thread = thread;
            this.path = path;
        }

        public Path path()
        {
            return path;
        }

        @Override
        public void close()
        {
            if (originalFd < 0)
            {
                return;
            }
            if (Thread.currentThread() != thread)
            {
                throw new IllegalStateException("network namespace scope closed on " + Thread.currentThread() +
                    ", entered on " + thread);
            }
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment callState = LibC.allocateCallState(arena);
                try
                {
                    setns(callState, originalFd, "setns(back from " + path + ")");
                }
                finally
                {
                    LibC.closeQuietly(originalFd, callState);
                    originalFd = -1;
                }
            }
        }
    }
}
