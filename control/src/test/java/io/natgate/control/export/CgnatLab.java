package io.natgate.control.export;

import io.natgate.control.cli.Natgate;
import io.natgate.control.config.Backend;
import io.natgate.control.journal.JournalChild;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.Json;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabProcess;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lab for the CGNAT tests: natgate exporting IPFIX and syslog in-band from its public address to the server
 * namespace, where nfcapd (Debian's nfdump) collects the IPFIX, tcpdump captures it for tshark, and a plain UDP
 * socket prints the syslog lines. {@link #close()} removes everything, however far set-up got.
 */
final class CgnatLab implements AutoCloseable
{
    static final int IPFIX_PORT = 4739;
    static final int SYSLOG_PORT = 5514;
    static final int DISCARD_PORT = 9;
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern JSON_TEXT = Pattern.compile("\"([A-Za-z]+)\":\"?([^\",}]*)\"?");

    private final Path directory = LabFiles.temporaryDirectory("natgate-cgnat");
    private final Path flows = directory.resolve("flows");
    private final Path capture = directory.resolve("ipfix.pcap");
    private final Path config = directory.resolve(LabGatewayConfig.FILE_NAME);
    private Lab lab;
    private LabProcess nfcapd;
    private LabProcess tcpdump;
    private LabProcess syslog;
    private LabGateway gateway;

    /**
     * Brings the lab up with the collectors running and natgate started with the lab's config changed by
     * {@code nat} (lines put under {@code nat:}) and exporting to the server.
     */
    static CgnatLab start(final String tag, final String natLines, final boolean deterministic)
    {
        final CgnatLab fixture = new CgnatLab();
        try
        {
            fixture.up(tag, natLines, deterministic);
            return fixture;
        }
        catch (final RuntimeException | Error ex)
        {
            fixture.close();
            throw ex;
        }
    }

    private void up(final String tag, final String natLines, final boolean deterministic)
    {
        lab = Lab.up(LabTopology.unique(tag), Lab.Forwarding.NATGATE);
        try
        {
            Files.createDirectories(flows);
            String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core")
                .replace("  filtering: address-dependent\n", "  filtering: address-dependent\n" +
                    "  quotas: {portsPerClient: 0}\n" + natLines);
            if (deterministic)
            {
                text = text.replace("  publicAddresses: [" + LabTopology.PUBLIC_ADDRESS + "]\n", "");
            }
            text += """
                export:
                  source: %1$s
                  ipfix:
                    collectors: [%2$s:%3$d]
                  syslog:
                    collectors: [%2$s:%4$d]
                """.formatted(LabTopology.PUBLIC_ADDRESS, LabTopology.SERVER_ADDRESS, IPFIX_PORT, SYSLOG_PORT);
            Files.writeString(config, text);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        nfcapd = lab.start(Role.SERVER, "nfcapd", flows, null, List.of("nfcapd", "-b", LabTopology.SERVER_ADDRESS,
            "-p", String.valueOf(IPFIX_PORT), "-w", flows.toString(), "-t", "3600"));
        tcpdump = lab.start(Role.SERVER, "tcpdump", directory, null, List.of("tcpdump", "-n", "-U", "-i",
            LabTopology.HOST_INTERFACE, "-w", capture.toString(), "udp", "port", String.valueOf(IPFIX_PORT)));
        syslog = lab.start(Role.SERVER, "syslog receiver", null, JournalChild.command(UdpPeer.class, "receive",
            LabTopology.SERVER_ADDRESS, String.valueOf(SYSLOG_PORT)));
        syslog.awaitLine(line -> line.equals("listening"), WAIT);
        tcpdump.awaitLine(line -> line.contains("listening on"), WAIT);
        gateway = LabGateway.start(lab, NatgateJvm.current(), config, null);
    }

    LabGateway gateway()
    {
        return gateway;
    }

    Path config()
    {
        return config;
    }

    /**
     * Sends one UDP datagram to the server's discard port from each of {@code count} source ports of {@code role}.
     */
    void udpFlows(final Role role, final int firstPort, final int count)
    {
        // the gateway binds an inside source to its MAC first (source guard): a ping resolves it before the burst
        io.natgate.control.lab.LabTraffic.ping(lab, role, LabTopology.SERVER_ADDRESS, 1);
        final Exec.Result result = lab.exec(role, WAIT, JournalChild.command(UdpPeer.class, "send",
            LabTopology.SERVER_ADDRESS, String.valueOf(DISCARD_PORT), String.valueOf(firstPort), String.valueOf(count))
            .toArray(String[]::new));
        if (!result.succeeded() || !result.stdout().contains("sent " + count))
        {
            throw new AssertionError(result.describe());
        }
    }

    /**
     * @return the gateway's dynamic UDP mappings of {@code inside} (address): the flows', not the warm-up ping's.
     */
    List<Map<String, Object>> mappingsOf(final String inside)
    {
        return Json.objects(Json.parse(gateway.admin("/mappings"))).stream()
            .filter(mapping -> String.valueOf(mapping.get("inside")).startsWith(inside + ":") &&
                "dynamic".equals(mapping.get("kind")) && "udp".equals(mapping.get("protocol")))
            .toList();
    }

    /**
     * Stops the gateway (its journal closed) and, once the last records had time to arrive, the collectors.
     */
    void stopAll() throws InterruptedException
    {
        Thread.sleep(1_000);
        if (gateway.stop() != 0)
        {
            throw new AssertionError("the gateway did not stop cleanly" + gateway.process().said());
        }
        Thread.sleep(500);
        nfcapd.stop();
        tcpdump.stop();
        syslog.stop();
    }

    /**
     * @return natgate's output and exit status for {@code args}, run in this JVM.
     */
    static Exec.Result natgate(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine natgate = Natgate.newCommandLine();
        natgate.setOut(new PrintWriter(out, true));
        natgate.setErr(new PrintWriter(err, true));
        final int status = natgate.execute(args);
        return new Exec.Result(List.of(args), status, out.toString(), err.toString());
    }

    /**
     * @return the journal's entries of {@code types}, each its fields as text.
     */
    List<Map<String, String>> journal(final String types)
    {
        final Exec.Result result = natgate("journal", "show", "--config", config.toString(), "--type", types, "--json");
        final List<Map<String, String>> entries = new ArrayList<>();
        for (final String line : result.stdout().split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final Map<String, String> entry = new java.util.LinkedHashMap<>();
            final Matcher matcher = JSON_TEXT.matcher(line);
            while (matcher.find())
            {
                entry.put(matcher.group(1), matcher.group(2));
            }
            entries.add(entry);
        }
        return entries;
    }

    List<Map<String, String>> nfdump()
    {
        return IpfixDecoders.nfdump(flows);
    }

    List<Map<String, String>> tshark(final String... fields)
    {
        return IpfixDecoders.tshark(capture, IPFIX_PORT, fields);
    }

    List<String> syslogLines()
    {
        return syslog.stdout().stream().filter(line -> line.startsWith("<")).toList();
    }

    @Override
    public void close()
    {
        try
        {
            if (lab != null)
            {
                lab.close();
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
    }
}
