package io.natgate.control.cli;

import io.natgate.control.config.ConfigLoader;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.profile.Host;

/**
 * What commands that read configuration learn from the host: its CPUs, memory and system, its
 * interfaces (through the config loader) and the hardware profiles. Tests hand in their own.
 */
public record Environment(Host host, ConfigLoader configLoader, HardwareProfiles profiles)
{
    /**
     * @return this host's, with the built-in profiles.
     */
    public static Environment current()
    {
        return new Environment(Host.current(), ConfigLoader.forThisHost(), HardwareProfiles.builtin());
    }
}
