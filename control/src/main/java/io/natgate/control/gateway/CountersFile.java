package io.natgate.control.gateway;

import io.natgate.datapath.counters.DatapathCounters;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The datapath counters in a memory-mapped file, so {@code natgate stat} (another process) reads
 * them live, as aeron-stat reads Aeron's CnC file. Layout: a header (magic, version, port count,
 * pid, start time, port names), then the {@link DatapathCounters} buffer.
 */
public final class CountersFile implements AutoCloseable
{
    public static final long MAGIC = 0x4E4154_47434E54L; // "NATGCNT"
    public static final int VERSION = 1;
    public static final int MAX_PORTS = 16;
    public static final int PORT_NAME_BYTES = 32;
    private static final int PORT_NAMES_OFFSET = 64;
    public static final int HEADER_BYTES = PORT_NAMES_OFFSET + MAX_PORTS * PORT_NAME_BYTES;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final DatapathCounters counters;
    private final List<String> portNames;
    private final boolean owner;

    private CountersFile(
        final Path path, final MappedByteBuffer mapped, final List<String> portNames, final boolean owner)
    {
        this.path = path;
        this.mapped = mapped;
        this.owner = owner;
        this.portNames = List.copyOf(portNames);
        header = new UnsafeBuffer(mapped, 0, HEADER_BYTES);
        counters = new DatapathCounters(
            new UnsafeBuffer(mapped, HEADER_BYTES, mapped.capacity() - HEADER_BYTES), portNames.size());
    }

    /**
     * The default location of the counters of the gateway whose admin endpoint is {@code admin}, so gateways on
     * one host (each has its own admin address) never share a file: {@code natgate-HOST-PORT.counters} in shared
     * memory on Linux, the temporary directory elsewhere.
     */
    public static Path defaultPath(final java.net.InetSocketAddress admin)
    {
        final Path shm = Path.of("/dev/shm");
        return (Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")))
            .resolve("natgate-" + admin.getHostString() + "-" + admin.getPort() + ".counters");
    }

    /**
     * Creates the file for a gateway with these ports, replacing one a gateway that has ended left behind.
     *
     * @throws IllegalStateException when the file belongs to a gateway still running (it is left alone).
     */
    public static CountersFile create(final Path path, final List<String> portNames)
    {
        if (portNames.size() > MAX_PORTS)
        {
            throw new IllegalArgumentException("at most " + MAX_PORTS + " ports, got " + portNames.size());
        }
        final long length = HEADER_BYTES + DatapathCounters.requiredCapacity(portNames.size());
        try
        {
            Files.createDirectories(path.toAbsolutePath().getParent());
            final long owner = livingOwner(path);
            if (owner > 0)
            {
                throw new IllegalStateException("counters file " + path + " belongs to the gateway running as pid " +
                    owner + "; give this one its own with --counters FILE (or its own admin.address)");
            }
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create counters file " + path + ": " + ex, ex);
        }
        final MappedByteBuffer mapped = IoUtil.mapNewFile(path.toFile(), length);
        final CountersFile file = new CountersFile(path, mapped, portNames, true);
        final UnsafeBuffer header = file.header;
        for (int i = 0; i < portNames.size(); i++)
        {
            final byte[] name = portNames.get(i).getBytes(StandardCharsets.UTF_8);
            header.putBytes(PORT_NAMES_OFFSET + i * PORT_NAME_BYTES, name, 0, Math.min(name.length, PORT_NAME_BYTES - 1));
        }
        header.putInt(8, VERSION);
        header.putInt(12, portNames.size());
        header.putLong(16, ProcessHandle.current().pid());
        header.putLong(24, System.currentTimeMillis());
        header.putLongVolatile(0, MAGIC); // last: readers see a whole header once the magic is there
        return file;
    }

    /**
     * @return the pid of the running process (not this one) that created the counters file at {@code path}, or 0
     * when there is no such file or its creator has ended.
     */
    static long livingOwner(final Path path)
    {
        if (!Files.isRegularFile(path))
        {
            return 0;
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.nativeOrder());
            if (channel.read(header, 0) < 24 || header.getLong(0) != MAGIC)
            {
                return 0;
            }
            final long pid = header.getLong(16);
            final boolean alive = pid != ProcessHandle.current().pid() &&
                ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? pid : 0;
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * Maps an existing file read-only in spirit (the reader never writes).
     *
     * @throws IllegalStateException when there is none or it is not a natgate counters file.
     */
    public static CountersFile open(final Path path)
    {
        if (!Files.isRegularFile(path))
        {
            throw new IllegalStateException("no counters file at " + path + ": is a gateway running (natgate run)?");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "natgate counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, Math.min(HEADER_BYTES, mapped.capacity()));
        if (mapped.capacity() < HEADER_BYTES || header.getLongVolatile(0) != MAGIC || header.getInt(8) != VERSION)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(path + " is not a natgate counters file (version " + VERSION + ")");
        }
        final int portCount = header.getInt(12);
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < portCount; i++)
        {
            final byte[] name = new byte[PORT_NAME_BYTES];
            header.getBytes(PORT_NAMES_OFFSET + i * PORT_NAME_BYTES, name);
            int length = 0;
            while (length < name.length && name[length] != 0)
            {
                length++;
            }
            names.add(new String(name, 0, length, StandardCharsets.UTF_8));
        }
        return new CountersFile(path, mapped, names, false);
    }

    public DatapathCounters counters()
    {
        return counters;
    }

    public List<String> portNames()
    {
        return portNames;
    }

    /**
     * @return the pid of the gateway that wrote the file.
     */
    public long pid()
    {
        return header.getLong(16);
    }

    public long startTimeMs()
    {
        return header.getLong(24);
    }

    public Path path()
    {
        return path;
    }

    /**
     * A reader unmaps. The gateway that created the file deletes it but leaves its mapping in place
     * until the process ends: threads still finishing (the journal's last count, an admin request)
     * may read the counters after the gateway stops, and reading unmapped memory would crash the JVM.
     */
    @Override
    public void close()
    {
        if (owner)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignore)
            {
                // best effort: natgate stat reports the pid of a stale file as not running
            }
        }
        else
        {
            IoUtil.unmap(mapped);
        }
    }
}
