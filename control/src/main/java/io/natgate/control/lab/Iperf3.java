package io.natgate.control.lab;

import io.natgate.control.lab.LabTopology.Role;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * iperf3 runs between namespaces of the lab, read from the client's {@code -J} report: TCP
 * throughput, and UDP packets sent, received and lost as the receiving server counted them.
 */
public final class Iperf3
{
    /** The port {@link #server} listens on by default. */
    public static final int PORT = 5201;
    /** Beyond the run's own seconds: connecting, the report exchange, a slow start of the server. */
    private static final Duration SLACK = Duration.ofSeconds(20);

    private Iperf3()
    {
    }

    /**
     * What a TCP run carried.
     *
     * @param receivedBitsPerSecond what the receiver got, per second of the run.
     * @param retransmits           the sender's retransmitted segments.
     * @param sentBitsPerSecond     what the sender wrote, per second of the run.
     */
    public record TcpResult(double seconds, long receivedBytes, double receivedBitsPerSecond, long retransmits,
        double sentBitsPerSecond)
    {
        public double gigabitsPerSecond()
        {
            return receivedBitsPerSecond / 1e9;
        }
    }

    /**
     * What a UDP run carried, as the receiver counted it.
     *
     * @param sentPackets the datagrams the client sent.
     * @param lostPackets the datagrams the receiver missed (gaps in the sequence numbers).
     */
    public record UdpResult(double seconds, int payloadLength, long sentPackets, long lostPackets, double lostPercent,
        double receivedBitsPerSecond)
    {
        public long receivedPackets()
        {
            return sentPackets - lostPackets;
        }

        public double receivedPacketsPerSecond()
        {
            return receivedPackets() / seconds;
        }

        public double sentPacketsPerSecond()
        {
            return sentPackets / seconds;
        }
    }

    /**
     * Starts {@code iperf3 -s} in a namespace and waits until it listens; the lab stops it on close.
     */
    public static LabProcess server(final Lab lab, final Role role, final int port)
    {
        final LabProcess server = lab.start(role, "iperf3 server", null,
            List.of("iperf3", "-s", "--forceflush", "-p", String.valueOf(port)));
        server.awaitLine(line -> line.contains("Server listening"), Duration.ofSeconds(10));
        return server;
    }

    /**
     * A TCP run from {@code client} to {@code target}.
     */
    public static TcpResult tcp(final Lab lab, final Role client, final String target, final int port,
        final int seconds)
    {
        return tcp(lab, client, target, port, seconds, 1);
    }

    /**
     * A TCP run from {@code client} to {@code target} with {@code streams} parallel connections ({@code -P}).
     */
    public static TcpResult tcp(final Lab lab, final Role client, final String target, final int port,
        final int seconds, final int streams)
    {
        final Object report = run(lab, client, seconds, List.of("-c", target, "-p", String.valueOf(port),
            "-t", String.valueOf(seconds), "-P", String.valueOf(streams), "-J"));
        return new TcpResult(
            Json.number(report, "end", "sum_received", "seconds"),
            (long)Json.number(report, "end", "sum_received", "bytes"),
            Json.number(report, "end", "sum_received", "bits_per_second"),
            (long)Json.number(report, "end", "sum_sent", "retransmits"),
            Json.number(report, "end", "sum_sent", "bits_per_second"));
    }

    /**
     * A UDP run from {@code client} to {@code target}.
     *
     * @param bitrate       iperf3's {@code -b}: {@code 20M}, or {@code 0} for as fast as the client can send.
     * @param payloadLength the UDP payload of each datagram ({@code -l}).
     */
    public static UdpResult udp(final Lab lab, final Role client, final String target, final int port,
        final int seconds, final String bitrate, final int payloadLength)
    {
        final Object report = run(lab, client, seconds, List.of("-c", target, "-p", String.valueOf(port), "-u",
            "-b", bitrate, "-l", String.valueOf(payloadLength), "-t", String.valueOf(seconds), "-J"));
        return new UdpResult(
            Json.number(report, "end", "sum_received", "seconds"),
            payloadLength,
            (long)Json.number(report, "end", "sum_sent", "packets"),
            (long)Json.number(report, "end", "sum_received", "lost_packets"),
            Json.number(report, "end", "sum_received", "lost_percent"),
            Json.number(report, "end", "sum_received", "bits_per_second"));
    }

    private static Object run(final Lab lab, final Role client, final int seconds, final List<String> arguments)
    {
        final List<String> command = new ArrayList<>(List.of("iperf3"));
        command.addAll(arguments);
        final Exec.Result result = Exec.run(SLACK.plusSeconds(seconds), lab.in(client, command));
        final Object report = result.stdout().isBlank() ? null : Json.parse(result.stdout());
        if (report instanceof java.util.Map<?, ?> map && map.get("error") != null)
        {
            throw new LabException(String.join(" ", command) + ": " + map.get("error"));
        }
        result.check();
        return report;
    }
}
