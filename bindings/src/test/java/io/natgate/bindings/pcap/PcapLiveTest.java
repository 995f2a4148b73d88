package io.natgate.bindings.pcap;

import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLabExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live libpcap capture and injection on a veth pair in a namespace of the test's own.
 */
class PcapLiveTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();
    private static long macA;
    private static long macB;

    @TempDir
    Path directory;

    @BeforeAll
    static void readMacs()
    {
        macA = LAB.lab().mac(LAB.lab().endA());
        macB = LAB.lab().mac(LAB.lab().endB());
    }

    @Test
    void shouldCaptureInjectedFramesByteIdenticalAcrossVethPairInBothDirections()
    {
        try (Pcap a = open(LAB.lab().endA(), o -> { });
            Pcap b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[][] aToB = FrameExchange.frames(macB, macA, 3000, 60, 64, 128, 1500, 1514, 333);
            final byte[][] bToA = FrameExchange.frames(macA, macB, 3000, 1514, 64, 777, 60);

            assertEquals(3000, FrameExchange.exchange(f -> inject(a, f), () -> { }, () -> poll(b), aToB, 128));
            assertEquals(3000, FrameExchange.exchange(f -> inject(b, f), () -> { }, () -> poll(a), bToA, 128));

            final PcapStats stats = b.stats(new PcapStats());
            assertTrue(stats.received() >= 3000, stats::toString);
            assertEquals(0, stats.dropped(), stats::toString);
        }
    }

    @Test
    void shouldNotCaptureOwnInjectionsWhenDirectionIsIn()
    {
        try (Pcap a = open(LAB.lab().endA(), o -> { });
            Pcap b = open(LAB.lab().endB(), o -> { }))
        {
            assertTrue(inject(a, TestFrames.udp(macB, macA, 0, 100)));

            assertEquals(0, TestFrames.sequenceOf(awaitFrame(b), 100));
            assertNull(pollFor(a, 50));
        }
    }

    @Test
    void shouldKeepOtherHandlesTransmissionsOutOfReceiveRingWhenDirectionIsIn()
    {
        try (Pcap receiving = open(LAB.lab().endA(), o -> { });
            Pcap transmitting = open(LAB.lab().endA(), o -> o.direction(LibPcap.PCAP_D_INOUT));
            Pcap b = open(LAB.lab().endB(), o -> { }))
        {
            final byte[][] frames = FrameExchange.frames(macB, macA, 2000, 64, 1514);
            assertEquals(2000, FrameExchange.exchange(f -> inject(transmitting, f), () -> { }, () -> poll(b), frames, 128));

            assertEquals(0, receiving.stats(new PcapStats()).received(), "the kernel queued outgoing frames");
            assertNull(poll(receiving));
        }
    }

    @Test
    void shouldDeliverOnlyFramesMatchingBpfFilter()
    {
        try (Pcap a = open(LAB.lab().endA(), o -> { });
            Pcap b = open(LAB.lab().endB(), o -> o.filter("ip and udp and greater 500")))
        {
            for (int i = 0; i < 20; i++)
            {
                assertTrue(inject(a, TestFrames.udp(macB, macA, i, i % 2 == 0 ? 100 : 1000)));
            }

            for (int i = 1; i < 20; i += 2)
            {
                assertEquals(i, TestFrames.sequenceOf(awaitFrame(b), 1000));
            }
            assertNull(pollFor(b, 50));
        }
    }

    @Test
    void shouldReadCaptureFileWrittenByTcpdumpFromLiveTraffic() throws Exception
    {
        final Path file = directory.resolve("by-tcpdump.pcap");
        final Process tcpdump = LAB.lab().start("tcpdump", "-i", LAB.lab().endB(), "-w", file.toString(), "-U", "-c", "200",
            "-Q", "in", "udp");
        try (Pcap a = open(LAB.lab().endA(), o -> { }))
        {
            awaitListening(tcpdump);
            final byte[][] frames = FrameExchange.frames(macB, macA, 200, 64, 1514, 300);
            for (final byte[] frame : frames)
            {
                assertTrue(inject(a, frame));
                Thread.sleep(0, 200_000);
            }
            assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS), "tcpdump did not capture 200 frames");
            assertEquals(0, tcpdump.exitValue());

            final List<byte[]> read = PcapFileTest.readAll(file);
            assertEquals(200, read.size());
            for (int i = 0; i < frames.length; i++)
            {
                assertArrayEquals(frames[i], read.get(i), "frame " + i);
            }
        }
        finally
        {
            tcpdump.destroyForcibly();
        }
    }

    @Test
    void shouldFailWithNoSuchDeviceForUnknownInterface()
    {
        final PcapException ex = assertThrows(PcapException.class, () -> open("ngnosuch0", o -> { }));

        assertEquals(LibPcap.PCAP_ERROR_NO_SUCH_DEVICE, ex.status());
        assertEquals("pcap_activate(ngnosuch0): No such device exists", ex.getMessage());
    }

    @Test
    void shouldRejectBadFilterOnLiveHandleWithLibpcapText()
    {
        final PcapException ex = assertThrows(PcapException.class, () -> open(LAB.lab().endB(), o -> o.filter("tcp port 99999")));

        assertEquals("pcap_compile(" + LAB.lab().endB() + ", \"tcp port 99999\"): illegal port number 99999 > 65535",
            ex.getMessage());
    }

    @Test
    void shouldRejectBadOptionsNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> open(LAB.lab().endA(), o -> o.snapLength(10)));

        assertTrue(ex.getMessage().contains("snapLength=10"), ex.getMessage());
    }

    static Pcap open(final String device, final Consumer<PcapOptions> customise)
    {
        final PcapOptions options = new PcapOptions().device(device).direction(LibPcap.PCAP_D_IN)
            .snapLength(2048).bufferSizeBytes(2 * 1024 * 1024);
        customise.accept(options);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            return Pcap.openLive(options);
        }
    }

    static boolean inject(final Pcap pcap, final byte[] frame)
    {
        MemorySegment.copy(frame, 0, pcap.transmitBuffer(), JAVA_BYTE, 0, frame.length);
        return pcap.inject(frame.length);
    }

    static byte[] poll(final Pcap pcap)
    {
        return pcap.next() == Pcap.PACKET ? pcap.copyPacket() : null;
    }

    static byte[] pollFor(final Pcap pcap, final int timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        do
        {
            final byte[] frame = poll(pcap);
            if (frame != null && TestFrames.sequenceOf(frame, frame.length) >= 0)
            {
                return frame;
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() - deadlineNs < 0);
        return null;
    }

    static byte[] awaitFrame(final Pcap pcap)
    {
        final byte[] frame = pollFor(pcap, 5000);
        if (frame == null)
        {
            throw new AssertionError("no frame within 5 s on " + pcap);
        }
        return frame;
    }

    private static void awaitListening(final Process tcpdump) throws Exception
    {
        final BufferedReader stderr = new BufferedReader(new InputStreamReader(tcpdump.getErrorStream(), StandardCharsets.UTF_8));
        final String line = stderr.readLine();
        if (line == null || !line.contains("listening on"))
        {
            throw new AssertionError("tcpdump did not start: " + line);
        }
    }
}
