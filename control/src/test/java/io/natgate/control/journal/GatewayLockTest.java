package io.natgate.control.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One gateway per journal directory (the cross-process case, a second {@code natgate run}, is in
 * {@code NatgateRunTest}).
 */
class GatewayLockTest
{
    @TempDir
    Path directory;

    @Test
    void shouldRefuseASecondLockOnTheSameJournalDirectoryNamingTheHolder() throws IOException
    {
        final Path journal = directory.resolve("journal");
        try (GatewayLock ignored = GatewayLock.acquire(journal))
        {
            final GatewayLock.HeldException held =
                assertThrows(GatewayLock.HeldException.class, () -> GatewayLock.acquire(journal));

            assertEquals("another natgate gateway (pid " + ProcessHandle.current().pid() + ") is running on the " +
                "journal " + journal + "; one gateway per journal directory", held.getMessage());
            assertEquals(ProcessHandle.current().pid() + "\n",
                Files.readString(journal.resolve(GatewayLock.FILE_NAME)));
        }
    }

    @Test
    void shouldLockAgainOnceReleased()
    {
        final Path journal = directory.resolve("journal");
        GatewayLock.acquire(journal).close();

        try (GatewayLock again = GatewayLock.acquire(journal))
        {
            assertTrue(Files.exists(journal.resolve(GatewayLock.FILE_NAME)));
        }
    }

    @Test
    void shouldLockDifferentJournalDirectoriesIndependently()
    {
        try (GatewayLock first = GatewayLock.acquire(directory.resolve("a"));
            GatewayLock second = GatewayLock.acquire(directory.resolve("b")))
        {
            assertTrue(Files.exists(directory.resolve("b").resolve(GatewayLock.FILE_NAME)));
        }
    }
}
