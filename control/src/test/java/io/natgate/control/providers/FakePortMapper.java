package io.natgate.control.providers;

import io.natgate.control.providers.pcp.PcpResult;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.control.providers.pcp.PortMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A gateway as the PCP server sees it, in memory: grants the suggested public port when free (else the
 * next free from 40000), keeps the mappings' remote filters and lifetimes, and refuses as told.
 */
final class FakePortMapper implements PortMapper
{
    record Open(int protocol, int client, int internalPort, int publicPort, int remoteAddress, long lifetimeNs)
    {
    }

    final int[] publicAddresses;
    final Map<String, Open> open = new HashMap<>();
    final List<String> closed = new ArrayList<>();
    final Set<Integer> takenPorts = new HashSet<>();
    final Set<Integer> deniedInbound = new HashSet<>();
    boolean outboundDenied;
    PcpResult refusal;
    private int nextPort = 40_000;

    FakePortMapper(final int... publicAddresses)
    {
        this.publicAddresses = publicAddresses;
    }

    static String key(final int protocol, final int client, final int internalPort)
    {
        return protocol + "/" + client + "/" + internalPort;
    }

    Open mapping(final int protocol, final int client, final int internalPort)
    {
        return open.get(key(protocol, client, internalPort));
    }

    @Override
    public Grant open(
        final int protocol, final int client, final int internalPort, final int suggestedPort, final int remoteAddress,
        final long lifetimeNs)
    {
        if (refusal != null)
        {
            throw new Refused(refusal, "refused as told");
        }
        final String key = key(protocol, client, internalPort);
        final Open existing = open.get(key);
        int port;
        if (existing != null)
        {
            port = existing.publicPort();
        }
        else
        {
            port = suggestedPort != 0 && !takenPorts.contains(suggestedPort) ? suggestedPort :
                !takenPorts.contains(internalPort) ? internalPort : 0;
            while (port == 0 || takenPorts.contains(port))
            {
                port = nextPort++;
            }
            takenPorts.add(port);
        }
        open.put(key, new Open(protocol, client, internalPort, port, remoteAddress, lifetimeNs));
        return new Grant(publicAddresses[0], port);
    }

    @Override
    public void close(final int protocol, final int client, final int internalPort)
    {
        final Open removed = open.remove(key(protocol, client, internalPort));
        if (removed != null)
        {
            takenPorts.remove(removed.publicPort());
            closed.add(key(protocol, client, internalPort));
        }
    }

    @Override
    public boolean inboundAllowed(final int protocol, final int client, final int internalPort, final int remoteAddress)
    {
        return !deniedInbound.contains(internalPort);
    }

    @Override
    public boolean outboundAllowed(final int protocol, final int client, final int remoteAddress, final int remotePort)
    {
        return !outboundDenied;
    }

    @Override
    public int[] publicAddresses()
    {
        return publicAddresses;
    }
}
