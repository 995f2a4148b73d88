package io.natgate.control.cp;

/**
 * What {@link ConnectivityPlatform#register} did.
 *
 * @param friendlyName the interface's name as registered (defaulted, suffixed or truncated); null on failure.
 * @param interfaceId  the interface's id, to give to a later registration to keep the interface; 0 on failure.
 */
public record Registration(RegisterStatus status, String friendlyName, long interfaceId)
{
    static Registration failed(final RegisterStatus status)
    {
        return new Registration(status, null, 0);
    }

    public boolean isRegistered()
    {
        return status == RegisterStatus.REGISTERED;
    }
}
