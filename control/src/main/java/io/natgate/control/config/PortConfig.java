package io.natgate.control.config;

import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;

/**
 * One port of the config file: the OS interface and backend the bindings open, and the datapath's
 * view of it ({@link PortSettings}: index, role, link layer, MAC, MTU, address, next hop).
 */
public record PortConfig(String interfaceName, Backend backend, PortSettings settings)
{
    public String name()
    {
        return settings.name();
    }

    public int index()
    {
        return settings.index();
    }

    public PortRole role()
    {
        return settings.role();
    }

    /**
     * @return the gateway's address and prefix on this port.
     */
    public Ipv4Prefix prefix()
    {
        return new Ipv4Prefix(settings.address(), settings.prefixLength());
    }
}
