package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.control.lab.NatgateJvm;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.NatEventDecoder;
import io.natgate.datapath.pipeline.NatEventEncoder;
import io.natgate.datapath.pipeline.Rings;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal in a child JVM, for what a test cannot do to its own: {@code write DIR} journals numbered
 * events as fast as it can and says how many every 10,000, until killed; {@code forward DIR N} translates N
 * UDP packets through a NAT engine whose events go through the event ring to the journal (which may be on
 * a tiny or read-only file system), then says what was forwarded, written and lost. Each packet opens a
 * session (and the first 1,024 a mapping each).
 */
public final class JournalChild
{
    static final int PUBLIC = Ipv4.parse("203.0.113.1");

    private JournalChild()
    {
    }

    /**
     * @return the command that runs it with this JVM's java, jvm.options and class path.
     */
    static List<String> command(final String... arguments)
    {
        return command(JournalChild.class, arguments);
    }

    /**
     * @return the command that runs {@code main} with this JVM's java, jvm.options and class path.
     */
    public static List<String> command(final Class<?> main, final String... arguments)
    {
        final NatgateJvm jvm = NatgateJvm.current();
        final List<String> command = new ArrayList<>(List.of(jvm.java(), "@" + jvm.jvmOptions(), "-cp", jvm.classPath(),
            main.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    public static void main(final String[] args)
    {
        final Path directory = Path.of(args[1]);
        final JournalConfig config = new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, true);
        final DatapathCounters counters = new DatapathCounters(2);
        final JournalWriter writer = JournalWriter.open(config, SystemNanoClock.INSTANCE, new SystemEpochNanoClock(),
            System.out);
        final NatConfig natConfig = new NatConfig().publicAddresses(PUBLIC).maxSessions(1 << 20).maxMappings(1 << 20)
            .sessionsPerClient(0); // one client opens every session: no fair share here
        writer.restore(new NatEngine(natConfig, NatEventListener.NONE, counters), natConfig, List.of(), counters);
        if (args[0].equals("write"))
        {
            write(writer);
        }
        else
        {
            forward(writer, natConfig, counters, Integer.parseInt(args[2]));
        }
    }

    /**
     * Mapping created events numbered by their inside address and port: event i has 10.0.0.0 + i / 65536 and
     * port i % 65536, so a reader can check it sees 0, 1, 2, ... with none torn or missing.
     */
    private static void write(final JournalWriter writer)
    {
        final NatEventListener events = writer.natEvents();
        for (long i = 0; ; i++)
        {
            events.onMappingCreated(i, 17, Ipv4.parse("10.0.0.0") + (int)(i >>> 16), (int)(i & 0xFFFF), PUBLIC,
                (int)(i & 0xFFFF), MappingKind.DYNAMIC.id());
            if (i % 10_000 == 9_999)
            {
                System.out.println("written " + (i + 1));
                System.out.flush();
            }
        }
    }

    private static void forward(
        final JournalWriter writer, final NatConfig natConfig, final DatapathCounters counters, final int packets)
    {
        final RingBuffer ring = new OneToOneRingBuffer(Rings.allocate(1 << 20));
        final NatEventDecoder decoder = new NatEventDecoder(ring);
        final NatEngine engine = new NatEngine(natConfig, new NatEventEncoder(ring, counters), counters);
        int forwarded = 0;
        final byte[] payload = new byte[16];
        for (int i = 0; i < packets; i++)
        {
            // 1,024 mappings, each a new session per packet: a new remote endpoint every time
            final byte[] packet = PacketBuilder.udp(Ipv4.parse("10.0.0.2"), 1024 + (i & 1023),
                Ipv4.parse("198.51.100.0") + (i >>> 10), 53, payload);
            if (engine.outbound(new UnsafeBuffer(packet), 0, packet.length, 0, i) == NatEngine.FORWARD)
            {
                forwarded++;
            }
            if ((i & 255) == 0)
            {
                decoder.drain(writer.natEvents(), Integer.MAX_VALUE);
                writer.doWork();
            }
        }
        decoder.drain(writer.natEvents(), Integer.MAX_VALUE);
        System.out.println("forwarded " + forwarded + " written " + writer.writtenEvents() + " lost " +
            writer.lostEvents() + " failure " + writer.failure());
        writer.close();
        System.out.flush();
    }
}
