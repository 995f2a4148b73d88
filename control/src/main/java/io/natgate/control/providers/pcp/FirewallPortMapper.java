package io.natgate.control.providers.pcp;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.firewall.DenialReason;
import io.natgate.control.firewall.Firewall;
import io.natgate.control.firewall.FirewallException;
import io.natgate.control.firewall.FirewallSession;
import io.natgate.control.firewall.InboundMapping;
import io.natgate.control.firewall.SessionFlag;
import io.natgate.datapath.nat.CommandStatus;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.NoSuchElementException;

/**
 * The gateway's side of PCP: every mapping is an inbound mapping of the client's SecureNAT client
 * session ({@link Firewall#getClientSession}), never of a private session a filter made for the same
 * address, so the firewall directs connections through it and its access rules, without any user,
 * decide which get in; the NAT's refusals become PCP result codes.
 */
public final class FirewallPortMapper implements PortMapper
{
    private static final InetSocketAddress ANY_REMOTE = new Ipv4Endpoint(0, 0).toSocketAddress();

    private final Firewall firewall;
    private final int[] publicAddresses;

    public FirewallPortMapper(final Firewall firewall, final int[] publicAddresses)
    {
        if (publicAddresses.length == 0)
        {
            throw new IllegalArgumentException("no public address");
        }
        this.firewall = firewall;
        this.publicAddresses = publicAddresses.clone();
    }

    @Override
    public Grant open(
        final int protocol, final int client, final int internalPort, final int suggestedPort, final int remoteAddress,
        final long lifetimeNs)
    {
        final Duration lifetime = Duration.ofNanos(lifetimeNs);
        final InetAddress remote = remoteAddress == 0 ? null :
            new Ipv4Endpoint(remoteAddress, 0).toSocketAddress().getAddress();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                final InboundMapping granted =
                    session(client).openInboundMapping(protocol, internalPort, suggestedPort, remote, lifetime);
                return new Grant(granted.publicAddress(), granted.publicPort());
            }
            catch (final FirewallException ex)
            {
                if (ex.reason() != DenialReason.SESSION_TERMINATED || attempt > 1)
                {
                    throw new Refused(refusal(ex), ex.getMessage());
                }
                // closed under us (natgate firewall close): the client gets a new session
            }
            catch (final IllegalArgumentException ex)
            {
                throw new Refused(PcpResult.NOT_AUTHORIZED, ex.getMessage());
            }
            catch (final IllegalStateException ex)
            {
                throw new Refused(PcpResult.NETWORK_FAILURE, ex.getMessage()); // the datapath did not answer
            }
        }
    }

    @Override
    public void close(final int protocol, final int client, final int internalPort)
    {
        for (final FirewallSession session : firewall.sessions())
        {
            if (!session.isTerminated() && session.has(SessionFlag.NAT) && clientAddress(session) == client)
            {
                try
                {
                    session.closeInboundMapping(protocol, internalPort);
                }
                catch (final NoSuchElementException | FirewallException gone)
                {
                    // closed already (with its session, say)
                }
                return;
            }
        }
    }

    @Override
    public boolean inboundAllowed(final int protocol, final int client, final int internalPort, final int remoteAddress)
    {
        final InetSocketAddress source = remoteAddress == 0 ? ANY_REMOTE :
            new Ipv4Endpoint(remoteAddress, 0).toSocketAddress();
        try
        {
            return session(client).checkInbound(protocol, source, internalPort).allowed();
        }
        catch (final FirewallException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    @Override
    public boolean outboundAllowed(final int protocol, final int client, final int remoteAddress, final int remotePort)
    {
        try
        {
            return session(client).checkOutbound(protocol, new Ipv4Endpoint(remoteAddress, remotePort).toSocketAddress())
                .allowed();
        }
        catch (final FirewallException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    @Override
    public int[] publicAddresses()
    {
        return publicAddresses;
    }

    private FirewallSession session(final int client)
    {
        return firewall.getClientSession(new Ipv4Endpoint(client, 0).toSocketAddress());
    }

    private static int clientAddress(final FirewallSession session)
    {
        return ByteBuffer.wrap(session.clientAddress().getAddress().getAddress()).getInt();
    }

    /**
     * The firewall reports a NAT refusal with the command status's label; the PCP code follows from it.
     */
    private static PcpResult refusal(final FirewallException ex)
    {
        return switch (ex.reason())
        {
            case NAT_ADDRESS_NOT_AVAILABLE -> ex.getMessage().contains(": " + CommandStatus.QUOTA_EXCEEDED.label()) ?
                PcpResult.USER_EX_QUOTA : ex.getMessage().contains(": " + CommandStatus.CONFLICTS_WITH_STATIC.label()) ?
                PcpResult.NOT_AUTHORIZED : PcpResult.NO_RESOURCES;
            default -> PcpResult.NOT_AUTHORIZED;
        };
    }
}
