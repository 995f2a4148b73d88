package io.natgate.control.providers;

import io.natgate.control.providers.PcpMessages.Request;
import io.natgate.control.providers.PcpMessages.Response;
import io.natgate.control.providers.pcp.PcpResult;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A PCP load generator, run in the lab's client namespace: keeps {@code window} requests outstanding
 * against a PCP server until {@code count} were answered, and prints how many were answered per second.
 * <pre>
 *   PcpLoad SERVER CLIENT MODE COUNT WINDOW
 *     map      MAP requests for COUNT different internal ports from 10000 (each a new mapping)
 *     renew    MAP requests again for the same ports (each a renewal)
 *     announce ANNOUNCE requests (no mapping work: the server's path alone)
 * </pre>
 */
public final class PcpLoad
{
    static final int FIRST_PORT = 10_000;
    static final String RESULT = "PCP load ";
    private static final long GIVE_UP_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long RETRANSMIT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private PcpLoad()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final String server = args[0];
        final int client = Ipv4.parse(args[1]);
        final String mode = args[2];
        final int count = Integer.parseInt(args[3]);
        final int window = Integer.parseInt(args[4]);

        final Map<PcpResult, Integer> results = new EnumMap<>(PcpResult.class);
        final Set<Integer> outstanding = new HashSet<>();
        final ByteBuffer received = ByteBuffer.allocate(1100);
        try (DatagramChannel channel = DatagramChannel.open(); Selector selector = Selector.open())
        {
            channel.connect(new InetSocketAddress(server, 5351));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            int sent = 0;
            int answered = 0;
            final long startNs = System.nanoTime();
            long lastProgressNs = startNs;
            long lastRetransmitNs = startNs;
            while (answered < count)
            {
                while (sent < count && outstanding.size() < window)
                {
                    final int port = FIRST_PORT + sent;
                    channel.write(ByteBuffer.wrap(request(mode, client, port)));
                    outstanding.add(mode.equals("announce") ? sent : port);
                    sent++;
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastProgressNs > RETRANSMIT_NS && nowNs - lastRetransmitNs > RETRANSMIT_NS)
                {
                    // as a PCP client does (RFC 6887 section 8.1.1): a request lost on the way (the first ones
                    // while the gateway resolves this host's address, say) is sent again
                    for (final int pending : outstanding)
                    {
                        channel.write(ByteBuffer.wrap(request(mode, client, pending)));
                    }
                    lastRetransmitNs = nowNs;
                }
                selector.select(10);
                selector.selectedKeys().clear();
                while (channel.read(received.clear()) > 0)
                {
                    final byte[] bytes = new byte[received.flip().remaining()];
                    received.get(bytes);
                    final Response response = new Response(bytes);
                    final boolean matched = mode.equals("announce") ?
                        outstanding.remove(outstanding.iterator().next()) : outstanding.remove(response.internalPort());
                    if (matched)
                    {
                        answered++;
                        results.merge(response.result(), 1, Integer::sum);
                        lastProgressNs = System.nanoTime();
                    }
                }
                if (System.nanoTime() - lastProgressNs > GIVE_UP_NS)
                {
                    System.out.println(RESULT + mode + ": gave up, " + outstanding.size() + " unanswered");
                    break;
                }
            }
            final double seconds = (lastProgressNs - startNs) / 1e9;
            System.out.printf("%s%s: %d requests answered in %.3f s with %d outstanding: %.0f requests/s %s%n",
                RESULT, mode, answered, seconds, window, answered / seconds, results);
        }
    }

    private static byte[] request(final String mode, final int client, final int port)
    {
        return mode.equals("announce") ? Request.announce(client).bytes() :
            Request.map(client, 600, PcpMessages.nonce(1), Ipv4Protocols.UDP, port, 0, 0).bytes();
    }
}
