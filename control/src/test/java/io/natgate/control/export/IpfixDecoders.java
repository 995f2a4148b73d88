package io.natgate.control.export;

import io.natgate.control.lab.Exec;
import io.natgate.control.lab.LabProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decoders nobody here wrote, run on what natgate exports: Debian's tshark (Wireshark's IPFIX dissector,
 * reading a pcap file of the datagrams) and nfdump (nfcapd collecting them over UDP, nfdump printing the NAT
 * event records as JSON).
 */
final class IpfixDecoders
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern JSON_FIELD = Pattern.compile("\"([a-z0-9_]+)\"\\s*:\\s*\"?([^\",\\n]*)\"?");

    private IpfixDecoders()
    {
    }

    /**
     * Writes the datagrams as IPv4/UDP packets (127.0.0.1:4739 to 127.0.0.1:{@code port}) into a pcap file
     * of raw IP (link type 101).
     */
    static Path pcap(final Path file, final List<byte[]> datagrams, final int port)
    {
        final ByteBuffer out = ByteBuffer.allocate(24 + datagrams.stream().mapToInt(d -> d.length + 16 + 28).sum())
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65_535).putInt(101);
        int second = 1;
        for (final byte[] datagram : datagrams)
        {
            final int length = 28 + datagram.length;
            out.putInt(second++).putInt(0).putInt(length).putInt(length);
            final ByteBuffer ip = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
            ip.put((byte)0x45).put((byte)0).putShort((short)length).putShort((short)0).putShort((short)0)
                .put((byte)64).put((byte)17).putShort((short)0).putInt(0x7f000001).putInt(0x7f000001);
            int sum = 0;
            for (int i = 0; i < 20; i += 2)
            {
                sum += ip.getShort(i) & 0xFFFF;
            }
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            ip.putShort(10, (short)~sum);
            ip.putShort((short)4739).putShort((short)port).putShort((short)(8 + datagram.length)).putShort((short)0);
            ip.put(datagram);
            out.put(ip.array());
        }
        try
        {
            return Files.write(file, java.util.Arrays.copyOf(out.array(), out.position()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return per packet, tshark's values of {@code fields} (each field's occurrences joined with ';').
     */
    static List<Map<String, String>> tshark(final Path pcap, final int port, final String... fields)
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-d",
            "udp.port==" + port + ",cflow", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E",
            "aggregator=;"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final Exec.Result result = Exec.run(TIMEOUT, command).check();
        final List<Map<String, String>> packets = new ArrayList<>();
        for (final String line : result.stdout().split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] values = line.split("\\|", -1);
            final Map<String, String> packet = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i++)
            {
                packet.put(fields[i], i < values.length ? values[i] : "");
            }
            packets.add(packet);
        }
        return packets;
    }

    /**
     * @return what tshark's expert info says is wrong with the capture (malformed packets), empty when nothing.
     */
    static String tsharkMalformed(final Path pcap, final int port)
    {
        return Exec.run(TIMEOUT, List.of("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==" + port + ",cflow",
            "-Y", "_ws.malformed || _ws.expert.severity >= warning")).check().stdout().strip();
    }

    /**
     * nfcapd listening on {@code address}:{@code port}, writing into {@code directory}.
     */
    static LabProcess nfcapd(final List<String> prefix, final String address, final int port, final Path directory)
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("nfcapd", "-b", address, "-p", String.valueOf(port), "-w", directory.toString(),
            "-t", "3600"));
        return LabProcess.start("nfcapd", command, directory, null);
    }

    /**
     * @return the records nfdump reads from {@code directory}, each its JSON fields by name.
     */
    static List<Map<String, String>> nfdump(final Path directory)
    {
        final Exec.Result result = Exec.run(TIMEOUT, List.of("nfdump", "-R", directory.toString(), "-o", "json",
            "-N")).check();
        final List<Map<String, String>> records = new ArrayList<>();
        for (final String object : result.stdout().split("}"))
        {
            final Map<String, String> record = new LinkedHashMap<>();
            final Matcher matcher = JSON_FIELD.matcher(object);
            while (matcher.find())
            {
                record.put(matcher.group(1), matcher.group(2).strip());
            }
            if (!record.isEmpty())
            {
                records.add(record);
            }
        }
        return records;
    }
}
