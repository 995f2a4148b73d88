package io.natgate.datapath.counters;

import io.natgate.datapath.IdLabel;

/**
 * Datapath-wide gauges and counters, written by the worker. Ids are stable.
 */
public enum GlobalCounter implements IdLabel
{
    SESSIONS_ACTIVE(0, "sessions in the table"),
    MAPPINGS_ACTIVE(1, "endpoint-independent mappings in the table"),
    PORTS_IN_USE(2, "public ports allocated"),
    SESSIONS_CREATED(3, "sessions created"),
    SESSIONS_EXPIRED(4, "sessions expired"),
    SESSIONS_RECLAIMED(5, "expired sessions reclaimed early because the table was full"),
    EVENTS_DROPPED(6, "events lost because the event ring was full"),
    COMMANDS_APPLIED(7, "control commands applied"),
    COMMANDS_REJECTED(8, "control commands rejected"),
    FRAGMENTS_BUFFERED(9, "out-of-order fragments buffered"),
    WORKER_ERRORS(10, "errors caught in datapath agents"),
    SESSIONS_EARLY_DROPPED(11, "unreplied sessions evicted to make room for a new flow (table full)"),
    REFRESH_EVENTS_SKIPPED(12, "session refresh events not queued to keep room for creates and removes"),
    WORKER_HANDOFFS(13, "packets handed to the worker owning their flow (hairpins across workers)"),
    MAPPING_SESSIONS_EARLY_DROPPED(14,
        "unanswered sessions a mapping at its inbound session limit gave up to let a new flow in"),
    JOURNAL_REFUSING(15, "1 while the journal cannot record new mappings (disk low or full, or failing) and new " +
        "flows are refused as journal_unwritable, else 0");

    private final int id;
    private final String label;

    GlobalCounter(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    @Override
    public int id()
    {
        return id;
    }

    @Override
    public String label()
    {
        return label;
    }
}
