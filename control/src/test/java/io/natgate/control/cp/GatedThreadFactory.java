package io.natgate.control.cp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Callback threads that, while gating, hold each task until the test releases it: lets a test
 * order the platform's deliveries (a call begun before terminate delivered after it, say).
 */
final class GatedThreadFactory implements ThreadFactory
{
    private final ThreadFactory threads = Thread.ofVirtual().name("natgate-cp-gated-", 0).factory();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();
    private volatile boolean gating;

    public Thread newThread(final Runnable task)
    {
        if (!gating)
        {
            return threads.newThread(task);
        }
        final CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return threads.newThread(() ->
        {
            try
            {
                gate.await(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
    }

    /**
     * Holds every task started from now on.
     */
    void gate()
    {
        gating = true;
    }

    /**
     * Lets tasks started from now on run at once; those held stay held.
     */
    void stopGating()
    {
        gating = false;
    }

    /**
     * @return the tasks held so far, released or not.
     */
    int held()
    {
        return gates.size();
    }

    /**
     * Releases the task held {@code index}-th (from 0).
     */
    void release(final int index)
    {
        gates.get(index).countDown();
    }
}
