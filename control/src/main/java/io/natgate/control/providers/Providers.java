package io.natgate.control.providers;

import io.natgate.control.config.PortConfig;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.firewall.Firewall;
import io.natgate.control.providers.pcp.FirewallPortMapper;
import io.natgate.control.providers.pcp.PcpProvider;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.control.providers.vxlan.VxlanProvider;
import io.natgate.datapath.forward.PortRole;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The traversal providers of a gateway's config file, started once its pipeline and Connectivity Platform
 * run, and closed (each deregistered and destroyed) before them.
 */
public final class Providers implements AutoCloseable
{
    private final List<TraversalProvider> started = new ArrayList<>();

    private Providers()
    {
    }

    /**
     * @return the MTU for the provider interfaces: a VXLAN tunnel's inner packets must fit the outside ports
     * with the tunnel's {@link VxlanProvider#OVERHEAD} (RFC 7348 section 4.3: VTEPs do not fragment).
     */
    public static int interfaceMtu(final List<PortConfig> ports, final List<ProviderConfig> providers, final int mtu)
    {
        if (providers.stream().noneMatch(ProviderConfig.Vxlan.class::isInstance))
        {
            return mtu;
        }
        int outsideMtu = mtu + VxlanProvider.OVERHEAD;
        for (final PortConfig port : ports)
        {
            if (port.role() == PortRole.OUTSIDE)
            {
                outsideMtu = Math.min(outsideMtu, port.settings().mtu());
            }
        }
        return outsideMtu - VxlanProvider.OVERHEAD;
    }

    /**
     * Starts the providers, in the order configured.
     *
     * @param ports           the gateway's configured ports: the inside ones NAT-PMP/PCP serves, the outside one
     *                        a tunnel starts from.
     * @param publicAddresses the NAT's pool.
     * @throws RuntimeException when one cannot start; those started are closed.
     */
    public static Providers start(
        final List<ProviderConfig> configs, final List<PortConfig> ports, final int[] publicAddresses,
        final ConnectivityPlatform platform, final LocalUdp udp, final Firewall firewall, final NanoClock clock,
        final Consumer<String> log, final ErrorHandler errorHandler)
    {
        final Providers providers = new Providers();
        try
        {
            for (final ProviderConfig config : configs)
            {
                providers.started.add(switch (config)
                {
                    case ProviderConfig.NatPmpPcp pcp -> new PcpProvider(platform, udp, insideAddresses(ports, pcp),
                        new PcpServer(pcp, new FirewallPortMapper(firewall, publicAddresses)), clock, log,
                        errorHandler).start();
                    case ProviderConfig.Vxlan vxlan -> new VxlanProvider(platform, udp, vxlan,
                        outsideAddressFacing(ports, vxlan.peer().address()), clock, log, errorHandler).start();
                });
            }
            return providers;
        }
        catch (final RuntimeException ex)
        {
            providers.close();
            throw ex;
        }
    }

    /**
     * @return the providers started, in order.
     */
    public List<TraversalProvider> providers()
    {
        return List.copyOf(started);
    }

    /**
     * Closes the providers, last started first: each ends its session (closing what it held), deregisters and
     * destroys its instance.
     */
    @Override
    public void close()
    {
        for (int i = started.size() - 1; i >= 0; i--)
        {
            started.get(i).close();
        }
        started.clear();
    }

    private static int[] insideAddresses(final List<PortConfig> ports, final ProviderConfig.NatPmpPcp config)
    {
        return config.ports().stream().mapToInt(name -> ports.stream().filter(port -> port.name().equals(name))
            .findFirst().orElseThrow(() -> new IllegalArgumentException("no port " + name)).settings().address())
            .toArray();
    }

    /**
     * @return the address of the outside port whose network holds the peer, else of the first with a next hop,
     * else of the first: the port the forwarder sends the tunnel's datagrams out of.
     */
    static int outsideAddressFacing(final List<PortConfig> ports, final int peer)
    {
        PortConfig chosen = null;
        for (final PortConfig port : ports)
        {
            if (port.role() != PortRole.OUTSIDE)
            {
                continue;
            }
            if (port.settings().isOnLink(peer))
            {
                return port.settings().address();
            }
            if (chosen == null || chosen.settings().nextHop() == 0 && port.settings().nextHop() != 0)
            {
                chosen = port;
            }
        }
        if (chosen == null)
        {
            throw new IllegalArgumentException("a VXLAN tunnel needs an outside port");
        }
        return chosen.settings().address();
    }
}
