package io.natgate.control.journal;

import io.natgate.datapath.nat.NatEventListener;
import org.agrona.collections.Long2LongHashMap;

import java.util.function.Consumer;

/**
 * The journal's listener for the NAT engine's events, on the event thread: decides which get a record
 * (mappings with records of their own, sessions only when destinations are journaled, a mapping's refresh
 * at most every {@link JournalWriter#MAPPING_REFRESH_INTERVAL_NS}; command outcomes go to whoever sent the
 * command, not to the journal) and hands each to the writer. Allocates nothing per event: the event's
 * fields are held here and one record writer per kind reads them.
 */
final class NatEventJournal implements NatEventListener
{
    private final JournalWriter writer;
    private final boolean destinations;
    private final Long2LongHashMap lastMappingRefreshNs = new Long2LongHashMap(Long.MIN_VALUE);
    private final MappingRecords mappingRecords = new MappingRecords();

    // the event being written (event thread only): set by each onXxx, read by the record writers below
    private long epochNs;
    private int protocol;
    private int insideAddress;
    private int insidePort;
    private int publicAddress;
    private int publicPort;
    private int remoteAddress;
    private int remotePort;
    private int value;

    private final Consumer<JournalEvents> mappingCreated = out -> out.onMappingCreated(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort, value);
    private final Consumer<JournalEvents> mappingRefreshed = out -> out.onMappingRefreshed(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    private final Consumer<JournalEvents> mappingExpired = out -> out.onMappingExpired(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    private final Consumer<JournalEvents> mappingRemoved = out -> out.onMappingRemoved(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    private final Consumer<JournalEvents> sessionCreated = out -> out.onSessionCreated(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, value);
    private final Consumer<JournalEvents> sessionRefreshed = out -> out.onSessionRefreshed(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, value);
    private final Consumer<JournalEvents> sessionExpired = out -> out.onSessionExpired(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, value);
    private final Consumer<JournalEvents> sessionRemoved = out -> out.onSessionRemoved(
        epochNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress, remotePort, value);
    // port blocks: the block's first port in publicPort, its last in value
    private final Consumer<JournalEvents> blockAllocated = out -> out.onPortBlockAllocated(
        epochNs, insideAddress, publicAddress, publicPort, value);
    private final Consumer<JournalEvents> blockReleased = out -> out.onPortBlockReleased(
        epochNs, insideAddress, publicAddress, publicPort, value);
    private final Consumer<JournalEvents> blockInterim = out -> out.onPortBlockInterim(
        epochNs, insideAddress, publicAddress, publicPort, value);
    private final Consumer<JournalEvents> quotaExceeded = out -> out.onQuotaExceeded(epochNs, insideAddress, value);
    private final Consumer<JournalEvents> portsExhausted = out -> out.onPortsExhausted(epochNs, publicAddress);

    /**
     * @param destinations whether sessions (their remote endpoints) are journaled.
     */
    NatEventJournal(final JournalWriter writer, final boolean destinations)
    {
        this.writer = writer;
        this.destinations = destinations;
    }

    /**
     * @param perMapping false with port blocks or deterministic NAT: dynamic mappings get no record.
     */
    void perMapping(final boolean perMapping)
    {
        mappingRecords.perMapping(perMapping);
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int kind)
    {
        if (!mappingRecords.created(protocol, publicAddress, publicPort, kind))
        {
            return; // port blocks or deterministic NAT: the block's record or the formula says who held it
        }
        lastMappingRefreshNs.put(MappingRecords.key(protocol, publicAddress, publicPort), timeNs);
        mapping(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        value = kind;
        writer.write(mappingCreated);
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        if (mappingEnded(protocol, publicAddress, publicPort))
        {
            mapping(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            writer.write(mappingExpired);
        }
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        if (mappingEnded(protocol, publicAddress, publicPort))
        {
            mapping(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            writer.write(mappingRemoved);
        }
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
        final int state)
    {
        session(sessionCreated, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
        mappingActive(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
        final int state)
    {
        session(sessionRefreshed, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        mappingActive(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
        final int state)
    {
        session(sessionExpired, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
        final int state)
    {
        session(sessionRemoved, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, state);
    }

    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(blockAllocated, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(blockReleased, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(blockInterim, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
        epochNs = writer.epochOf(timeNs);
        this.insideAddress = insideAddress;
        value = limit;
        writer.write(quotaExceeded);
    }

    public void onPortsExhausted(final long timeNs, final int publicAddress)
    {
        epochNs = writer.epochOf(timeNs);
        this.publicAddress = publicAddress;
        writer.write(portsExhausted);
    }

    private boolean mappingEnded(final int protocol, final int publicAddress, final int publicPort)
    {
        if (!mappingRecords.ended(protocol, publicAddress, publicPort))
        {
            return false;
        }
        lastMappingRefreshNs.remove(MappingRecords.key(protocol, publicAddress, publicPort));
        return true;
    }

    /**
     * A session of the mapping was made or refreshed: the mapping's refresh, at most once a minute.
     */
    private void mappingActive(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        final long key = MappingRecords.key(protocol, publicAddress, publicPort);
        if (!mappingRecords.logged(protocol, publicAddress, publicPort))
        {
            return;
        }
        final long lastNs = lastMappingRefreshNs.get(key);
        if (lastNs != Long.MIN_VALUE && timeNs - lastNs < JournalWriter.MAPPING_REFRESH_INTERVAL_NS)
        {
            return;
        }
        lastMappingRefreshNs.put(key, timeNs);
        mapping(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
        writer.write(mappingRefreshed);
    }

    private void mapping(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        epochNs = writer.epochOf(timeNs);
        this.protocol = protocol;
        this.insideAddress = insideAddress;
        this.insidePort = insidePort;
        this.publicAddress = publicAddress;
        this.publicPort = publicPort;
    }

    private void session(
        final Consumer<JournalEvents> record, final long timeNs, final int protocol, final int insideAddress,
        final int insidePort, final int publicAddress, final int publicPort, final int remoteAddress,
        final int remotePort, final int state)
    {
        if (destinations)
        {
            mapping(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            this.remoteAddress = remoteAddress;
            this.remotePort = remotePort;
            value = state;
            writer.write(record);
        }
    }

    private void block(
        final Consumer<JournalEvents> record, final long timeNs, final int insideAddress, final int publicAddress,
        final int firstPort, final int lastPort)
    {
        epochNs = writer.epochOf(timeNs);
        this.insideAddress = insideAddress;
        this.publicAddress = publicAddress;
        publicPort = firstPort;
        value = lastPort;
        writer.write(record);
    }
}
