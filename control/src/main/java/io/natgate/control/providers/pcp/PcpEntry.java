package io.natgate.control.providers.pcp;

import java.util.Arrays;

/**
 * A request that keeps a mapping: the MAP (or NAT-PMP) request, or one PEER request per remote peer.
 */
final class PcpEntry
{
    final byte[] nonce;
    final int peerAddress;
    final int peerPort;
    int filterAddress;
    long expiresNs;

    PcpEntry(final byte[] nonce, final int peerAddress, final int peerPort)
    {
        this.nonce = nonce;
        this.peerAddress = peerAddress;
        this.peerPort = peerPort;
    }

    /**
     * @return whether a request with this nonce may change the entry: the same nonce, or NAT-PMP on
     * either side (it has no nonce; RFC 6887 appendix A lets both protocols manage one mapping).
     */
    boolean nonceMatches(final byte[] other)
    {
        return nonce == null || other == null || Arrays.equals(nonce, other);
    }
}
