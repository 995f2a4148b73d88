package io.natgate.control.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One gateway per journal directory: an exclusive lock on {@value #FILE_NAME} in the journal's
 * directory, taken by {@code natgate run} before it opens or writes anything, held until it exits
 * (the kernel drops it when the process dies, however it dies). The file holds the holder's pid,
 * for the message the next one prints; it is never deleted, so two runs cannot lock two files.
 */
public final class GatewayLock implements AutoCloseable
{
    /** The lock file's name in the journal directory (not a journal file: the journal reads only *.cq4). */
    public static final String FILE_NAME = "natgate.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private GatewayLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code directory}, creating the directory and the file when needed.
     *
     * @throws HeldException when another gateway (in this process or another) holds it.
     * @throws JournalException when the lock file cannot be made or locked (the directory is not writable).
     */
    public static GatewayLock acquire(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        final FileChannel channel;
        try
        {
            Files.createDirectories(directory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        catch (final IOException | SecurityException ex)
        {
            throw new JournalException("cannot make the lock " + file + ": " + Journal.describe(ex), ex);
        }
        try
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw held(directory, channel);
            }
            if (lock == null)
            {
                throw held(directory, channel);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new GatewayLock(channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new JournalException("cannot lock " + file + ": " + Journal.describe(ex), ex);
        }
        catch (final HeldException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static HeldException held(final Path directory, final FileChannel channel)
    {
        String holder = "";
        try
        {
            final ByteBuffer bytes = ByteBuffer.allocate(32);
            final int read = channel.read(bytes, 0);
            final String pid = read <= 0 ? "" : new String(bytes.array(), 0, read, StandardCharsets.US_ASCII).strip();
            holder = pid.matches("[0-9]+") ? " (pid " + pid + ")" : "";
        }
        catch (final IOException ignored)
        {
            // the pid is only for the message
        }
        return new HeldException("another natgate gateway" + holder + " is running on the journal " + directory +
            "; one gateway per journal directory");
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing a channel we failed to use
        }
    }

    /**
     * Releases the lock (the file stays).
     */
    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignored)
        {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
    }

    /**
     * Another gateway holds the journal directory.
     */
    public static final class HeldException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        HeldException(final String message)
        {
            super(message);
        }
    }
}
