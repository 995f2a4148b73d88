package io.natgate.control.providers.pcp;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's mapping of one internal endpoint and the requests keeping it.
 */
final class PcpMapping
{
    final int protocol;
    final int client;
    final int internalPort;
    final List<PcpEntry> peers = new ArrayList<>(1);
    PcpEntry map;
    int publicAddress;
    int publicPort;
    int appliedFilter;

    PcpMapping(final int protocol, final int client, final int internalPort)
    {
        this.protocol = protocol;
        this.client = client;
        this.internalPort = internalPort;
    }

    boolean isEmpty()
    {
        return map == null && peers.isEmpty();
    }

    /**
     * @return who may send in: the MAP request's filter (0: anyone); with only PEER requests, the first peer.
     */
    int remoteFilter()
    {
        return map != null ? map.filterAddress : peers.isEmpty() ? 0 : peers.getFirst().peerAddress;
    }

    long latestExpiryNs()
    {
        long latest = map == null ? Long.MIN_VALUE : map.expiresNs;
        for (final PcpEntry peer : peers)
        {
            latest = latest == Long.MIN_VALUE || peer.expiresNs - latest > 0 ? peer.expiresNs : latest;
        }
        return latest;
    }

    PcpEntry peer(final int address, final int port)
    {
        for (final PcpEntry peer : peers)
        {
            if (peer.peerAddress == address && peer.peerPort == port)
            {
                return peer;
            }
        }
        return null;
    }
}
