package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;

/**
 * Deterministic NAT (RFC 7422): every inside address of one prefix owns a fixed public address and a
 * fixed range of its ports, computed from the configuration alone, so nothing per flow needs logging
 * and either side of a translation answers the other offline.
 * <p>
 * The inside addresses are numbered from the prefix's first ({@code host = inside - network}); each
 * public address serves {@code hostsPerAddress = ceil(insideCount / publicCount)} consecutive hosts,
 * host {@code h} getting public address {@code h / hostsPerAddress} and ports
 * {@code firstPort + (h % hostsPerAddress) * portsPerHost} onwards, {@code portsPerHost} of them (as
 * VPP's det44 lays them out). Immutable; any thread.
 */
public final class DeterministicMap
{
    public static final String INSIDE = "nat.deterministic.inside";
    public static final String PUBLIC = "nat.deterministic.public";
    public static final String FIRST_PORT = "nat.deterministic.firstPort";
    public static final int FIRST_PORT_DEFAULT = 1024;
    public static final String PORTS_PER_HOST = "nat.deterministic.portsPerHost";
    /** 0: as many as the public ports allow. */
    public static final int PORTS_PER_HOST_DEFAULT = 0;

    private final int insideNetwork;
    private final int insidePrefixLength;
    private final int[] publicAddresses;
    private final int firstPort;
    private final int portsPerHost;
    private final long hostsPerAddress;

    /**
     * @throws ConfigurationException naming the key and value that cannot work.
     */
    public DeterministicMap(
        final int insideNetwork, final int insidePrefixLength, final int[] publicAddresses, final int firstPort,
        final int portsPerHost)
    {
        if (insidePrefixLength < 8 || insidePrefixLength > 32)
        {
            throw new ConfigurationException(INSIDE, Ipv4.toString(insideNetwork) + "/" + insidePrefixLength,
                "prefix length must be 8..32");
        }
        if ((insideNetwork & Ipv4.mask(insidePrefixLength)) != insideNetwork)
        {
            throw new ConfigurationException(INSIDE, Ipv4.toString(insideNetwork) + "/" + insidePrefixLength,
                "host bits set beyond the prefix");
        }
        if (publicAddresses.length == 0)
        {
            throw new ConfigurationException(PUBLIC, "[]", "at least one public address is needed");
        }
        if (firstPort < 1 || firstPort > 65_535)
        {
            throw new ConfigurationException(FIRST_PORT, firstPort, "must be 1..65535");
        }
        final long insideCount = 1L << (32 - insidePrefixLength);
        final long hosts = (insideCount + publicAddresses.length - 1) / publicAddresses.length;
        final long available = 65_536L - firstPort;
        final long fit = available / hosts;
        if (fit < 1)
        {
            throw new ConfigurationException(PUBLIC, publicAddresses.length + " addresses",
                hosts + " inside hosts would share each public address's " + available + " ports; at least " +
                (insideCount + available - 1) / available + " public addresses are needed for " + insideCount +
                " inside addresses");
        }
        if (portsPerHost < 0 || portsPerHost > fit)
        {
            throw new ConfigurationException(PORTS_PER_HOST, portsPerHost,
                "must be 0 (as many as fit) or 1.." + fit + " (" + hosts + " hosts share each public address)");
        }
        this.insideNetwork = insideNetwork;
        this.insidePrefixLength = insidePrefixLength;
        this.publicAddresses = publicAddresses.clone();
        this.firstPort = firstPort;
        this.portsPerHost = portsPerHost == 0 ? (int)fit : portsPerHost;
        this.hostsPerAddress = hosts;
    }

    public int insideNetwork()
    {
        return insideNetwork;
    }

    public int insidePrefixLength()
    {
        return insidePrefixLength;
    }

    public int[] publicAddresses()
    {
        return publicAddresses.clone();
    }

    public int portsPerHost()
    {
        return portsPerHost;
    }

    public long hostsPerAddress()
    {
        return hostsPerAddress;
    }

    /**
     * @return whether {@code insideAddress} is in the inside prefix, and so has a range.
     */
    public boolean covers(final int insideAddress)
    {
        return Ipv4.inPrefix(insideAddress, insideNetwork, insidePrefixLength);
    }

    /**
     * @return the index in {@link #publicAddresses()} of the inside address's public address, or -1
     * when it is not covered.
     */
    public int publicAddressIndex(final int insideAddress)
    {
        return covers(insideAddress) ? (int)(host(insideAddress) / hostsPerAddress) : -1;
    }

    /**
     * @return the inside address's public address; it must be covered.
     */
    public int publicAddress(final int insideAddress)
    {
        return publicAddresses[publicAddressIndex(insideAddress)];
    }

    /**
     * @return the first port of the inside address's range; it must be covered.
     */
    public int firstPort(final int insideAddress)
    {
        return firstPort + (int)(host(insideAddress) % hostsPerAddress) * portsPerHost;
    }

    /**
     * @return the last port of the inside address's range (inclusive); it must be covered.
     */
    public int lastPort(final int insideAddress)
    {
        return firstPort(insideAddress) + portsPerHost - 1;
    }

    /**
     * @return the inside address that owns {@code publicPort} of {@code publicAddress} as an unsigned value, or
     * -1 when no inside address does (not a public address of the map, a port outside every range, or
     * beyond the last inside address).
     */
    public long insideAddress(final int publicAddress, final int publicPort)
    {
        int index = -1;
        for (int i = 0; i < publicAddresses.length; i++)
        {
            if (publicAddresses[i] == publicAddress)
            {
                index = i;
                break;
            }
        }
        if (index < 0 || publicPort < firstPort)
        {
            return -1;
        }
        final long slot = (publicPort - firstPort) / portsPerHost;
        if (slot >= hostsPerAddress)
        {
            return -1;
        }
        final long host = index * hostsPerAddress + slot;
        if (host >= 1L << (32 - insidePrefixLength))
        {
            return -1;
        }
        return (insideNetwork + host) & 0xFFFF_FFFFL;
    }

    private long host(final int insideAddress)
    {
        return (insideAddress - insideNetwork) & 0xFFFF_FFFFL;
    }

    @Override
    public String toString()
    {
        return Ipv4.toString(insideNetwork) + "/" + insidePrefixLength + " onto " + publicAddresses.length +
            " public addresses, " + hostsPerAddress + " hosts each, " + portsPerHost + " ports a host from " + firstPort;
    }
}
