package io.natgate.bindings.pcap;

import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offline capture files: our writer and reader round trip, and tcpdump reads ours (tcpdump's
 * own capture of live traffic is read in {@link PcapLiveTest}). Needs no privileges.
 */
class PcapFileTest
{
    private static final long MAC_A = 0x02_00_5E_00_00_0AL;
    private static final long MAC_B = 0x02_00_5E_00_00_0BL;
    private static final long FIRST_TIMESTAMP_MICROS = 1_700_000_000_123_456L;

    @TempDir
    Path directory;

    @Test
    void shouldReadBackFramesWrittenToPcapFileByteIdenticalWithTimestamps()
    {
        final Path file = directory.resolve("round-trip.pcap");
        final byte[][] frames = FrameExchange.frames(MAC_B, MAC_A, 2000, 60, 64, 1514, 9018, 333);
        write(file, frames);

        try (Pcap pcap = Pcap.openOffline(file))
        {
            assertEquals(LibPcap.DLT_EN10MB, pcap.linkType());
            for (int i = 0; i < frames.length; i++)
            {
                assertEquals(Pcap.PACKET, pcap.next(), "frame " + i);
                assertArrayEquals(frames[i], pcap.copyPacket(), "frame " + i);
                assertEquals(frames[i].length, pcap.wireLength());
                assertEquals(FIRST_TIMESTAMP_MICROS + i * 1001L, pcap.timestampMicros());
            }
            assertEquals(Pcap.END_OF_FILE, pcap.next());
        }
    }

    @Test
    void shouldRecordSnappedFramesWithTheirWireLength()
    {
        final Path file = directory.resolve("snapped.pcap");
        final byte[] frame = TestFrames.udp(MAC_B, MAC_A, 1, 1000);
        try (PcapDumper dumper = PcapDumper.create(file, LibPcap.DLT_EN10MB, 128))
        {
            MemorySegment.copy(frame, 0, dumper.stagingBuffer(), JAVA_BYTE, 0, 128);
            dumper.dump(1000, FIRST_TIMESTAMP_MICROS);
        }

        try (Pcap pcap = Pcap.openOffline(file))
        {
            assertEquals(Pcap.PACKET, pcap.next());
            assertEquals(128, pcap.capturedLength());
            assertEquals(1000, pcap.wireLength());
        }
    }

    @Test
    void shouldWriteRawIpCaptureFiles()
    {
        final Path file = directory.resolve("raw.pcap");
        final byte[] packet = TestFrames.rawIpUdp(3, 200);
        try (PcapDumper dumper = PcapDumper.create(file, LibPcap.DLT_RAW, 65535))
        {
            MemorySegment.copy(packet, 0, dumper.stagingBuffer(), JAVA_BYTE, 0, packet.length);
            dumper.dump(packet.length, FIRST_TIMESTAMP_MICROS);
        }

        try (Pcap pcap = Pcap.openOffline(file))
        {
            assertEquals(LibPcap.DLT_RAW, pcap.linkType());
            assertEquals(Pcap.PACKET, pcap.next());
            assertArrayEquals(packet, pcap.copyPacket());
        }
    }

    @Test
    void shouldHaveTcpdumpReadOurCaptureFile() throws IOException
    {
        final Path file = directory.resolve("for-tcpdump.pcap");
        final byte[][] frames = FrameExchange.frames(MAC_B, MAC_A, 50, 64, 1514);
        write(file, frames);

        final String text = VethLab.run("tcpdump", "-r", file.toString(), "-nn", "-e", "-tt");
        final String[] lines = text.strip().split("\n");
        assertEquals(50, lines.length, text);
        assertTrue(lines[0].startsWith("1700000000.123456 02:00:5e:00:00:0a > 02:00:5e:00:00:0b, ethertype IPv4 (0x0800), length 64: " +
            "198.51.100.10.40000 > 203.0.113.20.5000: UDP, length 22"), lines[0]);
        assertTrue(lines[1].contains("length 1514: 198.51.100.10.40000 > 203.0.113.20.5000: UDP, length 1472"), lines[1]);

        // tcpdump's own copy of our file reads back byte-identical through us.
        final Path copy = directory.resolve("tcpdump-copy.pcap");
        VethLab.run("tcpdump", "-r", file.toString(), "-w", copy.toString());
        assertEquals(List.of(frames).stream().map(f -> f.length).toList(), readAll(copy).stream().map(f -> f.length).toList());
        final List<byte[]> read = readAll(copy);
        for (int i = 0; i < frames.length; i++)
        {
            assertArrayEquals(frames[i], read.get(i));
        }
        assertTrue(Files.size(copy) > 0);
    }

    @Test
    void shouldFailWithLibpcapTextForMissingFile()
    {
        final Path missing = directory.resolve("missing.pcap");

        final PcapException ex = assertThrows(PcapException.class, () -> Pcap.openOffline(missing));

        assertEquals("pcap_open_offline(" + missing + "): " + missing + ": No such file or directory", ex.getMessage());
    }

    @Test
    void shouldFailWithLibpcapTextForFileThatIsNotACapture() throws IOException
    {
        final Path garbage = Files.writeString(directory.resolve("garbage.pcap"), "this is not a capture file at all");

        final PcapException ex = assertThrows(PcapException.class, () -> Pcap.openOffline(garbage));

        assertTrue(ex.getMessage().contains("unknown file format"), ex.getMessage());
    }

    @Test
    void shouldFailWithLibpcapTextWhenDumpFileCannotBeCreated()
    {
        final Path impossible = directory.resolve("no-such-dir").resolve("out.pcap");

        final PcapException ex = assertThrows(PcapException.class,
            () -> PcapDumper.create(impossible, LibPcap.DLT_EN10MB, 65535));

        assertTrue(ex.getMessage().contains("No such file or directory"), ex.getMessage());
    }

    @Test
    void shouldRejectBadFilterWithLibpcapSyntaxError()
    {
        try (Pcap pcap = Pcap.openDead(LibPcap.DLT_EN10MB, 65535))
        {
            final PcapException ex = assertThrows(PcapException.class, () -> pcap.setFilter("udp port and ("));

            assertTrue(ex.getMessage().startsWith("pcap_compile(dead:1, \"udp port and (\"): "), ex.getMessage());
            assertTrue(ex.getMessage().contains("syntax error"), ex.getMessage());
        }
    }

    @Test
    void shouldReportLibraryVersionAndLinkTypeNames()
    {
        assertTrue(Pcap.libraryVersion().startsWith("libpcap version 1."), Pcap.libraryVersion());
        assertEquals("EN10MB", Pcap.linkTypeName(LibPcap.DLT_EN10MB));
        assertEquals("RAW", Pcap.linkTypeName(LibPcap.DLT_RAW));
    }

    @Test
    void shouldListLoopbackAmongDevices()
    {
        final List<PcapDevice> devices = Pcap.findAllDevices();

        final PcapDevice loopback = devices.stream().filter(d -> d.name().equals("lo")).findFirst().orElseThrow();
        assertTrue(loopback.isLoopback());
        assertTrue(loopback.addresses().stream().anyMatch(a -> a.isLoopbackAddress()), loopback.toString());
    }

    static void write(final Path file, final byte[][] frames)
    {
        try (PcapDumper dumper = PcapDumper.create(file, LibPcap.DLT_EN10MB, 65535))
        {
            for (int i = 0; i < frames.length; i++)
            {
                MemorySegment.copy(frames[i], 0, dumper.stagingBuffer(), JAVA_BYTE, 0, frames[i].length);
                dumper.dump(frames[i].length, FIRST_TIMESTAMP_MICROS + i * 1001L);
            }
        }
    }

    static List<byte[]> readAll(final Path file)
    {
        final List<byte[]> frames = new ArrayList<>();
        try (Pcap pcap = Pcap.openOffline(file))
        {
            while (pcap.next() == Pcap.PACKET)
            {
                frames.add(pcap.copyPacket());
            }
        }
        return frames;
    }
}
