package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.ValidatedConfiguration;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.port.LinkLayer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of the frame processor around the NAT: the ports, ARP and ICMP behaviour.
 * Property names and defaults side by side; {@link #validate()} names the bad key and value.
 */
public final class ForwarderConfig extends ValidatedConfiguration
{
    public static final String IPV6 = "ipv6";
    public static final Ipv6Policy IPV6_DEFAULT = Ipv6Policy.DROP;

    public static final String NEIGHBOUR_CAPACITY = "arp.neighbours";
    public static final int NEIGHBOUR_CAPACITY_DEFAULT = 1024;

    public static final String NEIGHBOUR_TIMEOUT = "arp.timeout";
    public static final long NEIGHBOUR_TIMEOUT_DEFAULT_NS = TimeUnit.MINUTES.toNanos(5);

    public static final String ARP_RETRY_INTERVAL = "arp.retryInterval";
    public static final long ARP_RETRY_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    public static final String ARP_RETRIES = "arp.retries";
    public static final int ARP_RETRIES_DEFAULT = 3;

    public static final String ARP_PENDING_FRAMES = "arp.pendingFrames";
    public static final int ARP_PENDING_FRAMES_DEFAULT = 256;

    public static final String ICMP_ERRORS_PER_SECOND = "icmp.errorsPerSecond";
    public static final int ICMP_ERRORS_PER_SECOND_DEFAULT = 1000;

    /**
     * Inside sources must come from the MAC the gateway resolved for them by ARP (or a configured binding);
     * frames from an address not yet resolved wait while the gateway asks.
     */
    public static final String BIND_SOURCES = "arp.bindSources";
    public static final boolean BIND_SOURCES_DEFAULT = true;

    /** Frames that may wait, all sources together, while the gateway resolves their source. */
    public static final String UNVERIFIED_FRAMES = "arp.unverifiedFrames";
    public static final int UNVERIFIED_FRAMES_DEFAULT = 128;

    /** Frames that may wait for one source's resolution. */
    public static final String UNVERIFIED_FRAMES_PER_SOURCE = "arp.unverifiedFramesPerSource";
    public static final int UNVERIFIED_FRAMES_PER_SOURCE_DEFAULT = 32;

    /** Routes the control plane may add, e.g. a traversal provider's remote subnet to its interface. */
    public static final String MAX_ROUTES = "routes.max";
    public static final int MAX_ROUTES_DEFAULT = 64;

    /**
     * The gateway's local port: the raw-IP port through which the control plane receives the UDP datagrams
     * addressed to the endpoints it {@link Forwarder#addLocalEndpoint registers} and sends its own packets
     * (PCP answers, tunnel datagrams). -1 for none.
     */
    public static final String LOCAL_PORT = "ports.local";
    public static final int LOCAL_PORT_DEFAULT = -1;

    /** Local UDP endpoints (address and port) the control plane may register at once. */
    public static final String MAX_LOCAL_ENDPOINTS = "local.maxEndpoints";
    public static final int MAX_LOCAL_ENDPOINTS_DEFAULT = 16;

    private List<PortSettings> ports = List.of();
    private List<InsideRoute> insideRoutes = List.of();
    private List<StaticNeighbour> staticNeighbours = List.of();
    private Ipv6Policy ipv6 = IPV6_DEFAULT;
    private int neighbourCapacity = NEIGHBOUR_CAPACITY_DEFAULT;
    private long neighbourTimeoutNs = NEIGHBOUR_TIMEOUT_DEFAULT_NS;
    private long arpRetryIntervalNs = ARP_RETRY_INTERVAL_DEFAULT_NS;
    private int arpRetries = ARP_RETRIES_DEFAULT;
    private int arpPendingFrames = ARP_PENDING_FRAMES_DEFAULT;
    private int icmpErrorsPerSecond = ICMP_ERRORS_PER_SECOND_DEFAULT;
    private int maxRoutes = MAX_ROUTES_DEFAULT;
    private int localPort = LOCAL_PORT_DEFAULT;
    private int maxLocalEndpoints = MAX_LOCAL_ENDPOINTS_DEFAULT;
    private boolean bindSources = BIND_SOURCES_DEFAULT;
    private int unverifiedFrames = UNVERIFIED_FRAMES_DEFAULT;
    private int unverifiedFramesPerSource = UNVERIFIED_FRAMES_PER_SOURCE_DEFAULT;

    public ForwarderConfig validate()
    {
        boolean inside = false;
        boolean outside = false;
        for (int i = 0; i < ports.size(); i++)
        {
            final PortSettings port = ports.get(i);
            if (port.index() != i)
            {
                throw new ConfigurationException("ports." + port.name(), port.index(), "port index must be " + i);
            }
            inside |= port.role() == PortRole.INSIDE;
            outside |= port.role() == PortRole.OUTSIDE;
            for (int j = 0; j < i; j++)
            {
                final PortSettings other = ports.get(j);
                if (other.name().equals(port.name()))
                {
                    throw new ConfigurationException("ports." + port.name(), port.name(), "port name used twice");
                }
                final int shorter = Math.min(port.prefixLength(), other.prefixLength());
                if (Ipv4.inPrefix(port.address(), other.address(), shorter))
                {
                    throw new ConfigurationException("ports." + port.name() + ".address",
                        Ipv4.toString(port.address()) + "/" + port.prefixLength(),
                        "overlaps port " + other.name() + " (" + Ipv4.toString(other.address()) + "/" +
                        other.prefixLength() + ")");
                }
            }
        }
        if (!inside || !outside)
        {
            throw new ConfigurationException("ports", ports.size() + " ports", "need at least one inside and one outside port");
        }
        for (final InsideRoute route : insideRoutes)
        {
            final PortSettings port = route.portIndex() >= 0 && route.portIndex() < ports.size() ?
                ports.get(route.portIndex()) : null;
            if (port == null || port.role() != PortRole.INSIDE || port.nextHop() == 0)
            {
                throw new ConfigurationException("ports." + (port == null ? route.portIndex() : port.name()) + ".routes",
                    route, "routes belong to an inside port with a nextHop");
            }
            for (final PortSettings other : ports)
            {
                final int shorter = Math.min(route.prefixLength(), other.prefixLength());
                if (Ipv4.inPrefix(route.network(), other.address(), shorter))
                {
                    throw new ConfigurationException("ports." + port.name() + ".routes", route,
                        "overlaps port " + other.name() + "'s network");
                }
            }
        }
        for (final StaticNeighbour neighbour : staticNeighbours)
        {
            final PortSettings port = neighbour.portIndex() >= 0 && neighbour.portIndex() < ports.size() ?
                ports.get(neighbour.portIndex()) : null;
            final String key = "ports." + (port == null ? neighbour.portIndex() : port.name()) + ".neighbours";
            if (port == null || port.linkLayer() != LinkLayer.ETHERNET)
            {
                throw new ConfigurationException(key, neighbour, "static neighbours belong to an Ethernet port");
            }
            if (!port.isOnLink(neighbour.address()) || neighbour.address() == port.address())
            {
                throw new ConfigurationException(key, neighbour, "not a host of the port's network " +
                    Ipv4.toString(port.address()) + "/" + port.prefixLength());
            }
            if (neighbour.mac() == 0 || (neighbour.mac() >>> 40 & 1) != 0 || neighbour.mac() >>> 48 != 0)
            {
                throw new ConfigurationException(key, neighbour, "a neighbour's MAC is unicast");
            }
        }
        positive(NEIGHBOUR_CAPACITY, neighbourCapacity);
        positive(ARP_PENDING_FRAMES, arpPendingFrames);
        positive(ARP_RETRIES, arpRetries);
        positive(ICMP_ERRORS_PER_SECOND, icmpErrorsPerSecond);
        positive(MAX_ROUTES, maxRoutes);
        positive(MAX_LOCAL_ENDPOINTS, maxLocalEndpoints);
        positive(UNVERIFIED_FRAMES, unverifiedFrames);
        positive(UNVERIFIED_FRAMES_PER_SOURCE, unverifiedFramesPerSource);
        if (localPort != LOCAL_PORT_DEFAULT &&
            (localPort < 0 || localPort >= ports.size() || ports.get(localPort).linkLayer() != LinkLayer.RAW_IP))
        {
            throw new ConfigurationException(LOCAL_PORT, localPort, "the local port must be a raw-IP port's index");
        }
        if (neighbourTimeoutNs <= 0)
        {
            throw new ConfigurationException(NEIGHBOUR_TIMEOUT, neighbourTimeoutNs + "ns", "must be positive");
        }
        if (arpRetryIntervalNs <= 0)
        {
            throw new ConfigurationException(ARP_RETRY_INTERVAL, arpRetryIntervalNs + "ns", "must be positive");
        }
        freeze();
        return this;
    }

    private static void positive(final String key, final int value)
    {
        if (value <= 0)
        {
            throw new ConfigurationException(key, value, "must be positive");
        }
    }

    public List<PortSettings> ports()
    {
        return ports;
    }

    public ForwarderConfig ports(final List<PortSettings> ports)
    {
        checkMutable();
        this.ports = List.copyOf(ports);
        return this;
    }

    /**
     * @return the networks beyond the inside ports' routers ({@code ports[].routes}).
     */
    public List<InsideRoute> insideRoutes()
    {
        return insideRoutes;
    }

    public ForwarderConfig insideRoutes(final List<InsideRoute> insideRoutes)
    {
        checkMutable();
        this.insideRoutes = List.copyOf(insideRoutes);
        return this;
    }

    /**
     * @return the neighbours bound to their MACs by configuration ({@code ports[].neighbours}).
     */
    public List<StaticNeighbour> staticNeighbours()
    {
        return staticNeighbours;
    }

    public ForwarderConfig staticNeighbours(final List<StaticNeighbour> staticNeighbours)
    {
        checkMutable();
        this.staticNeighbours = List.copyOf(staticNeighbours);
        return this;
    }

    public Ipv6Policy ipv6()
    {
        return ipv6;
    }

    public ForwarderConfig ipv6(final Ipv6Policy ipv6)
    {
        checkMutable();
        this.ipv6 = ipv6;
        return this;
    }

    public int neighbourCapacity()
    {
        return neighbourCapacity;
    }

    public ForwarderConfig neighbourCapacity(final int neighbourCapacity)
    {
        checkMutable();
        this.neighbourCapacity = neighbourCapacity;
        return this;
    }

    public long neighbourTimeoutNs()
    {
        return neighbourTimeoutNs;
    }

    public ForwarderConfig neighbourTimeoutNs(final long neighbourTimeoutNs)
    {
        checkMutable();
        this.neighbourTimeoutNs = neighbourTimeoutNs;
        return this;
    }

    public long arpRetryIntervalNs()
    {
        return arpRetryIntervalNs;
    }

    public ForwarderConfig arpRetryIntervalNs(final long arpRetryIntervalNs)
    {
        checkMutable();
        this.arpRetryIntervalNs = arpRetryIntervalNs;
        return this;
    }

    public int arpRetries()
    {
        return arpRetries;
    }

    public ForwarderConfig arpRetries(final int arpRetries)
    {
        checkMutable();
        this.arpRetries = arpRetries;
        return this;
    }

    public int arpPendingFrames()
    {
        return arpPendingFrames;
    }

    public ForwarderConfig arpPendingFrames(final int arpPendingFrames)
    {
        checkMutable();
        this.arpPendingFrames = arpPendingFrames;
        return this;
    }

    public int icmpErrorsPerSecond()
    {
        return icmpErrorsPerSecond;
    }

    public ForwarderConfig icmpErrorsPerSecond(final int icmpErrorsPerSecond)
    {
        checkMutable();
        this.icmpErrorsPerSecond = icmpErrorsPerSecond;
        return this;
    }

    public int maxRoutes()
    {
        return maxRoutes;
    }

    public ForwarderConfig maxRoutes(final int maxRoutes)
    {
        checkMutable();
        this.maxRoutes = maxRoutes;
        return this;
    }

    public int localPort()
    {
        return localPort;
    }

    public ForwarderConfig localPort(final int localPort)
    {
        checkMutable();
        this.localPort = localPort;
        return this;
    }

    public int maxLocalEndpoints()
    {
        return maxLocalEndpoints;
    }

    public ForwarderConfig maxLocalEndpoints(final int maxLocalEndpoints)
    {
        checkMutable();
        this.maxLocalEndpoints = maxLocalEndpoints;
        return this;
    }

    public boolean bindSources()
    {
        return bindSources;
    }

    public ForwarderConfig bindSources(final boolean bindSources)
    {
        checkMutable();
        this.bindSources = bindSources;
        return this;
    }

    public int unverifiedFrames()
    {
        return unverifiedFrames;
    }

    public ForwarderConfig unverifiedFrames(final int unverifiedFrames)
    {
        checkMutable();
        this.unverifiedFrames = unverifiedFrames;
        return this;
    }

    public int unverifiedFramesPerSource()
    {
        return unverifiedFramesPerSource;
    }

    public ForwarderConfig unverifiedFramesPerSource(final int unverifiedFramesPerSource)
    {
        checkMutable();
        this.unverifiedFramesPerSource = unverifiedFramesPerSource;
        return this;
    }
}
