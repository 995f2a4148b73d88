package io.natgate.control.cp;

/**
 * The handle of a provider instance, made by {@link ConnectivityPlatform#createInstance} and given
 * back on every callback. Opaque to the provider beyond its id.
 */
public interface ProviderInstance
{
    /**
     * @return the platform's id of the instance, unique for the platform's life.
     */
    long id();
}
