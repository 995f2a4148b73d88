package io.natgate.datapath.pipeline;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.ValidatedConfiguration;
import io.natgate.datapath.frame.EthernetFrame;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.SystemUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.ThreadFactory;

/**
 * Configuration of the pipeline: ring sizes, burst size, frame size, idle strategy and
 * thread placement. Each setting has its property name and default side by side; values
 * come from defaults or from the setters (the control plane's profile reader calls them), and
 * {@link #validate()} checks them once, throwing a {@link ConfigurationException} that
 * names the bad key and value, and freezes the configuration.
 */
public final class PipelineConfig extends ValidatedConfiguration
{
    private static final String PREFIX = "natgate.pipeline.";

    /** Bytes of frames the ring from a port's rx agent to the worker holds; power of two. */
    public static final String RX_RING_CAPACITY_PROP_NAME = PREFIX + "rx.ring.capacity";
    public static final int RX_RING_CAPACITY_DEFAULT = 1024 * 1024;

    /** Bytes of frames the ring from the worker to a port's tx agent holds; power of two. */
    public static final String TX_RING_CAPACITY_PROP_NAME = PREFIX + "tx.ring.capacity";
    public static final int TX_RING_CAPACITY_DEFAULT = 1024 * 1024;

    /** Bytes of the control plane's command ring into the worker; power of two. */
    public static final String COMMAND_RING_CAPACITY_PROP_NAME = PREFIX + "command.ring.capacity";
    public static final int COMMAND_RING_CAPACITY_DEFAULT = 64 * 1024;

    /** Bytes of the worker's event ring to the journal; power of two. */
    public static final String EVENT_RING_CAPACITY_PROP_NAME = PREFIX + "event.ring.capacity";
    public static final int EVENT_RING_CAPACITY_DEFAULT = 1024 * 1024;

    /** Frames an agent takes from a port or a ring per duty cycle. */
    public static final String BURST_SIZE_PROP_NAME = PREFIX + "burst.size";
    public static final int BURST_SIZE_DEFAULT = 32;
    public static final int BURST_SIZE_MAX = 1024;

    /** Commands the worker applies per duty cycle at most, so commands never starve traffic. */
    public static final String COMMAND_LIMIT_PROP_NAME = PREFIX + "command.limit";
    public static final int COMMAND_LIMIT_DEFAULT = 64;

    /** Largest frame (link header included) the pipeline carries; larger ones are dropped on receive. */
    public static final String MAX_FRAME_LENGTH_PROP_NAME = PREFIX + "frame.max.length";
    public static final int MAX_FRAME_LENGTH_DEFAULT = 2048;
    public static final int MAX_FRAME_LENGTH_MIN = 64;
    public static final int MAX_FRAME_LENGTH_MAX = 0xFFFF + EthernetFrame.HEADER_LENGTH + EthernetFrame.VLAN_TAG_LENGTH;

    /**
     * What an agent does when it found no work: {@code busy-spin}, {@code yielding},
     * {@code backoff}, {@code noop} or {@code sleeping:<duration>} (e.g. {@code sleeping:100us};
     * a bare number is nanoseconds).
     */
    public static final String IDLE_STRATEGY_PROP_NAME = PREFIX + "idle.strategy";
    public static final String IDLE_STRATEGY_DEFAULT = "backoff";

    /**
     * Worker threads, each the single writer of its share of the NAT tables; the receive side steers each
     * frame to the worker that owns its flow ({@code docs/workers.md}), or with
     * {@link ThreadingMode#RUN_TO_COMPLETION} each worker reads sockets of its own, which the kernel's fanout
     * steers frames to, and hands what it should not have to its owner.
     */
    public static final String WORKERS_PROP_NAME = PREFIX + "workers";
    public static final int WORKERS_DEFAULT = 1;
    public static final int WORKERS_MAX = 256;

    /** Placement of agents on threads, a {@link ThreadingMode#configName()}. */
    public static final String THREADING_MODE_PROP_NAME = PREFIX + "threading";
    public static final ThreadingMode THREADING_MODE_DEFAULT = ThreadingMode.DEDICATED;

    private static final int RING_CAPACITY_MIN = 1024;
    private static final String SLEEPING_PREFIX = "sleeping:";

    private int rxRingCapacity = RX_RING_CAPACITY_DEFAULT;
    private int txRingCapacity = TX_RING_CAPACITY_DEFAULT;
    private int commandRingCapacity = COMMAND_RING_CAPACITY_DEFAULT;
    private int eventRingCapacity = EVENT_RING_CAPACITY_DEFAULT;
    private int burstSize = BURST_SIZE_DEFAULT;
    private int commandLimit = COMMAND_LIMIT_DEFAULT;
    private int maxFrameLength = MAX_FRAME_LENGTH_DEFAULT;
    private String idleStrategy = IDLE_STRATEGY_DEFAULT;
    private int workers = WORKERS_DEFAULT;
    private ThreadingMode threadingMode = THREADING_MODE_DEFAULT;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private ErrorHandler errorHandler;
    private ThreadFactory threadFactory = Thread::new;

    /**
     * Validates every setting.
     *
     * @return this.
     * @throws ConfigurationException naming the first bad key and value.
     */
    public PipelineConfig validate()
    {
        checkRingCapacity(RX_RING_CAPACITY_PROP_NAME, rxRingCapacity);
        checkRingCapacity(TX_RING_CAPACITY_PROP_NAME, txRingCapacity);
        checkRingCapacity(COMMAND_RING_CAPACITY_PROP_NAME, commandRingCapacity);
        checkRingCapacity(EVENT_RING_CAPACITY_PROP_NAME, eventRingCapacity);
        checkRange(BURST_SIZE_PROP_NAME, burstSize, 1, BURST_SIZE_MAX);
        checkRange(COMMAND_LIMIT_PROP_NAME, commandLimit, 1, Integer.MAX_VALUE);
        checkRange(MAX_FRAME_LENGTH_PROP_NAME, maxFrameLength, MAX_FRAME_LENGTH_MIN, MAX_FRAME_LENGTH_MAX);
        checkHoldsFrame(RX_RING_CAPACITY_PROP_NAME, rxRingCapacity);
        checkHoldsFrame(TX_RING_CAPACITY_PROP_NAME, txRingCapacity);
        newIdleStrategy();
        checkRange(WORKERS_PROP_NAME, workers, 1, WORKERS_MAX);
        if (null == threadingMode)
        {
            throw new ConfigurationException(THREADING_MODE_PROP_NAME, "null", "a threading mode is required");
        }
        if (null == nanoClock)
        {
            throw new IllegalArgumentException("nanoClock must not be null");
        }
        if (null == threadFactory)
        {
            throw new IllegalArgumentException("threadFactory must not be null");
        }
        freeze();
        return this;
    }

    /**
     * @return a new idle strategy as configured; each agent runner needs its own (they hold state).
     * @throws ConfigurationException when the configured name is not an idle strategy.
     */
    public IdleStrategy newIdleStrategy()
    {
        final String spec = idleStrategy;
        if (null == spec)
        {
            throw new ConfigurationException(IDLE_STRATEGY_PROP_NAME, "null", "an idle strategy is required");
        }
        switch (spec)
        {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "yielding":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy();
            case "noop":
                return new NoOpIdleStrategy();
            default:
                if (spec.startsWith(SLEEPING_PREFIX))
                {
                    final long sleepNs = parseDuration(IDLE_STRATEGY_PROP_NAME, spec, spec.substring(SLEEPING_PREFIX.length()));
                    if (sleepNs <= 0)
                    {
                        throw new ConfigurationException(IDLE_STRATEGY_PROP_NAME, spec, "sleep period must be positive");
                    }
                    return new SleepingIdleStrategy(sleepNs);
                }
                throw new ConfigurationException(
                    IDLE_STRATEGY_PROP_NAME, spec, "expected busy-spin, yielding, backoff, noop or sleeping:<duration>");
        }
    }

    public int rxRingCapacity()
    {
        return rxRingCapacity;
    }

    /**
     * @param capacityBytes data capacity, a power of two; the ring's trailer is added on top.
     */
    public PipelineConfig rxRingCapacity(final int capacityBytes)
    {
        checkMutable();
        this.rxRingCapacity = capacityBytes;
        return this;
    }

    public int txRingCapacity()
    {
        return txRingCapacity;
    }

    /**
     * @param capacityBytes data capacity, a power of two; the ring's trailer is added on top.
     */
    public PipelineConfig txRingCapacity(final int capacityBytes)
    {
        checkMutable();
        this.txRingCapacity = capacityBytes;
        return this;
    }

    public int commandRingCapacity()
    {
        return commandRingCapacity;
    }

    /**
     * @param capacityBytes data capacity, a power of two; the ring's trailer is added on top.
     */
    public PipelineConfig commandRingCapacity(final int capacityBytes)
    {
        checkMutable();
        this.commandRingCapacity = capacityBytes;
        return this;
    }

    public int eventRingCapacity()
    {
        return eventRingCapacity;
    }

    /**
     * @param capacityBytes data capacity, a power of two; the ring's trailer is added on top.
     */
    public PipelineConfig eventRingCapacity(final int capacityBytes)
    {
        checkMutable();
        this.eventRingCapacity = capacityBytes;
        return this;
    }

    public int burstSize()
    {
        return burstSize;
    }

    public PipelineConfig burstSize(final int burstSize)
    {
        checkMutable();
        this.burstSize = burstSize;
        return this;
    }

    public int commandLimit()
    {
        return commandLimit;
    }

    public PipelineConfig commandLimit(final int commandLimit)
    {
        checkMutable();
        this.commandLimit = commandLimit;
        return this;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    public PipelineConfig maxFrameLength(final int maxFrameLength)
    {
        checkMutable();
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy {@code busy-spin}, {@code yielding}, {@code backoff}, {@code noop} or {@code sleeping:<duration>}.
     */
    public PipelineConfig idleStrategy(final String idleStrategy)
    {
        checkMutable();
        this.idleStrategy = idleStrategy;
        return this;
    }

    public int workers()
    {
        return workers;
    }

    public PipelineConfig workers(final int workers)
    {
        checkMutable();
        this.workers = workers;
        return this;
    }

    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    public PipelineConfig threadingMode(final ThreadingMode threadingMode)
    {
        checkMutable();
        this.threadingMode = threadingMode;
        return this;
    }

    /**
     * @return the clock the worker reads once per duty cycle; its time is the {@code nowNs} of the processor.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public PipelineConfig nanoClock(final NanoClock nanoClock)
    {
        checkMutable();
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return where agent errors are reported after being counted, or null for the default (log them).
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public PipelineConfig errorHandler(final ErrorHandler errorHandler)
    {
        checkMutable();
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return what makes the agents' threads (e.g. one that pins them to cores).
     */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    public PipelineConfig threadFactory(final ThreadFactory threadFactory)
    {
        checkMutable();
        this.threadFactory = threadFactory;
        return this;
    }

    @Override
    public String toString()
    {
        return "PipelineConfig{" +
            RX_RING_CAPACITY_PROP_NAME + "=" + rxRingCapacity +
            ", " + TX_RING_CAPACITY_PROP_NAME + "=" + txRingCapacity +
            ", " + COMMAND_RING_CAPACITY_PROP_NAME + "=" + commandRingCapacity +
            ", " + EVENT_RING_CAPACITY_PROP_NAME + "=" + eventRingCapacity +
            ", " + BURST_SIZE_PROP_NAME + "=" + burstSize +
            ", " + COMMAND_LIMIT_PROP_NAME + "=" + commandLimit +
            ", " + MAX_FRAME_LENGTH_PROP_NAME + "=" + maxFrameLength +
            ", " + IDLE_STRATEGY_PROP_NAME + "=" + idleStrategy +
            ", " + WORKERS_PROP_NAME + "=" + workers +
            ", " + THREADING_MODE_PROP_NAME + "=" + (null == threadingMode ? "null" : threadingMode.configName()) +
            '}';
    }

    private static long parseDuration(final String key, final String value, final String duration)
    {
        try
        {
            return SystemUtil.parseDuration(key, duration);
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, value, "not a duration (e.g. 1000, 100us, 1ms)", ex);
        }
    }

    private static void checkRingCapacity(final String key, final int capacityBytes)
    {
        if (capacityBytes < RING_CAPACITY_MIN || !BitUtil.isPowerOfTwo(capacityBytes))
        {
            throw new ConfigurationException(
                key, Integer.toString(capacityBytes), "must be a power of two of at least " + RING_CAPACITY_MIN);
        }
    }

    private void checkHoldsFrame(final String key, final int capacityBytes)
    {
        // An Agrona ring takes messages of up to an eighth of its capacity.
        if (capacityBytes / 8 < maxFrameLength)
        {
            throw new ConfigurationException(
                key,
                Integer.toString(capacityBytes),
                "too small for frames of " + MAX_FRAME_LENGTH_PROP_NAME + "=" + maxFrameLength +
                " (needs at least 8 x " + maxFrameLength + " bytes)");
        }
    }

    private static void checkRange(final String key, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(
                key, Integer.toString(value), "must be between " + min + " and " + max);
        }
    }
}
