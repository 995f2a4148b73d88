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
