package io.natgate.control.cp;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.ValidatedConfiguration;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of the Connectivity Platform: property names and defaults side by side;
 * {@link #validate()} names the bad key and value.
 */
public final class PlatformConfig extends ValidatedConfiguration
{
    /** A call to a provider not completed within this terminates the session (provider timeout). */
    public static final String CALL_TIMEOUT = "cp.callTimeout";
    public static final long CALL_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    /** How often a platform thread looks for timed-out calls; 0 for never (the owner calls checkTimeouts). */
    public static final String TIMEOUT_CHECK_INTERVAL = "cp.timeoutCheckInterval";
    public static final long TIMEOUT_CHECK_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How long close waits for providers to deregister after telling them of the shutdown. */
    public static final String SHUTDOWN_TIMEOUT = "cp.shutdownTimeout";
    public static final long SHUTDOWN_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    /** Send-buffers calls an instance may have pending; beyond it, frames wait in its interface's queue. */
    public static final String MAX_PENDING_SENDS = "cp.maxPendingSends";
    public static final int MAX_PENDING_SENDS_DEFAULT = 64;

    /** Packets the platform takes from an interface's queue at a time, at most one send-buffers call each route. */
    public static final String SEND_BATCH_FRAMES = "cp.sendBatchFrames";
    public static final int SEND_BATCH_FRAMES_DEFAULT = 32;

    public static final String MAX_ROUTES_PER_INSTANCE = "cp.maxRoutesPerInstance";
    public static final int MAX_ROUTES_PER_INSTANCE_DEFAULT = 16;

    private long callTimeoutNs = CALL_TIMEOUT_DEFAULT_NS;
    private long timeoutCheckIntervalNs = TIMEOUT_CHECK_INTERVAL_DEFAULT_NS;
    private long shutdownTimeoutNs = SHUTDOWN_TIMEOUT_DEFAULT_NS;
    private int maxPendingSends = MAX_PENDING_SENDS_DEFAULT;
    private int sendBatchFrames = SEND_BATCH_FRAMES_DEFAULT;
    private int maxRoutesPerInstance = MAX_ROUTES_PER_INSTANCE_DEFAULT;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochNanoClock epochClock = new SystemEpochNanoClock();
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private ThreadFactory callbackThreadFactory = Thread.ofVirtual().name("natgate-cp-", 0).factory();

    public PlatformConfig validate()
    {
        positive(CALL_TIMEOUT, callTimeoutNs);
        positive(SHUTDOWN_TIMEOUT, shutdownTimeoutNs);
        if (timeoutCheckIntervalNs < 0)
        {
            throw new ConfigurationException(TIMEOUT_CHECK_INTERVAL, timeoutCheckIntervalNs + "ns", "must be 0 or positive");
        }
        positive(MAX_PENDING_SENDS, maxPendingSends);
        positive(SEND_BATCH_FRAMES, sendBatchFrames);
        positive(MAX_ROUTES_PER_INSTANCE, maxRoutesPerInstance);
        if (nanoClock == null || epochClock == null || errorHandler == null || callbackThreadFactory == null)
        {
            throw new ConfigurationException("cp", "null", "clocks, error handler and thread factory are required");
        }
        freeze();
        return this;
    }

    private static void positive(final String key, final long value)
    {
        if (value <= 0)
        {
            throw new ConfigurationException(key, value, "must be positive");
        }
    }

    public long callTimeoutNs()
    {
        return callTimeoutNs;
    }

    public PlatformConfig callTimeoutNs(final long callTimeoutNs)
    {
        checkMutable();
        this.callTimeoutNs = callTimeoutNs;
        return this;
    }

    public long timeoutCheckIntervalNs()
    {
        return timeoutCheckIntervalNs;
    }

    public PlatformConfig timeoutCheckIntervalNs(final long timeoutCheckIntervalNs)
    {
        checkMutable();
        this.timeoutCheckIntervalNs = timeoutCheckIntervalNs;
        return this;
    }

    public long shutdownTimeoutNs()
    {
        return shutdownTimeoutNs;
    }

    public PlatformConfig shutdownTimeoutNs(final long shutdownTimeoutNs)
    {
        checkMutable();
        this.shutdownTimeoutNs = shutdownTimeoutNs;
        return this;
    }

    public int maxPendingSends()
    {
        return maxPendingSends;
    }

    public PlatformConfig maxPendingSends(final int maxPendingSends)
    {
        checkMutable();
        this.maxPendingSends = maxPendingSends;
        return this;
    }

    public int sendBatchFrames()
    {
        return sendBatchFrames;
    }

    public PlatformConfig sendBatchFrames(final int sendBatchFrames)
    {
        checkMutable();
        this.sendBatchFrames = sendBatchFrames;
        return this;
    }

    public int maxRoutesPerInstance()
    {
        return maxRoutesPerInstance;
    }

    public PlatformConfig maxRoutesPerInstance(final int maxRoutesPerInstance)
    {
        checkMutable();
        this.maxRoutesPerInstance = maxRoutesPerInstance;
        return this;
    }

    /**
     * @return the clock call deadlines are measured on.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public PlatformConfig nanoClock(final NanoClock nanoClock)
    {
        checkMutable();
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the clock events are stamped with.
     */
    public EpochNanoClock epochClock()
    {
        return epochClock;
    }

    public PlatformConfig epochClock(final EpochNanoClock epochClock)
    {
        checkMutable();
        this.epochClock = epochClock;
        return this;
    }

    /**
     * @return where provider failures (exceptions, duplicate completions) and datapath errors are reported.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public PlatformConfig errorHandler(final ErrorHandler errorHandler)
    {
        checkMutable();
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return what makes the threads callbacks run on (virtual threads by default, one per call).
     */
    public ThreadFactory callbackThreadFactory()
    {
        return callbackThreadFactory;
    }

    public PlatformConfig callbackThreadFactory(final ThreadFactory callbackThreadFactory)
    {
        checkMutable();
        this.callbackThreadFactory = callbackThreadFactory;
        return this;
    }
}
