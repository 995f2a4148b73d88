package io.natgate.control.export;

import io.natgate.control.config.ExportConfig;
import io.natgate.control.journal.MappingRecords;
import io.natgate.datapath.nat.NatEventListener;
import org.agrona.CloseHelper;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NAT events as the exporters see them: fed on the gateway's event thread from the worker's event ring
 * (never on the worker), it turns the datapath clock into the epoch's and hands each event to every
 * {@link NatLogSink} (IPFIX, syslog). Mappings are exported one record each only without port blocks or
 * deterministic NAT ({@link MappingRecords}); blocks, quota and exhaustion always; sessions only when
 * {@link ExportConfig#sessions()}. {@link #doWork} sends what is pending every {@link #FLUSH_INTERVAL_NS} (a full
 * IPFIX message leaves at once), so records wait at most that long and a busy stream fills its messages.
 */
public final class NatExport implements NatEventListener, AutoCloseable
{
    /** Pending records are sent at least this often. */
    public static final long FLUSH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long CLOCK_RESYNC_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final List<NatLogSink> sinks;
    private final NatLogSink[] sinkArray;
    private final boolean sessions;
    private final MappingRecords mappingRecords = new MappingRecords();
    private final NanoClock nanoClock;
    private final EpochNanoClock epochClock;
    private long offsetNs;
    private long nextResyncNs;
    private long nextFlushNs;

    /**
     * @param perMapping whether dynamic mappings get a record each ({@code NatConfig.logsPerMapping()}).
     */
    public NatExport(
        final List<NatLogSink> sinks, final boolean sessions, final boolean perMapping, final NanoClock nanoClock,
        final EpochNanoClock epochClock)
    {
        this.sinks = List.copyOf(sinks);
        this.sinkArray = this.sinks.toArray(new NatLogSink[0]);
        this.sessions = sessions;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        mappingRecords.perMapping(perMapping);
        resync(nanoClock.nanoTime());
    }

    /**
     * The exporters {@code config} asks for, sending through {@code transport}.
     */
    public static NatExport of(
        final ExportConfig config, final ExportTransport transport, final boolean perMapping,
        final NanoClock nanoClock, final EpochNanoClock epochClock)
    {
        final List<NatLogSink> sinks = new ArrayList<>();
        if (!config.ipfixCollectors().isEmpty())
        {
            sinks.add(new IpfixExporter(transport, config.ipfixCollectors(), config.observationDomain(),
                TimeUnit.NANOSECONDS.toMillis(config.templateRefreshNs()), config.poolId(), config.poolName()));
        }
        if (!config.syslogCollectors().isEmpty())
        {
            sinks.add(new SyslogExporter(transport, config.syslogCollectors(), config.hostname(), config.poolName()));
        }
        return new NatExport(sinks, config.sessions(), perMapping, nanoClock, epochClock);
    }

    public List<NatLogSink> sinks()
    {
        return sinks;
    }

    /**
     * Sends what is pending, and templates when due, once {@link #FLUSH_INTERVAL_NS} has passed since the last time.
     *
     * @return the work done.
     */
    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - nextFlushNs < 0)
        {
            return 0;
        }
        nextFlushNs = nowNs + FLUSH_INTERVAL_NS;
        return flush(nowNs);
    }

    /**
     * Sends what is pending now (the event thread stopping).
     */
    public int flush()
    {
        return flush(nanoClock.nanoTime());
    }

    private int flush(final long nowNs)
    {
        if (nowNs - nextResyncNs >= 0)
        {
            resync(nowNs);
        }
        final long nowMs = millis(nowNs);
        int work = 0;
        for (final NatLogSink sink : sinkArray)
        {
            work += sink.flush(nowMs);
        }
        return work;
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        if (mappingRecords.created(protocol, publicAddress, publicPort, kind))
        {
            final long timeMs = millis(timeNs);
            for (final NatLogSink sink : sinkArray)
            {
                sink.mapping(NatEvent.BIB_CREATE, timeMs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            }
        }
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEnded(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mappingEnded(timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(NatEvent.SESSION_CREATE, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort);
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(NatEvent.SESSION_DELETE, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort);
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(NatEvent.SESSION_DELETE, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort);
    }

    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(NatEvent.PORT_BLOCK_ALLOCATE, false, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(NatEvent.PORT_BLOCK_RELEASE, false, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(NatEvent.PORT_BLOCK_ALLOCATE, true, timeNs, insideAddress, publicAddress, firstPort, lastPort);
    }

    public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
        final long timeMs = millis(timeNs);
        for (final NatLogSink sink : sinkArray)
        {
            sink.quotaExceeded(timeMs, insideAddress, limit);
        }
    }

    public void onPortsExhausted(final long timeNs, final int publicAddress)
    {
        final long timeMs = millis(timeNs);
        for (final NatLogSink sink : sinkArray)
        {
            sink.portsExhausted(timeMs, publicAddress);
        }
    }

    /**
     * @return records handed to the network, over every exporter and collector.
     */
    public long recordsSent()
    {
        long sent = 0;
        for (final NatLogSink sink : sinkArray)
        {
            sent += sink.recordsSent();
        }
        return sent;
    }

    /**
     * @return records that could not be sent, over every exporter and collector.
     */
    public long recordsUnsent()
    {
        long unsent = 0;
        for (final NatLogSink sink : sinkArray)
        {
            unsent += sink.recordsUnsent();
        }
        return unsent;
    }

    /**
     * Closes the exporters, after the event thread has stopped (its last cycle sent what was pending).
     */
    public void close()
    {
        CloseHelper.closeAll(sinks);
    }

    private void mappingEnded(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        if (mappingRecords.ended(protocol, publicAddress, publicPort))
        {
            final long timeMs = millis(timeNs);
            for (final NatLogSink sink : sinkArray)
            {
                sink.mapping(NatEvent.BIB_DELETE, timeMs, protocol, insideAddress, insidePort, publicAddress, publicPort);
            }
        }
    }

    private void session(
        final int event, final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort)
    {
        if (sessions)
        {
            final long timeMs = millis(timeNs);
            for (final NatLogSink sink : sinkArray)
            {
                sink.session(event, timeMs, protocol, insideAddress, insidePort, publicAddress, publicPort,
                    remoteAddress, remotePort);
            }
        }
    }

    private void block(
        final int event, final boolean interim, final long timeNs, final int insideAddress, final int publicAddress,
        final int firstPort, final int lastPort)
    {
        final long timeMs = millis(timeNs);
        for (final NatLogSink sink : sinkArray)
        {
            sink.block(event, interim, timeMs, insideAddress, publicAddress, firstPort, lastPort);
        }
    }

    private void resync(final long nowNs)
    {
        offsetNs = epochClock.nanoTime() - nowNs;
        nextResyncNs = nowNs + CLOCK_RESYNC_INTERVAL_NS;
    }

    private long millis(final long datapathNs)
    {
        return Math.floorDiv(datapathNs + offsetNs, 1_000_000L);
    }
}
