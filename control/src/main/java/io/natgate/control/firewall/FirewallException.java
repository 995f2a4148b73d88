package io.natgate.control.firewall;

/**
 * The firewall refused a request; {@link #reason()} says why in a stable code, the message in words.
 * Caller bugs (an IPv6 or unresolved address, a bad port) are {@link IllegalArgumentException}s instead.
 */
public final class FirewallException extends RuntimeException
{
    private final DenialReason reason;

    public FirewallException(final DenialReason reason, final String message)
    {
        super(message + " (" + reason.name() + ")");
        this.reason = reason;
    }

    public DenialReason reason()
    {
        return reason;
    }
}
