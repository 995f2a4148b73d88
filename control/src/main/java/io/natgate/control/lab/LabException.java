package io.natgate.control.lab;

/**
 * A lab step failed: a command exited non-zero or timed out, a process did not become ready.
 * The message names the command and what it printed on standard error.
 */
public final class LabException extends RuntimeException
{
    public LabException(final String message)
    {
        super(message);
    }

    public LabException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
