package io.natgate.benchmarks.nat;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The control for {@link NatTranslateBenchmark}: what one random cache-line read costs on the
 * machine at hand, over an array the size of a million-session table. {@code dependentRead}
 * follows a random cycle through the lines, so each read waits for the one before (the latency
 * a lookup chain pays per level); {@code independentRead} reads random lines whose addresses do
 * not depend on one another (the throughput when reads overlap). Translation figures divided by
 * these say how many DRAM round trips a packet costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
@State(Scope.Thread)
public class RandomReadBaseline
{
    private static final int INTS_PER_LINE = 16;

    /** Array size; 64 MiB is about the session records and index of a million sessions. */
    @Param({ "64" })
    int megabytes;

    private int[] lines;
    private int lineCount;
    private int position;
    private int seed = 1;

    @Setup
    public void setUp()
    {
        lineCount = megabytes * 1024 * 1024 / (INTS_PER_LINE * Integer.BYTES);
        lines = new int[lineCount * INTS_PER_LINE];
        final int[] order = UdpFlows.shuffled(lineCount, 0x5EED_0003L);
        for (int i = 0; i < lineCount; i++)
        {
            lines[order[i] * INTS_PER_LINE] = order[(i + 1) % lineCount] * INTS_PER_LINE;
        }
    }

    @Benchmark
    public int dependentRead()
    {
        return position = lines[position];
    }

    @Benchmark
    public int independentRead()
    {
        final int next = seed * 0x9E37_79B1 + 0x7F4A_7C15;
        seed = next;
        return lines[(int)(((next >>> 1) * (long)lineCount) >>> 31) * INTS_PER_LINE];
    }
}
