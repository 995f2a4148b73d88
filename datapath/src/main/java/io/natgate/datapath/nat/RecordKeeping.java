package io.natgate.datapath.nat;

/**
 * Whether the journal behind the event ring can record what the engines make: set by the journal's writer (one
 * thread), read by the workers when a flow would open. While it cannot (its disk low or full, a write failing), the
 * engines refuse every new mapping ({@link io.natgate.datapath.counters.DropReason#JOURNAL_UNWRITABLE}), and every new
 * session when sessions are journaled, rather than make ones that would go unrecorded; existing sessions keep
 * forwarding. Until a journal says otherwise both are recorded.
 */
public final class RecordKeeping
{
    private volatile boolean mappings = true;
    private volatile boolean sessions = true;

    /**
     * @param mappings whether new mappings can be recorded now.
     * @param sessions whether new sessions can be (true when sessions are not journaled at all).
     */
    public void recording(final boolean mappings, final boolean sessions)
    {
        this.mappings = mappings;
        this.sessions = sessions;
    }

    public boolean recordsMappings()
    {
        return mappings;
    }

    public boolean recordsSessions()
    {
        return sessions;
    }
}
