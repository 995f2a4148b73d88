package io.natgate.bindings;

/**
 * A native library or one of its symbols could not be found. The message says what to
 * install; it is an installation problem, not a bug, so it carries no native cause.
 */
public final class NativeLibraryUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public NativeLibraryUnavailableException(final String message)
    {
        super(message);
    }
}
