package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import org.agrona.ErrorHandler;

/**
 * Counts every agent error in {@link GlobalCounter#WORKER_ERRORS}, then passes it on (by
 * default to the log). Agents on several threads report here, so the counter slot is written
 * under a lock: errors are rare and the lock keeps the slot single-writer at a time.
 */
public final class CountingErrorHandler implements ErrorHandler
{
    private static final System.Logger LOGGER = System.getLogger(CountingErrorHandler.class.getName());

    private final DatapathCounters counters;
    private final ErrorHandler delegate;

    /**
     * @param delegate where errors go after being counted, or null to log them.
     */
    public CountingErrorHandler(final DatapathCounters counters, final ErrorHandler delegate)
    {
        this.counters = counters;
        this.delegate = null != delegate ? delegate : CountingErrorHandler::log;
    }

    @Override
    public synchronized void onError(final Throwable throwable)
    {
        counters.increment(GlobalCounter.WORKER_ERRORS);
        delegate.onError(throwable);
    }

    private static void log(final Throwable throwable)
    {
        LOGGER.log(System.Logger.Level.ERROR, "datapath agent error", throwable);
    }
}
