package io.natgate.control.profile;

import java.util.Locale;

/**
 * Where an effective setting came from; each layer overrides the one before.
 */
public enum Source
{
    /** The built-in default (the datapath's or the bindings' own). */
    DEFAULT,
    /** The hardware profile. */
    PROFILE,
    /** The config file. */
    CONFIG;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
