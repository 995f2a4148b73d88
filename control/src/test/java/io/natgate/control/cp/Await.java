package io.natgate.control.cp;

import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

final class Await
{
    static final long TIMEOUT_MS = 10_000;

    private Await()
    {
    }

    static void until(final String what, final BooleanSupplier condition)
    {
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting until " + what);
            }
        }
    }

    /**
     * @return the future's value once it completes; fails the test when it does not within the timeout.
     */
    static <T> T done(final java.util.concurrent.CompletableFuture<T> future)
    {
        try
        {
            return future.get(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return fail("a future did not complete within " + TIMEOUT_MS + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for a future");
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            return fail("a future failed: " + ex.getCause(), ex.getCause());
        }
    }

    /**
     * Waits for a thread to end.
     */
    static void joined(final Thread thread)
    {
        try
        {
            thread.join(TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            fail(thread.getName() + " did not end within " + TIMEOUT_MS + " ms");
        }
    }
}
