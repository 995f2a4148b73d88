package io.natgate.control.journal;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.JournalConfig;
import io.natgate.control.config.StaticMapping;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import io.natgate.datapath.pipeline.NatEventDecoder;
import io.natgate.datapath.pipeline.NatEventEncoder;
import io.natgate.datapath.pipeline.Rings;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay determinism: a NAT engine driven by TCP and UDP traffic (sessions made, refreshed, closed and
 * expired, a port forward used from outside) journals through the real path (worker's event ring, the
 * writer, Chronicle Queue); replaying the journal yields the digest of the engine's own mapping and
 * session tables, and so does a warm restart into a fresh engine, then and ten minutes later.
 */
class ReplayDeterminismTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long EPOCH_OFFSET_NS = 1_763_000_000_000_000_000L;
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int SERVER = Ipv4.parse("10.0.0.200");
    private static final StaticMapping FORWARD = new StaticMapping(6, new Ipv4Endpoint(PUBLIC, 8080),
        new Ipv4Endpoint(SERVER, 80));
    private static final byte[] PAYLOAD = {1, 2, 3};

    @TempDir
    Path directory;

    private long nowNs = 5 * SECOND_NS;
    private final DatapathCounters counters = new DatapathCounters(2);
    private final RingBuffer ring = new OneToOneRingBuffer(Rings.allocate(1 << 20));
    private final NatEventDecoder decoder = new NatEventDecoder(ring);
    private final NatEngine engine = new NatEngine(config(), new NatEventEncoder(ring, counters), counters);
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream());

    private static NatConfig config()
    {
        return new NatConfig().publicAddresses(PUBLIC).maxSessions(8192).maxMappings(8192);
    }

    private void out(final byte[] packet)
    {
        assertEquals(NatEngine.FORWARD, engine.outbound(new UnsafeBuffer(packet), 0, packet.length, 0, nowNs));
    }

    private void in(final byte[] packet)
    {
        assertEquals(NatEngine.FORWARD, engine.inbound(new UnsafeBuffer(packet), 0, packet.length, 1, nowNs));
    }

    private int publicPort(final int host, final int port)
    {
        final int[] found = new int[1];
        engine.forEachMapping((protocol, insideAddress, insidePort, publicAddress, publicPort, kind, sessions,
            deadlineNs) ->
        {
            if (protocol == 6 && insideAddress == host && insidePort == port)
            {
                found[0] = publicPort;
            }
        });
        return found[0];
    }

    private void step(final JournalWriter writer, final long seconds)
    {
        nowNs += seconds * SECOND_NS;
        engine.expire(nowNs, Integer.MAX_VALUE);
        decoder.drain(writer.natEvents(), Integer.MAX_VALUE);
    }

    @Test
    void shouldRebuildTheEnginesTablesFromTheJournalByReplayAndByWarmRestart()
    {
        final Random random = new Random(7);
        final JournalWriter writer = JournalWriter.open(new JournalConfig(directory, JournalConfig.RollCycle.DAILY, 0,
            true), () -> nowNs, () -> nowNs + EPOCH_OFFSET_NS, log);
        writer.restore(new NatEngine(config(), NatEventListener.NONE, counters), config(), List.of(FORWARD), counters);
        engine.commandTimeNs(nowNs);
        FORWARD.addTo(engine, 1);
        for (int minute = 0; minute < 20; minute++)
        {
            for (int flow = 0; flow < 40; flow++)
            {
                final int host = Ipv4.parse("10.0.0.1") + random.nextInt(60);
                final int remote = Ipv4.parse("198.51.100.1") + random.nextInt(8);
                final int port = 1024 + random.nextInt(200);
                if (random.nextBoolean())
                {
                    out(PacketBuilder.udp(host, port, remote, 53, PAYLOAD));
                }
                else
                {
                    out(PacketBuilder.tcp(host, port, remote, 443, 1, 0, TcpSegment.SYN, PAYLOAD));
                    final int publicPort = publicPort(host, port);
                    if (random.nextInt(3) > 0)
                    {
                        in(PacketBuilder.tcp(remote, 443, PUBLIC, publicPort, 1, 2,
                            TcpSegment.SYN | TcpSegment.ACK, PAYLOAD));
                    }
                    if (random.nextInt(5) == 0)
                    {
                        out(PacketBuilder.tcp(host, port, remote, 443, 2, 2, TcpSegment.FIN | TcpSegment.ACK, PAYLOAD));
                    }
                }
                step(writer, 1);
            }
            in(PacketBuilder.tcp(Ipv4.parse("192.0.2.1") + minute, 40_000, PUBLIC, 8080, 1, 0, TcpSegment.SYN,
                PAYLOAD));
            step(writer, 20);
        }
        final String mappings = JournalState.mappingDigest(engine);
        final String sessions = JournalState.sessionDigest(engine);
        writer.close();
        assertTrue(engine.mappingCount() > 50 && engine.sessionCount() > engine.mappingCount(),
            engine.mappingCount() + " mappings, " + engine.sessionCount() + " sessions");
        assertTrue(counters.get(io.natgate.datapath.counters.GlobalCounter.SESSIONS_EXPIRED) > 100, "some expired");

        try (Journal journal = Journal.openForReading(directory))
        {
            final JournalState replayed = new JournalState();
            journal.read(replayed, 0, Journal.Until.END, null);
            assertEquals(mappings, replayed.mappingDigest());
            assertEquals(sessions, replayed.sessionDigest());

            final NatEngine restarted = new NatEngine(config(), NatEventListener.NONE, counters);
            final WarmRestart.Result result = new WarmRestart(config(), List.of(FORWARD))
                .restore(journal, restarted, 1_000, nowNs + EPOCH_OFFSET_NS);
            assertEquals(mappings, JournalState.mappingDigest(restarted));
            assertEquals(sessions, JournalState.sessionDigest(restarted));
            assertEquals(engine.mappingCount(), result.mappings());
            assertEquals(engine.sessionCount(), result.sessions());
            assertEquals(List.of(FORWARD), List.copyOf(result.statics()));

            // ten minutes on, what the gateway would have expired by then is not restored either
            final long laterNs = nowNs + 600 * SECOND_NS;
            engine.expire(laterNs, Integer.MAX_VALUE);
            final NatEngine later = new NatEngine(config(), NatEventListener.NONE, counters);
            new WarmRestart(config(), List.of(FORWARD)).restore(journal, later, 1_000, laterNs + EPOCH_OFFSET_NS);
            assertNotEquals(sessions, JournalState.sessionDigest(engine), "some expired in ten minutes");
            assertEquals(JournalState.sessionDigest(engine), JournalState.sessionDigest(later));
            assertEquals(JournalState.mappingDigest(engine), JournalState.mappingDigest(later));
        }
    }
}
