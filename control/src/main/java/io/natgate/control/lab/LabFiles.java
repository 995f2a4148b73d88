package io.natgate.control.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The lab's files: a temporary directory for a gateway's config and journal, removed afterwards.
 */
public final class LabFiles
{
    private LabFiles()
    {
    }

    /**
     * @return a new temporary directory named after {@code purpose}.
     */
    public static Path temporaryDirectory(final String purpose)
    {
        try
        {
            return Files.createTempDirectory(purpose);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Deletes a directory and everything in it; nothing when it does not exist.
     */
    public static void deleteRecursively(final Path directory)
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
