package io.natgate.control.gateway;

import io.natgate.control.config.LogLevel;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatEventListener;

import java.io.PrintStream;

/**
 * {@code log.level: debug}: a log line for every mapping made, expired or removed, written on the event thread from
 * the events it drains anyway; silent at {@code info}. The level changes on a reload.
 */
final class MappingLog implements NatEventListener
{
    private final PrintStream log;
    private volatile LogLevel level;

    MappingLog(final PrintStream log, final LogLevel level)
    {
        this.log = log;
        this.level = level;
    }

    LogLevel level()
    {
        return level;
    }

    void level(final LogLevel level)
    {
        this.level = level;
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        if (level == LogLevel.DEBUG)
        {
            log.printf("natgate: mapping created %s %s:%d -> %s:%d %s%n", Ipv4Protocols.name(protocol),
                Ipv4.toString(insideAddress), insidePort, Ipv4.toString(publicAddress), publicPort,
                MappingKind.get(kind).name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        ended("expired", protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        ended("removed", protocol, insideAddress, insidePort, publicAddress, publicPort);
    }

    private void ended(
        final String how, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        if (level == LogLevel.DEBUG)
        {
            log.printf("natgate: mapping %s %s %s:%d -> %s:%d%n", how, Ipv4Protocols.name(protocol),
                Ipv4.toString(insideAddress), insidePort, Ipv4.toString(publicAddress), publicPort);
        }
    }
}
