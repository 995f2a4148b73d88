package io.natgate.benchmarks.port;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLab;
import io.natgate.datapath.port.AfPacketPort;
import io.natgate.datapath.port.AfXdpPort;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.PcapPort;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packets per second of each port backend on a veth pair in a namespace of its own (root
 * needed), for 64-byte and 1500-byte frames, driven through the {@link Port} API as the pipeline's
 * agents drive it: bursts of {@link #BURST} frames, one flush per burst.
 * <ul>
 *   <li>transmit: one thread sends as fast as the port takes frames; "offered" is what the
 *   interface counted as sent (its {@code tx_packets}), "port" what the port accepted.</li>
 *   <li>receive: an AF_PACKET port on the peer end blasts frames from a second thread; "offered"
 *   is what that sender got out, "port" what the backend under test received.</li>
 * </ul>
 * WinDivert is Windows-only and is reported as not measured elsewhere.
 * <pre>
 * java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.port.PortBenchmark [seconds]
 * </pre>
 */
public final class PortBenchmark
{
    static final int BURST = 64;
    static final int[] FRAME_LENGTHS = {64, 1500};
    static final List<String> BACKENDS = List.of("afpacket", "afxdp", "pcap");
    private static final int WARMING_UP = 0;
    private static final int MEASURING = 1;
    private static final int DRAINING = 2;
    private static final Pattern TX_PACKETS = Pattern.compile("\"tx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)");

    private PortBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        System.out.printf(Locale.ROOT, "natgate port benchmark: veth pair, burst %d, %d s per run after 1 s warm-up, " +
            "%d cores, load average %s, JVM %s%n", BURST, seconds, Runtime.getRuntime().availableProcessors(),
            loadAverage(), System.getProperty("java.vm.version"));
        System.out.printf(Locale.ROOT, "%-9s %-6s %-9s %14s %14s %8s %7s%n",
            "backend", "frame", "direction", "offered pps", "port pps", "Gbit/s", "lost");
        try (VethLab lab = VethLab.create())
        {
            for (final String backend : BACKENDS)
            {
                for (final int frameLength : FRAME_LENGTHS)
                {
                    print(backend, frameLength, "transmit", measureTransmit(lab, backend, frameLength, seconds));
                    print(backend, frameLength, "receive", measureReceive(lab, backend, frameLength, seconds));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-9s %-6s %-9s %14s%n", "windivert", "-", "-", "not measured: Windows-only");
    }

    /**
     * @return {offered, port} frames per second: offered is what the interface counted as sent.
     */
    static double[] measureTransmit(final VethLab lab, final String backend, final int frameLength, final int seconds)
    {
        try (Port port = open(lab, backend, "tx", lab.endA()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(lab.mac(lab.endB()), port.macAddress(), 1, frameLength));
            blast(port, frame, TimeUnit.SECONDS.toNanos(1));
            final long wireBefore = txPackets(lab, lab.endA());
            final long startNs = System.nanoTime();
            final long accepted = blast(port, frame, TimeUnit.SECONDS.toNanos(seconds));
            final double elapsedS = (System.nanoTime() - startNs) / 1e9;
            final long wire = txPackets(lab, lab.endA()) - wireBefore;
            return new double[]{wire / elapsedS, accepted / elapsedS};
        }
    }

    /**
     * @return {offered, port} frames per second: offered is what the AF_PACKET sender got out.
     */
    static double[] measureReceive(final VethLab lab, final String backend, final int frameLength, final int seconds)
        throws InterruptedException
    {
        try (Port sender = open(lab, "afpacket", "sender", lab.endA());
            Port receiver = open(lab, backend, "rx", lab.endB()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(receiver.macAddress(), sender.macAddress(), 1,
                frameLength));
            final CountingHandler counter = new CountingHandler();
            final AtomicInteger phase = new AtomicInteger(WARMING_UP);
            final long[] sent = new long[1];
            final long[] sendingNs = new long[1];
            final Thread blaster = new Thread(() ->
            {
                blast(sender, frame, TimeUnit.SECONDS.toNanos(1));
                phase.set(MEASURING);
                final long startNs = System.nanoTime();
                sent[0] = blast(sender, frame, TimeUnit.SECONDS.toNanos(seconds));
                sendingNs[0] = System.nanoTime() - startNs;
                phase.set(DRAINING);
            }, "port-benchmark-sender");
            blaster.start();
            while (phase.get() == WARMING_UP)
            {
                receiver.receive(counter, 256);
            }
            counter.frames = 0;
            while (phase.get() == MEASURING)
            {
                receiver.receive(counter, 256);
            }
            final long drainEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (System.nanoTime() - drainEndNs < 0)
            {
                receiver.receive(counter, 256);
            }
            blaster.join();
            final double elapsedS = sendingNs[0] / 1e9;
            return new double[]{sent[0] / elapsedS, counter.frames / elapsedS};
        }
    }

    /**
     * Transmits {@code frame} in bursts for {@code durationNs}.
     *
     * @return the frames the port accepted.
     */
    static long blast(final Port port, final DirectBuffer frame, final long durationNs)
    {
        final int length = frame.capacity();
        final long endNs = System.nanoTime() + durationNs;
        long accepted = 0;
        while (System.nanoTime() - endNs < 0)
        {
            for (int i = 0; i < BURST; i++)
            {
                if (!port.transmit(frame, 0, length))
                {
                    break;
                }
                accepted++;
            }
            port.flush();
        }
        return accepted;
    }

    static Port open(final VethLab lab, final String backend, final String name, final String device)
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            return switch (backend)
            {
                case "afpacket" -> AfPacketPort.open(name, new PacketSocketOptions().interfaceName(device)
                    .rxBlockSizeBytes(1 << 20).rxBlockCount(32).txFrameCount(4096));
                case "afxdp" -> AfXdpPort.open(name, new XdpSocketOptions().interfaceName(device));
                case "pcap" -> PcapPort.open(name, PcapPort.defaultOptions(device, 1500)
                    .bufferSizeBytes(32 * 1024 * 1024), 0, 1500);
                default -> throw new IllegalArgumentException("unknown backend " + backend);
            };
        }
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    private static long txPackets(final VethLab lab, final String device)
    {
        final Matcher matcher = TX_PACKETS.matcher(VethLab.run("ip", "-n", lab.namespace(), "-s", "-j", "link", "show", device));
        if (!matcher.find())
        {
            throw new IllegalStateException("no tx packet counter for " + device);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static void print(final String backend, final int frameLength, final String direction, final double[] pps)
    {
        System.out.printf(Locale.ROOT, "%-9s %-6s %-9s %,14.0f %,14.0f %8.2f %6.1f%%%n", backend, frameLength + " B",
            direction, pps[0], pps[1], pps[1] * frameLength * 8 / 1e9, Math.max(0, 100 * (1 - pps[1] / pps[0])));
    }

    /**
     * Counts frames without touching them, allocating nothing.
     */
    static final class CountingHandler implements FrameHandler
    {
        long frames;

        @Override
        public boolean onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            frames++;
            return true;
        }
    }
}
