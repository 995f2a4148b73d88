package io.natgate.datapath.port;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapDumper;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLab;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.ForwarderConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.frame.ArpPacket;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.testing.Frames;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.testing.Packets.ip;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture-file ports: reading and writing alone, and a capture run through the pipeline and the
 * NAT engine into the translated capture. Needs no privileges.
 */
class PcapFilePortTest
{
    private static final long GW_IN = 0x0200_0000_0001L;
    private static final long GW_OUT = 0x0200_0000_0002L;
    private static final long CLIENT = 0x0200_0000_000AL;
    private static final long ROUTER = 0x0200_0000_000BL;
    private static final long START_MICROS = 1_700_000_000_000_000L;

    @TempDir
    Path directory;

    @Test
    void shouldReceiveEveryFrameOfCaptureInBurstsThenReportEndOfInput()
    {
        final Path input = directory.resolve("in.pcap");
        final byte[][] frames = FrameExchange.frames(GW_IN, CLIENT, 1000, 64, 1514, 200);
        write(input, LibPcap.DLT_EN10MB, frames);

        try (PcapFilePort port = PcapFilePort.open("lan", input, null, null, GW_IN, 1500, null))
        {
            assertEquals(LinkLayer.ETHERNET, port.linkLayer());
            assertEquals(GW_IN, port.macAddress());
            final List<byte[]> received = new ArrayList<>();
            int bursts = 0;
            while (!port.endOfInput())
            {
                final int count = port.receive((buffer, offset, length) ->
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    return received.add(copy);
                }, 32);
                assertTrue(count <= 32);
                bursts++;
            }
            assertEquals(1000, received.size());
            assertTrue(bursts >= 1000 / 32);
            for (int i = 0; i < frames.length; i++)
            {
                assertArrayEquals(frames[i], received.get(i));
            }
            assertEquals(START_MICROS + 999, port.lastTimestampMicros());
            assertEquals(0, port.receive((buffer, offset, length) -> true, 32));
        }
    }

    @Test
    void shouldWriteTransmittedFramesToCaptureTcpdumpReads()
    {
        final Path output = directory.resolve("out.pcap");
        final byte[][] frames = FrameExchange.frames(ROUTER, GW_OUT, 20, 64, 1518);
        try (PcapFilePort port = PcapFilePort.open("wan", null, output, LinkLayer.ETHERNET, GW_OUT, 1500,
            () -> START_MICROS))
        {
            for (final byte[] frame : frames)
            {
                assertTrue(port.transmit(new UnsafeBuffer(frame), 0, frame.length));
            }
            assertEquals(20, port.flush());
            assertEquals(0, port.flush());
            assertEquals(0, port.receive((buffer, offset, length) -> true, 32));
            assertTrue(port.endOfInput());
        }

        final String text = VethLab.run("tcpdump", "-r", output.toString(), "-nn", "-tt");
        assertEquals(20, text.strip().split("\n").length, text);
        assertTrue(text.startsWith("1700000000.000000 IP 198.51.100.10.40000 > 203.0.113.20.5000: UDP, length 22"), text);
    }

    @Test
    void shouldCarryRawIpCapturesAsRawIpPort()
    {
        final Path input = directory.resolve("raw-in.pcap");
        final Path output = directory.resolve("raw-out.pcap");
        final byte[] packet = TestFrames.rawIpUdp(5, 300);
        write(input, LibPcap.DLT_RAW, new byte[][]{ packet });

        try (PcapFilePort port = PcapFilePort.open("tun", input, output, null, 0, 1500, null))
        {
            assertEquals(LinkLayer.RAW_IP, port.linkLayer());
            assertEquals(0, port.macAddress());
            final byte[] received = PortExchange.poll(port);
            assertArrayEquals(packet, received);
            assertTrue(port.transmit(new UnsafeBuffer(received), 0, received.length));
        }

        try (Pcap written = Pcap.openOffline(output))
        {
            assertEquals(LibPcap.DLT_RAW, written.linkType());
            assertEquals(Pcap.PACKET, written.next());
            assertArrayEquals(packet, written.copyPacket());
            assertEquals(START_MICROS, written.timestampMicros(), "stamped with the time of the frame it read");
        }
    }

    @Test
    void shouldRefuseFrameLongerThanMtuAllows()
    {
        try (PcapFilePort port = PcapFilePort.open("wan", null, directory.resolve("x.pcap"), LinkLayer.ETHERNET,
            GW_OUT, 1500, null))
        {
            final byte[] jumbo = TestFrames.udp(ROUTER, GW_OUT, 1, 1519);

            assertFalse(port.transmit(new UnsafeBuffer(jumbo), 0, jumbo.length));
        }
    }

    @Test
    void shouldRejectCaptureOfLinkTypeNoPortCarries()
    {
        final Path cooked = directory.resolve("cooked.pcap");
        write(cooked, LibPcap.DLT_LINUX_SLL, new byte[][]{ new byte[40] });

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> PcapFilePort.open("lan", cooked, null, null, GW_IN, 1500, null));

        assertEquals("port lan: " + cooked + " has link type LINUX_SLL; a file port carries Ethernet (EN10MB) or " +
            "raw IP (RAW) frames", ex.getMessage());
    }

    @Test
    void shouldRunCaptureThroughNatPipelineAndWriteTranslatedCapture()
    {
        final Path insideIn = directory.resolve("inside-in.pcap");
        final Path outsideIn = directory.resolve("outside-in.pcap");
        final Path insideOut = directory.resolve("inside-out.pcap");
        final Path outsideOut = directory.resolve("outside-out.pcap");
        final int flows = 100;
        final byte[][] inside = new byte[flows + 2][];
        final byte[][] introduction = Frames.arpIntroduction(CLIENT, "10.0.0.2", GW_IN, "10.0.0.1");
        inside[0] = introduction[0];
        inside[1] = introduction[1];
        for (int i = 1; i <= flows; i++)
        {
            inside[i + 1] = Frames.ipv4(GW_IN, CLIENT,
                Packets.udp("10.0.0.2", 40_000 + i, "198.51.100.7", 53, ("query " + i).getBytes()));
        }
        write(insideIn, LibPcap.DLT_EN10MB, inside);
        write(outsideIn, LibPcap.DLT_EN10MB, Frames.arpIntroduction(ROUTER, "203.0.113.254", GW_OUT, "203.0.113.1"));

        try (PcapFilePort lan = PcapFilePort.replay("lan", insideIn, insideOut, GW_IN);
            PcapFilePort wan = PcapFilePort.replay("wan", outsideIn, outsideOut, GW_OUT);
            Pipeline pipeline = new Pipeline(new PipelineConfig().threadingMode(ThreadingMode.INVOKER), List.of(lan, wan)))
        {
            final NatEngine nat = new NatEngine(
                new NatConfig().publicAddresses(ip("203.0.113.1")), pipeline.workerEvents(), pipeline.counters());
            final Forwarder forwarder = new Forwarder(new ForwarderConfig().ports(List.of(
                new PortSettings(0, "lan", PortRole.INSIDE, LinkLayer.ETHERNET, GW_IN, 1500, ip("10.0.0.1"), 24, 0),
                new PortSettings(1, "wan", PortRole.OUTSIDE, LinkLayer.ETHERNET, GW_OUT, 1500, ip("203.0.113.1"), 24,
                    ip("203.0.113.254")))), nat, pipeline.counters());
            pipeline.start(forwarder, nat);
            final AgentInvoker invoker = pipeline.invoker();
            for (int cycle = 0; cycle < 10_000 && pipeline.counters().get(1, PortCounter.TX_FRAMES) < flows + 2; cycle++)
            {
                invoker.invoke();
            }
            assertTrue(lan.endOfInput() && wan.endOfInput());
        }

        final String translated = VethLab.run("tcpdump", "-r", outsideOut.toString(), "-nn", "-e", "udp");
        final String[] lines = translated.strip().split("\n");
        assertEquals(flows, lines.length, translated);
        for (final String line : lines)
        {
            assertTrue(line.contains("02:00:00:00:00:02 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800)"), line);
            assertTrue(line.contains(": 203.0.113.1."), line);
            assertTrue(line.contains(" > 198.51.100.7.53: "), line);
        }
        final String arpReplies = VethLab.run("tcpdump", "-r", insideOut.toString(), "-nn", "arp");
        assertTrue(arpReplies.contains("Reply 10.0.0.1 is-at 02:00:00:00:00:01"), arpReplies);
    }

    private static void write(final Path file, final int linkType, final byte[][] frames)
    {
        try (PcapDumper dumper = PcapDumper.create(file, linkType, 65535))
        {
            final MemorySegment staging = dumper.stagingBuffer();
            for (int i = 0; i < frames.length; i++)
            {
                MemorySegment.copy(frames[i], 0, staging, JAVA_BYTE, 0, frames[i].length);
                dumper.dump(frames[i].length, START_MICROS + i);
            }
        }
    }
}
