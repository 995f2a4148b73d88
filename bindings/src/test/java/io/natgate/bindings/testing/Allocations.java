package io.natgate.bindings.testing;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Measures heap allocation by the calling thread, for tests that a hot path allocates nothing: every byte of
 * the measured rounds counts, so an allocation in only some rounds fails the test too.
 */
public final class Allocations
{
    /** Warm-up rounds at most while the JIT is still compiling; past them the measurement runs anyway. */
    private static final int MAX_SETTLING_ROUNDS = 1_000;
    /** Rounds in a row that compile nothing before the JIT counts as settled. */
    private static final int QUIET_ROUNDS = 3;
    /** Measurements at most, each of every byte of its rounds; the first that allocates nothing ends them. */
    private static final int ATTEMPTS = 3;

    private Allocations()
    {
    }

    /**
     * Runs {@code work} for at least {@code warmUpRounds} rounds unmeasured, and on until the JIT has compiled
     * nothing for a few rounds in a row (class loading, first-call linkage, OSR and the tiers settle), then
     * measures {@code rounds} more together: every byte those allocate counts, so an allocation in any measured
     * round does, not only one in every round. A late compilation on a loaded machine can still land in the
     * measured rounds and deoptimise, re-materialising objects it had scalar-replaced (a few hundred bytes, once),
     * so the measurement is taken up to {@link #ATTEMPTS} times and the first that allocates nothing ends it;
     * an allocation that recurs, however rarely within {@code rounds}, shows in every attempt.
     *
     * @return the bytes the last attempt's measured rounds allocated together, 0 when one allocated nothing.
     */
    public static long bytesAllocatedAfterWarmUp(final int warmUpRounds, final int rounds, final Runnable work)
    {
        return bytesAllocatedAfterWarmUp(warmUpRounds, rounds, work, Thread.currentThread().threadId());
    }

    /**
     * As {@link #bytesAllocatedAfterWarmUp(int, int, Runnable)}, counting what the threads {@code threadIds} name
     * allocate together while the caller runs {@code work} (threads that {@code work} drives, e.g. a pipeline's
     * workers).
     */
    public static long bytesAllocatedAfterWarmUp(
        final int warmUpRounds, final int rounds, final Runnable work, final long... threadIds)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int round = 0; round < warmUpRounds; round++)
        {
            work.run();
        }
        long bytes = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            settleCompilation(work);
            final long before = allocated(threads, threadIds);
            for (int round = 0; round < rounds; round++)
            {
                work.run();
            }
            bytes = allocated(threads, threadIds) - before;
            if (0 == bytes)
            {
                break;
            }
        }
        return bytes;
    }

    /**
     * One thread at a time: the array form would allocate its answer on the caller, which may be measured.
     */
    private static long allocated(final com.sun.management.ThreadMXBean threads, final long[] threadIds)
    {
        long bytes = 0;
        for (final long threadId : threadIds)
        {
            bytes += threads.getThreadAllocatedBytes(threadId);
        }
        return bytes;
    }

    private static void settleCompilation(final Runnable work)
    {
        final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (null == compiler || !compiler.isCompilationTimeMonitoringSupported())
        {
            return;
        }
        int quietRounds = 0;
        for (int round = 0; round < MAX_SETTLING_ROUNDS && quietRounds < QUIET_ROUNDS; round++)
        {
            final long compilingMsBefore = compiler.getTotalCompilationTime();
            work.run();
            quietRounds = compiler.getTotalCompilationTime() == compilingMsBefore ? quietRounds + 1 : 0;
        }
    }
}
