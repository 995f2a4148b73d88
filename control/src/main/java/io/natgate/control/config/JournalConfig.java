package io.natgate.control.config;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@code journal:} section: where the journal is written, how often it starts a new file, how
 * long files are kept, and whether remote endpoints (destinations) are journaled.
 *
 * @param directory    absolute (relative paths are taken from the config file's directory).
 * @param rollCycle    how much time one journal file covers.
 * @param retentionNs  files whose newest event is older than this are deleted; 0 keeps every file.
 * @param destinations true to journal sessions with their remote endpoints. Off by default (RFC 6888
 *                     REQ-12: a NAT should not log destinations unless required to); warm restart
 *                     restores sessions, and so keeps TCP connections alive, only when it is on.
 */
public record JournalConfig(Path directory, RollCycle rollCycle, long retentionNs, boolean destinations)
{
    /** Where the journal is written when the file does not say. */
    public static final String DIRECTORY_DEFAULT = "/var/lib/natgate/journal";
    public static final RollCycle ROLL_CYCLE_DEFAULT = RollCycle.DAILY;
    public static final long RETENTION_DEFAULT_NS = TimeUnit.DAYS.toNanos(90);
    public static final boolean DESTINATIONS_DEFAULT = false;

    /**
     * How much time one journal file covers; the config names them in lower case with dashes.
     */
    public enum RollCycle
    {
        FIVE_MINUTELY, TEN_MINUTELY, TWENTY_MINUTELY, HALF_HOURLY, HOURLY, TWO_HOURLY, FOUR_HOURLY, SIX_HOURLY, DAILY,
        WEEKLY
    }

    /**
     * @return the defaults with {@code directory}.
     */
    public static JournalConfig defaults(final Path directory)
    {
        return new JournalConfig(directory, ROLL_CYCLE_DEFAULT, RETENTION_DEFAULT_NS, DESTINATIONS_DEFAULT);
    }
}
