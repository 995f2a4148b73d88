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
 * them live, as aeron-stat reads Aeron's CnC file. Layout (version 2): a header (magic, version, port count,
 * pid, start time, worker count, the offset of the first set and the distance between sets, port names), then
 * one {@link DatapathCounters} set per worker and, with more than one worker, one for the rx side's steering.
 * Each set starts on a {@link DatapathCounters#BLOCK_BYTES} boundary (two cache lines), so no two workers ever
 * write one cache line or its prefetched neighbour. Readers sum the sets ({@link #total()}).
 */
public final class CountersFile implements AutoCloseable
{
    public static final long MAGIC = 0x4E4154_47434E54L; // "NATGCNT"
    public static final int VERSION = 2;
    public static final int MAX_PORTS = 16;
    public static final int PORT_NAME_BYTES = 32;
    private static final int VERSION_OFFSET = 8;
    private static final int PORT_COUNT_OFFSET = 12;
    private static final int PID_OFFSET = 16;
    private static final int START_TIME_OFFSET = 24;
    private static final int WORKERS_OFFSET = 32;
    private static final int FIRST_SET_OFFSET = 36;
    private static final int SET_STRIDE_OFFSET = 40;
    private static final int PORT_NAMES_OFFSET = 64;
    public static final int HEADER_BYTES = PORT_NAMES_OFFSET + MAX_PORTS * PORT_NAME_BYTES;
    /** Where the first set starts: the header rounded up to whole blocks. */
    public static final int FIRST_SET_BYTES = align(HEADER_BYTES);
    /** The name of the steering's set beside the workers' numbers. */
    public static final String STEERING_SET_NAME = "rx";

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final DatapathCounters[] workerCounters;
    private final DatapathCounters steeringCounters;
    private final List<String> portNames;
    private final boolean owner;

    private CountersFile(
        final Path path,
        final MappedByteBuffer mapped,
        final List<String> portNames,
        final int workers,
        final int firstSetOffset,
        final int setStride,
        final boolean owner)
    {
        this.path = path;
        this.mapped = mapped;
        this.owner = owner;
        this.portNames = List.copyOf(portNames);
        header = new UnsafeBuffer(mapped, 0, HEADER_BYTES);
        workerCounters = new DatapathCounters[workers];
        for (int worker = 0; worker < workers; worker++)
        {
            workerCounters[worker] = mapSet(mapped, firstSetOffset + worker * setStride, portNames.size());
        }
        steeringCounters = workers > 1 ? mapSet(mapped, firstSetOffset + workers * setStride, portNames.size()) : null;
    }

    private static DatapathCounters mapSet(final MappedByteBuffer mapped, final int offset, final int portCount)
    {
        return new DatapathCounters(
            new UnsafeBuffer(mapped, offset, DatapathCounters.requiredCapacity(portCount)), portCount);
    }

    private static int align(final int bytes)
    {
        return (bytes + DatapathCounters.BLOCK_BYTES - 1) / DatapathCounters.BLOCK_BYTES * DatapathCounters.BLOCK_BYTES;
    }

    /**
     * @return the bytes between the starts of two sets for this many ports: a set rounded up to whole blocks.
     */
    static int setStride(final int portCount)
    {
        return align(DatapathCounters.requiredCapacity(portCount));
    }

    /**
     * @return how many sets a file for this many workers holds: one per worker, and one for the steering with two
     * or more.
     */
    static int setsFor(final int workers)
    {
        return workers > 1 ? workers + 1 : workers;
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
     * Creates the file for a gateway with these ports and one worker.
     *
     * @throws IllegalStateException when the file belongs to a gateway still running (it is left alone).
     * @see #create(Path, List, int)
     */
    public static CountersFile create(final Path path, final List<String> portNames)
    {
        return create(path, portNames, 1);
    }

    /**
     * Creates the file for a gateway with these ports and workers, replacing one a gateway that has ended left
     * behind.
     *
     * @param workers how many NAT workers count, each on its own set ({@link #workerCounters(int)}); with more
     *                than one the file holds a set for the steering too ({@link #steeringCounters()}).
     * @throws IllegalStateException when the file belongs to a gateway still running (it is left alone).
     */
    public static CountersFile create(final Path path, final List<String> portNames, final int workers)
    {
        if (portNames.size() > MAX_PORTS)
        {
            throw new IllegalArgumentException("at most " + MAX_PORTS + " ports, got " + portNames.size());
        }
        if (workers < 1)
        {
            throw new IllegalArgumentException("at least 1 worker, got " + workers);
        }
        final int stride = setStride(portNames.size());
        final long length = FIRST_SET_BYTES + (long)setsFor(workers) * stride;
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
        final CountersFile file = new CountersFile(path, mapped, portNames, workers, FIRST_SET_BYTES, stride, true);
        final UnsafeBuffer header = file.header;
        for (int i = 0; i < portNames.size(); i++)
        {
            final byte[] name = portNames.get(i).getBytes(StandardCharsets.UTF_8);
            header.putBytes(PORT_NAMES_OFFSET + i * PORT_NAME_BYTES, name, 0, Math.min(name.length, PORT_NAME_BYTES - 1));
        }
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(PORT_COUNT_OFFSET, portNames.size());
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        header.putInt(WORKERS_OFFSET, workers);
        header.putInt(FIRST_SET_OFFSET, FIRST_SET_BYTES);
        header.putInt(SET_STRIDE_OFFSET, stride);
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
            final long pid = header.getLong(PID_OFFSET);
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
     * @throws IllegalStateException when there is none, it is not a natgate counters file, or it is of another
     *                               version than {@link #VERSION} (another natgate release wrote it).
     */
    public static CountersFile open(final Path path)
    {
        if (!Files.isRegularFile(path))
        {
            throw new IllegalStateException("no counters file at " + path + ": is a gateway running (natgate run)?");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "natgate counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, Math.min(HEADER_BYTES, mapped.capacity()));
        if (mapped.capacity() < HEADER_BYTES || header.getLongVolatile(0) != MAGIC)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(path + " is not a natgate counters file");
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION)
        {
            final long pid = header.getLong(PID_OFFSET);
            IoUtil.unmap(mapped); // the header is gone from here on
            throw new IllegalStateException("counters file " + path + " is version " + version + ", written by " +
                "another natgate release (pid " + pid + "); this natgate reads version " +
                VERSION + ": read it with the natgate that runs that gateway");
        }
        final int portCount = header.getInt(PORT_COUNT_OFFSET);
        final int workers = header.getInt(WORKERS_OFFSET);
        final int firstSet = header.getInt(FIRST_SET_OFFSET);
        final int stride = header.getInt(SET_STRIDE_OFFSET);
        if (portCount < 0 || portCount > MAX_PORTS || workers < 1 || firstSet < HEADER_BYTES ||
            stride < DatapathCounters.requiredCapacity(portCount) ||
            firstSet + (long)setsFor(workers) * stride > mapped.capacity())
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException("counters file " + path + " is damaged: " + portCount + " ports, " +
                workers + " workers, sets from byte " + firstSet + " every " + stride + " bytes in " +
                mapped.capacity() + " bytes");
        }
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
        return new CountersFile(path, mapped, names, workers, firstSet, stride, false);
    }

    /**
     * @return worker 0's set, where the gateway's rx and tx agents count too; with one worker, all the counters.
     * Readers of the gateway's totals use {@link #total()}.
     */
    public DatapathCounters counters()
    {
        return workerCounters[0];
    }

    /**
     * @return how many workers count in this file, each on its own set.
     */
    public int workers()
    {
        return workerCounters.length;
    }

    /**
     * @return the set worker {@code worker} (0 to {@link #workers()} - 1) counts on.
     */
    public DatapathCounters workerCounters(final int worker)
    {
        return workerCounters[worker];
    }

    /**
     * @return the set the rx side's steering counts on (fragments held before their first fragment); null with one
     * worker, which has no steering.
     */
    public DatapathCounters steeringCounters()
    {
        return steeringCounters;
    }

    /**
     * @return how many sets the file holds: one per worker, then with more than one worker the steering's.
     */
    public int setCount()
    {
        return setsFor(workerCounters.length);
    }

    /**
     * @return set {@code index} (0 to {@link #setCount()} - 1): worker {@code index}'s, or past the workers the
     * steering's.
     */
    public DatapathCounters set(final int index)
    {
        return index < workerCounters.length ? workerCounters[index] : steeringCounters;
    }

    /**
     * @return what names set {@code index} to an operator ({@code natgate stat}, the {@code worker} label of
     * {@code /metrics}): the worker's number, or {@code rx} for the steering's set.
     */
    public String setName(final int index)
    {
        return index < workerCounters.length ? Integer.toString(index) : STEERING_SET_NAME;
    }

    /**
     * @return a snapshot on the heap of every set summed: the gateway's counters and gauges as one. Allocates; for
     * readers, not the datapath.
     */
    public DatapathCounters total()
    {
        final DatapathCounters total = new DatapathCounters(portNames.size());
        for (int index = 0; index < setCount(); index++)
        {
            set(index).addTo(total);
        }
        return total;
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
        return header.getLong(PID_OFFSET);
    }

    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
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
