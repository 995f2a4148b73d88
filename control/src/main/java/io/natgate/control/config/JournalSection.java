package io.natgate.control.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.config.ConfigReads.DURATION;

/**
 * Reads the {@code journal} section: the directory (relative to the config file's), how often files roll,
 * how long they are kept, and whether sessions' remote endpoints are journaled.
 */
final class JournalSection
{
    private static final Set<String> JOURNAL_KEYS = Set.of("directory", "rollCycle", "retention", "destinations");
    private static final Map<String, JournalConfig.RollCycle> ROLL_CYCLES =
        ConfigNode.choices(JournalConfig.RollCycle.class);

    private JournalSection()
    {
    }

    /**
     * @param directory the config file's directory, which a relative journal directory is resolved against.
     */
    static JournalConfig read(final ConfigNode node, final Path directory)
    {
        final JournalConfig defaults = JournalConfig.defaults(directory.resolve(JournalConfig.DIRECTORY_DEFAULT));
        if (node == null)
        {
            return defaults;
        }
        node.keys(JOURNAL_KEYS);
        Path journalDirectory = defaults.directory();
        final ConfigNode directoryNode = node.get("directory");
        if (directoryNode != null)
        {
            try
            {
                journalDirectory = directory.resolve(directoryNode.asText()).normalize();
            }
            catch (final InvalidPathException ex)
            {
                throw directoryNode.error("not a path: " + ex.getReason());
            }
        }
        final ConfigNode rollCycleNode = node.get("rollCycle");
        final ConfigNode retentionNode = node.get("retention");
        final ConfigNode destinationsNode = node.get("destinations");
        final JournalConfig.RollCycle rollCycle =
            rollCycleNode == null ? defaults.rollCycle() : rollCycleNode.asChoice(ROLL_CYCLES);
        final long retentionNs = retentionNode == null ? defaults.retentionNs() : DURATION.apply(retentionNode);
        if (retentionNode != null && retentionNs != 0 && retentionNs < TimeUnit.HOURS.toNanos(1))
        {
            throw retentionNode.error("keep the journal at least 1h (0 keeps it for ever)");
        }
        return new JournalConfig(journalDirectory, rollCycle, retentionNs,
            destinationsNode == null ? defaults.destinations() : destinationsNode.asBoolean());
    }
}
