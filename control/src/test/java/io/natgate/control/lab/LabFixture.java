package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.LabTopology.Role;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A lab of its own (namespace names carry this JVM's id and the backend) with natgate running in it
 * on one backend, the HTTP server in the server namespace and, behind the port forward, in the
 * second client's, and an iperf3 server. {@link #close()} removes all of it, however far set-up got.
 */
final class LabFixture implements AutoCloseable
{
    static final int HTTP_PORT = LabGatewayConfig.FORWARDED_TCP_PORT;
    /**
     * How long the gateway may take to start: two JVM starts (the heap bound's question, then the gateway) and the
     * journal's start-up code generation took over LabGateway's minute on a loaded 2-CPU machine.
     */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final Path directory;
    private Lab lab;
    private LabGateway gateway;
    private String clientAddress = LabTopology.CLIENT_ADDRESS;

    private LabFixture(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * @return a lab with nothing running in it yet, and a temporary directory.
     */
    static LabFixture bare(final String tag)
    {
        return bare(tag, Lab.PeerOffloads.DEFAULT);
    }

    /**
     * @return a lab with nothing running in it yet, its peers' offloads as {@code peerOffloads} says.
     */
    static LabFixture bare(final String tag, final Lab.PeerOffloads peerOffloads)
    {
        final LabFixture fixture = new LabFixture(LabFiles.temporaryDirectory("natgate-lab-test"));
        try
        {
            fixture.lab = Lab.up(LabTopology.unique(tag), Lab.Forwarding.NATGATE, peerOffloads);
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    /**
     * @return a lab with natgate on {@code backend}, the two HTTP servers and the iperf3 server running.
     * AF_PACKET takes the peers as they are by default (checksum offload and TSO on); libpcap sees no
     * offload metadata, so its peers are NICs that send complete checksums (offloads off).
     */
    static LabFixture start(final Backend backend)
    {
        return start(backend, 1);
    }

    /**
     * @return a lab as {@link #start(Backend)} makes it, the gateway running {@code workers} NAT workers: with more
     * than one, on a copy of small-2core with that many and {@code threading: shared-network}.
     */
    static LabFixture start(final Backend backend, final int workers)
    {
        return start(backend, workers, "shared-network");
    }

    /**
     * @return a lab as {@link #start(Backend)} makes it, the gateway running {@code workers} NAT workers: with more
     * than one, on a copy of small-2core with that many and that {@code threading}, and the first client sending
     * from {@value LabTopology#CLIENT_SECOND_ADDRESS}, so that the two clients are on different workers
     * ({@link #clientAddress()}).
     */
    static LabFixture start(final Backend backend, final int workers, final String threading)
    {
        final LabFixture fixture = bare(backend.configName() + (workers == 1 ? "" : workers + "w"),
            backend == Backend.PCAP ? Lab.PeerOffloads.COMPLETE_CHECKSUMS : Lab.PeerOffloads.DEFAULT);
        try
        {
            final NatgateJvm jvm = NatgateJvm.current();
            final String profile = workers == 1 ? "small-2core" :
                LabGatewayConfig.writeProfile(fixture.directory, "small-2core", threading, workers);
            if (workers > 1)
            {
                fixture.lab.sendFrom(Role.CLIENT, LabTopology.CLIENT_SECOND_ADDRESS);
                fixture.clientAddress = LabTopology.CLIENT_SECOND_ADDRESS;
            }
            final Path config = LabGatewayConfig.write(fixture.directory, backend, profile);
            fixture.gateway = LabGateway.start(fixture.lab, jvm, config, null, List.of(), START_TIMEOUT);
            final LabProcess server = httpServer(fixture.lab, jvm, Role.SERVER);
            final LabProcess client2 = httpServer(fixture.lab, jvm, Role.CLIENT2);
            for (final LabProcess http : new LabProcess[] {server, client2})
            {
                http.awaitLine(line -> line.startsWith(HttpTestServer.READY), LabGateway.START_TIMEOUT);
            }
            Iperf3.server(fixture.lab, Role.SERVER, Iperf3.PORT);
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    /**
     * @return a lab as {@link #start} makes it, the gateway having resolved both clients (a ping from each to the
     * server): its source guard binds each inside address to the MAC it resolved.
     */
    static LabFixture startWithClientsResolved(final Backend backend)
    {
        final LabFixture fixture = start(backend);
        try
        {
            for (final Role client : new Role[] {Role.CLIENT, Role.CLIENT2})
            {
                final LabTraffic.PingResult ping = LabTraffic.ping(fixture.lab, client, LabTopology.SERVER_ADDRESS, 2);
                if (ping.received() != 2)
                {
                    throw new LabException(client.suffix() + " could not reach the server: " + ping.output());
                }
            }
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    Lab lab()
    {
        return lab;
    }

    LabGateway gateway()
    {
        return gateway;
    }

    /**
     * @return the address the first client sends from to beyond the gateway.
     */
    String clientAddress()
    {
        return clientAddress;
    }

    Path directory()
    {
        return directory;
    }

    @Override
    public void close()
    {
        try
        {
            if (lab != null)
            {
                lab.close();
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }

    private static LabProcess httpServer(final Lab lab, final NatgateJvm jvm, final Role role)
    {
        return lab.start(role, "http server in " + role.suffix(), null,
            jvm.natgate("lab", "http-server", "--port", String.valueOf(HTTP_PORT), "--name", role.suffix()));
    }
}
