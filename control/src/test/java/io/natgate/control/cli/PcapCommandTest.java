package io.natgate.control.cli;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapDumper;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code natgate pcap} on captures made here (libpcap offline, no privileges): what the example config's gateway
 * sends out of the other port, translated, each frame stamped with the time of the frame that caused it.
 */
@EnabledOnOs(OS.LINUX)
class PcapCommandTest
{
    /** The gateway the captures were taken in front of, as a field capture would have it. */
    private static final long FIELD_GATEWAY_MAC = 0x02AA_BBCC_DD01L;
    private static final long CLIENT_MAC = 0x02AA_BBCC_DD02L;
    private static final long ROUTER_MAC = 0x02AA_BBCC_DD03L;
    private static final int CLIENT = Ipv4.parse("10.0.0.2");
    private static final int SERVER = Ipv4.parse("198.51.100.7");
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final long T0_MICROS = 1_767_225_600_250_000L; // 2026-01-01T00:00:00.25Z

    @TempDir
    Path directory;

    private Path config;
    private Environment environment;

    /** A frame as the capture holds it. */
    private record Captured(long timestampMicros, byte[] frame)
    {
        int source()
        {
            return new UnsafeBuffer(frame).getInt(EthernetFrame.HEADER_LENGTH + 12, ByteOrder.BIG_ENDIAN);
        }

        int destination()
        {
            return new UnsafeBuffer(frame).getInt(EthernetFrame.HEADER_LENGTH + 16, ByteOrder.BIG_ENDIAN);
        }

        int destinationPort()
        {
            return new UnsafeBuffer(frame).getShort(EthernetFrame.HEADER_LENGTH + 22, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        int etherType()
        {
            return new UnsafeBuffer(frame).getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        long destinationMac()
        {
            return (new UnsafeBuffer(frame).getInt(0, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16 |
                (new UnsafeBuffer(frame).getShort(4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        }
    }

    @BeforeEach
    void files() throws IOException
    {
        config = Files.copy(TestHosts.repositoryFile("config/natgate.example.yaml"), directory.resolve("natgate.yaml"));
        environment = TestHosts.smallLinux(TestHosts.labInterfaces(directory.resolve("sys")));
    }

    @Test
    void shouldWriteAnInsideCaptureTranslatedToTheOutsideFileWithEachFramesOwnTime() throws IOException
    {
        final Path inside = write("inside.pcap",
            new Captured(T0_MICROS, fromClient(PacketBuilder.udp(CLIENT, 40_000, SERVER, 53, new byte[20]))),
            new Captured(T0_MICROS + 1_500_123, fromClient(PacketBuilder.udp(CLIENT, 40_000, SERVER, 53, new byte[30]))),
            new Captured(T0_MICROS + 90_000_007, fromClient(PacketBuilder.udp(CLIENT, 40_001, SERVER, 123, new byte[8]))));
        final Path outside = directory.resolve("outside.pcap");

        final StringWriter out = new StringWriter();
        final int status = run(out, "--config", config.toString(), "--inside", inside.toString(), "--outside",
            outside.toString());

        assertEquals(0, status, out.toString());
        final List<Captured> udp = read(outside).stream().filter(frame -> frame.etherType() == 0x0800).toList();
        assertEquals(List.of(T0_MICROS, T0_MICROS + 1_500_123, T0_MICROS + 90_000_007),
            udp.stream().map(Captured::timestampMicros).toList());
        assertTrue(udp.stream().allMatch(frame -> frame.source() == PUBLIC && frame.destination() == SERVER), "" + udp);
        assertEquals(List.of(53, 53, 123), udp.stream().map(Captured::destinationPort).toList());
        assertTrue(out.toString().startsWith("natgate pcap: 3 frames read from " + inside + " (inside)"), out.toString());
    }

    @Test
    void shouldReplayAnOutsideCaptureThroughThePortForwardIntoTheInsideFile() throws IOException
    {
        // the example config forwards tcp 203.0.113.1:8080 to 10.0.0.3:80, and its rules let inbound TCP 80-443 in
        final Path outside = write("outside.pcap", new Captured(T0_MICROS + 42, PacketBuilder.ethernet(
            FIELD_GATEWAY_MAC, ROUTER_MAC, EthernetFrame.ETHERTYPE_IPV4,
            PacketBuilder.tcp(SERVER, 5555, PUBLIC, 8080, 1, 0, TcpSegment.SYN, new byte[0]))));
        final Path inside = directory.resolve("inside.pcap");

        final StringWriter out = new StringWriter();
        final int status = run(out, "--config", config.toString(), "--inside", inside.toString(), "--outside",
            outside.toString(), "--from", "outside");

        assertEquals(0, status, out.toString());
        final List<Captured> ip = read(inside).stream().filter(frame -> frame.etherType() == 0x0800).toList();
        assertEquals(1, ip.size(), ip.toString());
        assertEquals(T0_MICROS + 42, ip.getFirst().timestampMicros());
        assertEquals(Ipv4.parse("10.0.0.3"), ip.getFirst().destination());
        assertEquals(80, ip.getFirst().destinationPort());
        assertTrue(out.toString().contains("static mapping tcp 203.0.113.1:8080 -> 10.0.0.3:80: applied"),
            out.toString());
    }

    @Test
    void shouldRefuseACaptureThatIsNotEthernetInOneLine() throws IOException
    {
        final Path raw = directory.resolve("raw.pcap");
        try (PcapDumper dumper = PcapDumper.create(raw, LibPcap.DLT_RAW, 65_535))
        {
            final byte[] packet = PacketBuilder.udp(CLIENT, 1, SERVER, 2, new byte[1]);
            dumper.stagingBuffer().copyFrom(java.lang.foreign.MemorySegment.ofArray(packet));
            dumper.dump(packet.length, T0_MICROS);
        }
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setErr(new PrintWriter(err));
        commandLine.setOut(new PrintWriter(new StringWriter()));

        final int status = commandLine.execute("pcap", "--config", config.toString(), "--inside", raw.toString(),
            "--outside", directory.resolve("o.pcap").toString());

        assertEquals(1, status);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("Ethernet"), err.toString());
    }

    private int run(final StringWriter out, final String... arguments)
    {
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setOut(new PrintWriter(out));
        final List<String> command = new ArrayList<>(List.of("pcap"));
        command.addAll(List.of(arguments));
        return commandLine.execute(command.toArray(String[]::new));
    }

    private static byte[] fromClient(final byte[] packet)
    {
        return PacketBuilder.ethernet(FIELD_GATEWAY_MAC, CLIENT_MAC, EthernetFrame.ETHERTYPE_IPV4, packet);
    }

    private Path write(final String name, final Captured... frames)
    {
        final Path file = directory.resolve(name);
        try (PcapDumper dumper = PcapDumper.create(file, LibPcap.DLT_EN10MB, 65_535))
        {
            for (final Captured frame : frames)
            {
                dumper.stagingBuffer().copyFrom(java.lang.foreign.MemorySegment.ofArray(frame.frame()));
                dumper.dump(frame.frame().length, frame.timestampMicros());
            }
        }
        return file;
    }

    private static List<Captured> read(final Path file)
    {
        final List<Captured> frames = new ArrayList<>();
        try (Pcap pcap = Pcap.openOffline(file))
        {
            while (pcap.next() == Pcap.PACKET)
            {
                frames.add(new Captured(pcap.timestampMicros(), pcap.copyPacket()));
            }
        }
        return frames;
    }
}
