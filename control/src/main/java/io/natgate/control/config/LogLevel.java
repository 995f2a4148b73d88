package io.natgate.control.config;

/**
 * How much the gateway logs ({@code log.level}), changed by a reload: {@code info} logs what happens to the gateway
 * (ports, profile, static mappings, providers, firewall sessions and denials, the journal, reloads); {@code debug}
 * adds a line for every NAT mapping made, expired or removed, as {@code conntrack -E} shows them, written by the
 * event thread from the events the journal reads anyway, so the datapath does no more for it.
 */
public enum LogLevel
{
    INFO,
    DEBUG;

    public static final String KEY = "log.level";

    public String configName()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
