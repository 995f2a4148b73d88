package io.natgate.benchmarks.e2e;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented end-to-end comparison (docs/benchmarks.md) run short in the lab: both sides keep
 * the kernel's default offloads on every end, and every case prints what was offered and what was
 * received, then a table with the ratio. It asserts what the harness reports, never a speed.
 * Needs root, iperf3, nft and ethtool, as the lab tests do.
 */
class KernelNatComparisonTest
{
    @Test
    void shouldReportOfferedAndReceivedForEveryCaseOnBothSidesWithDefaultOffloads()
    {
        final KernelNatComparison.Options options = KernelNatComparison.parse(new String[] {
            "--seconds", "1", "--rounds", "1", "--threading", "run-to-completion", "--tcp-streams", "1",
            "--udp-lengths", "64", "--udp-clients", "2"});
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();

        final String table = new KernelNatComparison(options, new PrintStream(printed, true, StandardCharsets.UTF_8))
            .run();

        final String text = printed.toString(StandardCharsets.UTF_8);
        for (final String side : List.of("natgate run-to-completion", "kernel"))
        {
            for (final String end : List.of("client eth0", "gateway veth-lan", "gateway veth-wan"))
            {
                final String offloads = line(text, side + " +offloads of " + end + ": ");
                assertTrue(offloads.contains("tx-checksumming: on") && offloads.contains("tcp-segmentation-offload: on"),
                    offloads);
                if (end.startsWith("gateway"))
                {
                    assertTrue(offloads.contains("generic-receive-offload: on"), offloads);
                }
            }
            assertTrue(Pattern.compile(Pattern.quote(side) + " +TCP 1 stream +sent [0-9.]+ Gbit/s, received [0-9.]+ " +
                "Gbit/s").matcher(text).find(), text);
            assertTrue(Pattern.compile(Pattern.quote(side) + " +UDP 64 B +offered +[0-9,]+ pps .*, received +[0-9,]+ " +
                "pps .*, lost [0-9.]+ %").matcher(text).find(), text);
        }
        assertTrue(Pattern.compile("(?m)^natgate run-to-completion +drops: ").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^TCP 1 stream Gbit/s +[0-9.]+ +[0-9.]+ +[0-9.]+$").matcher(table).find(), table);
        assertTrue(Pattern.compile("(?m)^UDP 64 B received pps +[0-9,]+ +[0-9,]+ +[0-9.]+$").matcher(table).find(),
            table);
        assertTrue(Pattern.compile("(?m)^  offered pps +[0-9,]+ +[0-9,]+ *$").matcher(table).find(), table);
    }

    @Test
    void shouldMeasureEveryThreadingModeWithEveryWorkerCount()
    {
        final KernelNatComparison.Options options = KernelNatComparison.parse(new String[] {
            "--threading", "run-to-completion,shared-network", "--workers", "1,2"});

        assertEquals(List.of("natgate run-to-completion", "natgate shared-network",
            "natgate run-to-completion 2 workers", "natgate shared-network 2 workers"), options.natgateSides());
        assertEquals(List.of("natgate shared-network", "natgate run-to-completion"),
            KernelNatComparison.parse(new String[0]).natgateSides());
    }

    @Test
    void shouldWidenTheTablesColumnsToTheirHeadings()
    {
        final java.util.Map<String, List<List<KernelNatComparison.Result>>> rounds = new java.util.LinkedHashMap<>();
        rounds.put("natgate shared-network 2 workers", List.of(List.of(udp(50_000))));
        rounds.put("kernel", List.of(List.of(udp(100_000))));

        final List<String> lines = KernelNatComparison.table(rounds).lines().toList();

        assertEquals("case                       natgate shared-network 2 workers                       kernel " +
            "shared-network 2 workers/kernel", lines.get(0));
        assertEquals("UDP 64 B received pps                                50,000                      100,000 " +
            "                           0.50", lines.get(1));
        assertTrue(lines.stream().allMatch(line -> line.stripTrailing().length() <= lines.get(0).length()), lines::toString);
    }

    @Test
    void shouldTakeTheMedianOfTheRounds()
    {
        final List<List<KernelNatComparison.Result>> rounds = List.of(List.of(udp(300)), List.of(udp(100)),
            List.of(udp(200)), List.of(udp(900)));

        assertEquals(250, KernelNatComparison.median(rounds, r -> r.getFirst().receivedPps()));
        assertEquals(200, KernelNatComparison.median(rounds.subList(0, 3), r -> r.getFirst().receivedPps()));
    }

    private static KernelNatComparison.Result udp(final double receivedPps)
    {
        return new KernelNatComparison.Result("UDP 64 B", true, 1000, 512_000, receivedPps, receivedPps * 512, 0, 0, 0);
    }

    private static String line(final String text, final String startRegex)
    {
        return text.lines().filter(l -> Pattern.compile("^" + startRegex).matcher(l).find()).findFirst()
            .orElseThrow(() -> new AssertionError("no line /" + startRegex + "/ in\n" + text));
    }
}
