package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.control.lab.NatgateJvm;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal in a child JVM, for what a test cannot do to its own: {@code write DIR} journals numbered
 * events as fast as it can and says how many every 10,000, until killed; {@code forward DIR N} translates N
 * UDP packets through a NAT engine whose events go through the event ring to the journal (which may be on
 * a tiny or read-only file system), then says what was forwarded, refused for the journal, written and lost.
 * Each packet opens a session (and the first 1,024 a mapping each). {@code lowdisk DIR} journals to DIR/journal,
 * opens 100 flows, fills DIR's file system with DIR/filler until the journal keeps no room for new mappings, sends
 * 1,000 new flows and the 100 existing ones again, deletes the filler and sends 100 new flows, saying what each
 * step forwarded and refused.
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

    public static void main(final String[] args) throws IOException
    {
        final Path directory = Path.of(args[1]);
        final JournalConfig config = new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0, true);
        final DatapathCounters counters = new DatapathCounters(2);
        final JournalWriter writer = JournalWriter.open(config, SystemNanoClock.INSTANCE, new SystemEpochNanoClock(),
            System.out);
        final NatConfig natConfig = new NatConfig().publicAddresses(PUBLIC).maxSessions(1 << 20).maxMappings(1 << 20)
            .sessionsPerClient(0).portsPerClient(0); // one client opens every session: no fair share here
        if (args[0].equals("write"))
        {
            writer.restore(new NatEngine(natConfig, NatEventListener.NONE, counters), natConfig, List.of(), counters);
            write(writer);
            return;
        }
        final Flows flows = new Flows(writer, natConfig, counters);
        if (args[0].equals("forward"))
        {
            final int packets = Integer.parseInt(args[2]);
            final int[] result = flows.send(0, packets, 1024);
            System.out.println("forwarded " + result[0] + " refused " + result[1] + " written " +
                writer.writtenEvents() + " lost " + writer.lostEvents() + " failure " + writer.failure());
        }
        else
        {
            lowDisk(flows, writer, directory.getParent().resolve("filler"));
        }
        writer.close();
        System.out.flush();
    }

    private static void lowDisk(final Flows flows, final JournalWriter writer, final Path filler) throws IOException
    {
        final int[] opened = flows.send(0, 100, 100);
        System.out.println("opened " + opened[0] + " refused " + opened[1]);
        final java.nio.file.FileStore store = Files.getFileStore(filler.getParent());
        final long target = (JournalWriter.FREE_SPACE_MARGIN_BYTES + JournalWriter.ADMISSION_MARGIN_BYTES) / 2;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(filler,
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate(1 << 16);
            while (store.getUsableSpace() - zeros.capacity() > target)
            {
                channel.write(zeros.clear());
            }
        }
        System.out.println("filled: " + store.getUsableSpace() + " bytes free");
        flows.housekeeping();
        final int[] low = flows.send(10_000, 1_000, 1_000);
        final int[] existing = flows.send(0, 100, 100);
        System.out.println("low: new flows forwarded " + low[0] + " refused " + low[1] + "; existing forwarded " +
            existing[0] + " refused " + existing[1]);
        Files.delete(filler);
        flows.housekeeping();
        final int[] room = flows.send(20_000, 100, 100);
        System.out.println("room: new flows forwarded " + room[0] + " refused " + room[1] + "; written " +
            writer.writtenEvents() + " lost " + writer.lostEvents() + " failure " + writer.failure());
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

    /**
     * A NAT engine whose events go through the event ring to the journal, restored (and so refusing new flows while
     * the journal cannot record them) by the writer.
     */
    private static final class Flows
    {
        private final JournalWriter writer;
        private final RingBuffer ring = new OneToOneRingBuffer(Rings.allocate(1 << 20));
        private final NatEventDecoder decoder = new NatEventDecoder(ring);
        private final NatEngine engine;
        private final byte[] payload = new byte[16];
        private long nowNs;

        Flows(final JournalWriter writer, final NatConfig natConfig, final DatapathCounters counters)
        {
            this.writer = writer;
            engine = new NatEngine(natConfig, new NatEventEncoder(ring, counters), counters);
            writer.restore(engine, natConfig, List.of(), counters);
        }

        /**
         * Sends packets {@code first} to {@code first + count - 1}: packet i from 10.0.0.2 port 1024 + i % ports to
         * a remote of its own, i / ports, a new session each (and a new mapping for each new port).
         *
         * @return packets forwarded and refused for the journal.
         */
        int[] send(final int first, final int count, final int ports)
        {
            final int[] result = new int[2];
            for (int i = first; i < first + count; i++)
            {
                final byte[] packet = PacketBuilder.udp(Ipv4.parse("10.0.0.2"), 1024 + (i % ports),
                    Ipv4.parse("198.51.100.0") + (i / ports), 53, payload);
                final int translated = engine.outbound(new UnsafeBuffer(packet), 0, packet.length, 0, nowNs++);
                result[0] += translated == NatEngine.FORWARD ? 1 : 0;
                result[1] += translated == NatEngine.drop(DropReason.JOURNAL_UNWRITABLE) ? 1 : 0;
                if ((i & 255) == 0)
                {
                    drain();
                }
            }
            drain();
            return result;
        }

        /**
         * Lets the writer's once-a-second housekeeping (its space check) run.
         */
        void housekeeping()
        {
            try
            {
                Thread.sleep(1_100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            drain();
        }

        private void drain()
        {
            decoder.drain(writer.natEvents(), Integer.MAX_VALUE);
            writer.doWork();
        }
    }
}
