package io.natgate.benchmarks.cgnat;

import io.natgate.control.config.Backend;
import io.natgate.control.lab.Exec;
import io.natgate.control.lab.Iperf3;
import io.natgate.control.lab.Lab;
import io.natgate.control.lab.LabFiles;
import io.natgate.control.lab.LabGateway;
import io.natgate.control.lab.LabGatewayConfig;
import io.natgate.control.lab.LabProcess;
import io.natgate.control.lab.LabTopology;
import io.natgate.control.lab.LabTopology.Role;
import io.natgate.control.lab.NatgateJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The IPFIX export under load in the lab: the client opens new UDP mappings at {@code --rate} a second (hping3,
 * one source port a packet), natgate exports one BIB record each in-band to nfcapd in the server namespace, and
 * meanwhile the second client sends 64-byte UDP through the gateway as fast as it can (iperf3 -b 0). Rounds
 * alternate export on and off on the same lab; each prints mappings made, records exported and unsent, events the
 * ring dropped, records nfdump read at the collector, and the iperf3 packets per second forwarded. Needs root,
 * hping3, iperf3 and nfdump.
 * <pre>
 * java @jvm.options -cp benchmarks/target/benchmarks.jar io.natgate.benchmarks.cgnat.CgnatExportLoad \
 *     [--rate 5000] [--seconds 8] [--rounds 3]
 * </pre>
 */
public final class CgnatExportLoad
{
    private static final Duration WAIT = Duration.ofSeconds(90);

    private CgnatExportLoad()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int rate = 5000;
        int seconds = 8;
        int rounds = 3;
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (rate * seconds > 60_000)
        {
            throw new IllegalArgumentException("rate x seconds must stay under 60,000 (one source port a mapping)");
        }
        final Path directory = LabFiles.temporaryDirectory("natgate-cgnat-load");
        final List<String> rows = new ArrayList<>();
        try (Lab lab = Lab.up(LabTopology.unique("cgl"), Lab.Forwarding.NATGATE))
        {
            Iperf3.server(lab, Role.SERVER, Iperf3.PORT);
            for (int round = 1; round <= rounds; round++)
            {
                for (final boolean export : new boolean[] {true, false})
                {
                    rows.add(round(lab, directory.resolve("r" + round + (export ? "-on" : "-off")), round, export, rate,
                        seconds));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        finally
        {
            LabFiles.deleteRecursively(directory);
        }
        System.out.println();
        System.out.printf("%-6s %-7s %9s %10s %9s %8s %10s %12s %12s%n", "round", "export", "mappings", "exported",
            "unsent", "ringDrop", "collector", "records/s", "iperf3 pps");
        rows.forEach(System.out::println);
    }

    private static String round(
        final Lab lab, final Path directory, final int round, final boolean export, final int rate, final int seconds)
        throws IOException, InterruptedException
    {
        final Path flows = Files.createDirectories(directory.resolve("flows"));
        String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core")
            .replace("  filtering: address-dependent\n", "  filtering: address-dependent\n  maxSessions: 262144\n  quotas: {portsPerClient: 0, sessionsPerClient: 0}\n");
        if (export)
        {
            text += """
                export:
                  source: %s
                  ipfix:
                    collectors: [%s:4739]
                """.formatted(LabTopology.PUBLIC_ADDRESS, LabTopology.SERVER_ADDRESS);
        }
        final Path config = Files.writeString(directory.resolve(LabGatewayConfig.FILE_NAME), text);
        final LabProcess nfcapd = lab.start(Role.SERVER, "nfcapd", flows, null, List.of("nfcapd", "-b",
            LabTopology.SERVER_ADDRESS, "-p", "4739", "-w", flows.toString(), "-t", "3600", "-B", "8388608"));
        try (LabGateway gateway = LabGateway.start(lab, NatgateJvm.current(), config, null))
        {
            final int count = rate * seconds;
            final long startNs = System.nanoTime();
            final LabProcess hping = lab.start(Role.CLIENT, "hping3", null, List.of("hping3", "--udp", "-q", "-p", "9",
                "-s", "2000", "-i", "u" + Math.max(1, 1_000_000 / rate), "-c", String.valueOf(count), "-d", "16",
                LabTopology.SERVER_ADDRESS));
            final Iperf3.UdpResult udp = Iperf3.udp(lab, Role.CLIENT2, LabTopology.SERVER_ADDRESS, Iperf3.PORT, seconds,
                "0", 64);
            hping.waitFor(WAIT);
            final double sendSeconds = (System.nanoTime() - startNs) / 1e9;
            Thread.sleep(1_500);
            final double mappings = gateway.metric("natgate_mappings_active", Map.of());
            final double exported = export ? gateway.metric("natgate_export_records_total",
                Map.of("exporter", "ipfix", "result", "sent")) : 0;
            final double unsent = export ? gateway.metric("natgate_export_records_total",
                Map.of("exporter", "ipfix", "result", "unsent")) : 0;
            final double ringDrops = gateway.metric("natgate_events_dropped_total", Map.of());
            gateway.stop();
            Thread.sleep(500);
            nfcapd.stop();
            final long collected = export ? collected(flows) : 0;
            return String.format(Locale.ROOT, "%-6d %-7s %,9.0f %,10.0f %,9.0f %,8.0f %,10d %,12.0f %,12.0f", round,
                export ? "on" : "off", mappings, exported, unsent, ringDrops, collected,
                export ? exported / sendSeconds : 0, udp.receivedPacketsPerSecond());
        }
    }

    private static long collected(final Path flows)
    {
        final Exec.Result result = Exec.run(WAIT, List.of("nfdump", "-R", flows.toString(), "-q", "-o",
            "fmt:%nevt")).check();
        return result.stdout().lines().filter(line -> !line.isBlank()).count();
    }
}
