package io.natgate.control.providers.pcp;

import io.natgate.control.cp.CallStatus;
import io.natgate.control.cp.Completion;
import io.natgate.control.cp.ConnectivityPlatform;
import io.natgate.control.cp.ProviderInstance;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.cp.TransportId;
import io.natgate.control.providers.LocalUdp;
import io.natgate.control.providers.TraversalProvider;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The NAT-PMP and PCP port-mapping provider: a {@link PcpServer} on UDP {@value PcpServer#SERVER_PORT} of
 * the gateway's address on each of its inside ports, as a provider instance of the Connectivity Platform.
 * It serves mappings while its session is active, starting a new epoch and announcing it to
 * {@code 224.0.0.1:5350} on each inside port (NAT-PMP and PCP, ten times at doubling intervals from 250 ms)
 * when the session becomes active; when the session is terminated, for any reason, every mapping it granted
 * is closed, and it registers again unless the platform is shutting down. It carries no traffic of its
 * own: no transport id is reachable over it.
 */
public final class PcpProvider extends TraversalProvider
{
    public static final String NAME = "natpmp-pcp";
    /** How often expired mappings are closed. */
    public static final long EXPIRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    static final int ANNOUNCEMENTS = 10;
    static final long FIRST_ANNOUNCEMENT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Requests waiting for the control thread beyond which new ones are dropped. */
    static final int MAX_QUEUED_REQUESTS = 1024;

    private final LocalUdp udp;
    private final int[] serverAddresses;
    private final PcpServer server;
    private final NanoClock clock;
    private final List<LocalUdp.Binding> bindings = new ArrayList<>();
    private final UnsafeBuffer response = new UnsafeBuffer(new byte[PcpServer.MAX_MESSAGE_LENGTH]);
    private final AtomicInteger queuedRequests = new AtomicInteger();
    private final AtomicLong overflows = new AtomicLong();
    private int announcementRound;
    private int announcementSeries;

    /**
     * @param serverAddresses the gateway's addresses on the inside ports it serves.
     */
    public PcpProvider(
        final ConnectivityPlatform platform, final LocalUdp udp, final int[] serverAddresses, final PcpServer server,
        final NanoClock clock, final Consumer<String> log, final ErrorHandler errorHandler)
    {
        super(platform, NAME, log, errorHandler);
        this.udp = udp;
        this.serverAddresses = serverAddresses.clone();
        this.server = server;
        this.clock = clock;
    }

    /**
     * Binds the server's endpoints (they answer NETWORK_FAILURE until the session is active), starts the
     * expiry timer and registers.
     *
     * @throws IllegalStateException or IllegalArgumentException when an endpoint cannot be bound; nothing
     *                               stays bound.
     */
    public PcpProvider start()
    {
        try
        {
            for (final int address : serverAddresses)
            {
                bindings.add(udp.bind(address, PcpServer.SERVER_PORT, this::onDatagram));
            }
        }
        catch (final RuntimeException ex)
        {
            bindings.forEach(LocalUdp.Binding::close);
            bindings.clear();
            throw ex;
        }
        schedule(() -> server.expire(clock.nanoTime()), EXPIRY_INTERVAL_NS, EXPIRY_INTERVAL_NS);
        onControlThread(this::register);
        log.accept(NAME + ": serving NAT-PMP and PCP on " + endpoints());
        return this;
    }

    /**
     * @return the server, for its counts. Read it on the control thread, or after close.
     */
    public PcpServer server()
    {
        return server;
    }

    /**
     * @return requests dropped because too many waited for the control thread.
     */
    public long overflows()
    {
        return overflows.get();
    }

    /**
     * A request, on the local UDP thread: copied and handed to the control thread.
     */
    private void onDatagram(
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final DirectBuffer payload, final int offset, final int length)
    {
        if (queuedRequests.incrementAndGet() > MAX_QUEUED_REQUESTS)
        {
            queuedRequests.decrementAndGet();
            overflows.incrementAndGet();
            return;
        }
        final byte[] request = new byte[Math.min(length, PcpServer.MAX_MESSAGE_LENGTH + 4)];
        payload.getBytes(offset, request);
        if (!onControlThread(() -> answer(sourceAddress, sourcePort, destinationAddress, request, length)))
        {
            queuedRequests.decrementAndGet();
        }
    }

    private void answer(
        final int client, final int clientPort, final int serverAddress, final byte[] request, final int length)
    {
        queuedRequests.decrementAndGet();
        final int responseLength = server.onRequest(client, new UnsafeBuffer(request), 0,
            Math.min(length, request.length), response, 0, clock.nanoTime());
        if (responseLength > 0)
        {
            udp.send(serverAddress, PcpServer.SERVER_PORT, client, clientPort, response, 0, responseLength);
        }
    }

    @Override
    protected void onActive()
    {
        server.activate(clock.nanoTime());
        announcementRound = 0;
        announce(++announcementSeries);
    }

    /**
     * One round of announcements on every inside port, then the next after twice the last interval, until a
     * new epoch starts another series.
     */
    private void announce(final int series)
    {
        if (!server.isActive() || series != announcementSeries)
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        for (final int address : serverAddresses)
        {
            int length = server.writeNatPmpAnnouncement(response, 0, nowNs);
            udp.send(address, PcpServer.SERVER_PORT, PcpServer.ALL_HOSTS, PcpServer.CLIENT_PORT, response, 0, length);
            length = server.writePcpAnnouncement(response, 0, nowNs);
            udp.send(address, PcpServer.SERVER_PORT, PcpServer.ALL_HOSTS, PcpServer.CLIENT_PORT, response, 0, length);
        }
        if (++announcementRound < ANNOUNCEMENTS)
        {
            schedule(() -> announce(series), FIRST_ANNOUNCEMENT_INTERVAL_NS << (announcementRound - 1), 0);
        }
    }

    @Override
    protected void onTerminated(final TerminationReason reason)
    {
        final int closed = server.deactivate();
        log.accept(NAME + ": session ended (" + reason + "), " + closed + " mapping(s) closed");
    }

    @Override
    protected void onClose()
    {
        server.deactivate();
        bindings.forEach(LocalUdp.Binding::close);
        bindings.clear();
    }

    @Override
    public CallStatus reachTransportId(
        final ProviderInstance instance, final Void context, final TransportId transportId, final Completion completion)
    {
        return CallStatus.FAILED; // a port-mapping service carries no traffic
    }

    @Override
    public CallStatus sendBuffers(
        final ProviderInstance instance, final Void context, final TransportId localTransportId,
        final TransportId remoteTransportId, final List<ByteBuffer> packets, final Completion completion)
    {
        return CallStatus.FAILED;
    }

    private String endpoints()
    {
        final StringBuilder text = new StringBuilder();
        for (final int address : serverAddresses)
        {
            text.append(text.isEmpty() ? "" : ", ").append(Ipv4.toString(address)).append(':')
                .append(PcpServer.SERVER_PORT);
        }
        return text.toString();
    }
}
