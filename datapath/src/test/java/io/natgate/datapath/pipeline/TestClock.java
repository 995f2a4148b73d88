package io.natgate.datapath.pipeline;

import org.agrona.concurrent.NanoClock;

/**
 * A clock a test sets by hand, counting how often it is read.
 */
final class TestClock implements NanoClock
{
    long timeNs;
    int reads;

    TestClock(final long timeNs)
    {
        this.timeNs = timeNs;
    }

    @Override
    public long nanoTime()
    {
        reads++;
        return timeNs;
    }
}
