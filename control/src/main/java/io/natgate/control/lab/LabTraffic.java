package io.natgate.control.lab;

import io.natgate.control.lab.LabTopology.Role;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real clients of the lab, each run inside a namespace with a time limit: {@code ping},
 * {@code curl}, {@code nc}. Each returns what the client saw, for {@code natgate lab demo} to print
 * and the end-to-end tests to assert on.
 */
public final class LabTraffic
{
    private static final Pattern PING_RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration UDP_WAIT = Duration.ofSeconds(5);

    private LabTraffic()
    {
    }

    /**
     * @param received the echo replies {@code ping} counted.
     */
    public record PingResult(int exitStatus, int transmitted, int received, String output)
    {
    }

    /**
     * @param exitStatus {@code curl}'s (0: a 2xx answer).
     * @param body       what it received.
     */
    public record HttpResult(int exitStatus, String body, String error)
    {
    }

    /**
     * One datagram each way between a {@code nc -u} client and a {@code nc -u -l} server.
     *
     * @param serverReceived the line the server received, or null.
     * @param serverSawPeer  the address and port the server saw the datagram from ({@code nc -v}), or null.
     * @param clientReceived the line the client received back, or null.
     */
    public record UdpExchange(String serverReceived, String serverSawPeer, String clientReceived)
    {
    }

    /**
     * {@code ping -c count target} from a namespace, a fifth of a second apart.
     */
    public static PingResult ping(final Lab lab, final Role from, final String target, final int count)
    {
        final Exec.Result result = lab.exec(from, CLIENT_TIMEOUT, "ping", "-n", "-c", String.valueOf(count),
            "-i", "0.2", "-W", "2", target);
        final Matcher matcher = PING_RECEIVED.matcher(result.stdout());
        final boolean found = matcher.find();
        return new PingResult(result.exitStatus(), found ? Integer.parseInt(matcher.group(1)) : 0,
            found ? Integer.parseInt(matcher.group(2)) : 0, result.stdout());
    }

    /**
     * {@code curl URL} from a namespace.
     */
    public static HttpResult httpGet(final Lab lab, final Role from, final String url)
    {
        final Exec.Result result = lab.exec(from, CLIENT_TIMEOUT, "curl", "-sS", "-f", "--max-time", "10", url);
        return new HttpResult(result.exitStatus(), result.stdout(), result.stderr().strip());
    }

    /**
     * {@code nc -z -w 2 target port} from a namespace: whether a TCP connection is accepted.
     *
     * @return nc's exit status: 0 when the connection was accepted.
     */
    public static int tcpConnect(final Lab lab, final Role from, final String target, final int port)
    {
        return lab.exec(from, CLIENT_TIMEOUT, "nc", "-z", "-n", "-w", "2", target, String.valueOf(port)).exitStatus();
    }

    /**
     * A {@code nc -u -l port} server in {@code serverRole}; a {@code nc -u target port} client in
     * {@code clientRole} sends {@code request}; once the server has it, the server answers {@code reply}
     * (to where the datagram came from, as UDP servers do).
     */
    public static UdpExchange udpExchange(final Lab lab, final Role clientRole, final Role serverRole,
        final String target, final int port, final String request, final String reply)
    {
        try (LabProcess server = lab.start(serverRole, "nc -u -l", null,
                List.of("nc", "-u", "-l", "-n", "-v", String.valueOf(port))))
        {
            // nc prints nothing until its socket is bound; the first datagram is lost otherwise.
            awaitBound(lab, serverRole, port);
            try (LabProcess client = lab.start(clientRole, "nc -u", null,
                    List.of("nc", "-u", "-n", target, String.valueOf(port))))
            {
                client.write(request + "\n");
                final String received = awaitQuietly(server, request::equals);
                if (received == null)
                {
                    return new UdpExchange(null, null, null);
                }
                final String connection = awaitQuietly(server, line -> peerOf(line) != null);
                final String peer = connection == null ? null : peerOf(connection);
                server.write(reply + "\n");
                return new UdpExchange(received, peer, awaitQuietly(client, reply::equals));
            }
        }
    }

    /**
     * @return {@code "203.0.113.1:41234"} from nc's {@code Connection received on 203.0.113.1 41234}, or null.
     */
    static String peerOf(final String line)
    {
        final Matcher matcher = Pattern.compile("Connection received on (\\S+) (\\d+)").matcher(line);
        return matcher.find() ? matcher.group(1) + ":" + matcher.group(2) : null;
    }

    private static String awaitQuietly(final LabProcess process, final java.util.function.Predicate<String> match)
    {
        try
        {
            return process.awaitLine(match, UDP_WAIT);
        }
        catch (final LabException ex)
        {
            return null;
        }
    }

    /**
     * Waits until a UDP socket is bound to {@code port} in the namespace ({@code ss -uln}).
     */
    static void awaitBound(final Lab lab, final Role role, final int port)
    {
        final long deadlineNs = System.nanoTime() + UDP_WAIT.toNanos();
        while (deadlineNs - System.nanoTime() > 0)
        {
            final Exec.Result sockets = lab.exec(role, CLIENT_TIMEOUT, "ss", "-Huln", "sport", "= :" + port);
            if (sockets.succeeded() && !sockets.stdout().isBlank())
            {
                return;
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for a UDP listener", ex);
            }
        }
        throw new LabException("nothing listens on UDP port " + port + " in " + lab.namespace(role));
    }
}
