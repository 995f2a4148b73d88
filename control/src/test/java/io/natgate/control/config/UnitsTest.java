package io.natgate.control.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UnitsTest
{
    @ParameterizedTest
    @CsvSource({
        "90s, 90000000000",
        "5m, 300000000000",
        "2h4m, 7440000000000",
        "1d2h, 93600000000000",
        "1h0m30s, 3630000000000",
        "100ms, 100000000",
        "1s500ms, 1500000000",
        "250us, 250000",
        "7ns, 7",
        "0s, 0",
        "0, 0"})
    void shouldParseDurationsWithUnitsLargestFirstAndABareZero(final String text, final long expectedNs)
    {
        assertEquals(expectedNs, Units.parseDurationNs(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "300|a duration needs a unit (e.g. 90s, 5m, 2h4m)",
        "5 minutes|not a duration (e.g. 90s, 5m, 2h4m, 100ms)",
        "''|not a duration (e.g. 90s, 5m, 2h4m, 100ms)",
        "1.5s|not a duration (e.g. 90s, 5m, 2h4m, 100ms)",
        "-5s|not a duration (e.g. 90s, 5m, 2h4m, 100ms)",
        "4m2h|duration units must go from largest to smallest, each once (e.g. 2h4m)",
        "5m5m|duration units must go from largest to smallest, each once (e.g. 2h4m)",
        "99999999999d|duration too long"})
    void shouldRefuseWhatIsNotADuration(final String text, final String reason)
    {
        assertEquals(reason, assertThrows(IllegalArgumentException.class, () -> Units.parseDurationNs(text)).getMessage());
    }

    @Test
    void shouldFormatDurationsAsTheyAreWritten()
    {
        assertEquals("2h4m", Units.formatDuration(TimeUnit.MINUTES.toNanos(124)));
        assertEquals("1m", Units.formatDuration(TimeUnit.SECONDS.toNanos(60)));
        assertEquals("1m30s", Units.formatDuration(TimeUnit.SECONDS.toNanos(90)));
        assertEquals("1ms", Units.formatDuration(TimeUnit.MILLISECONDS.toNanos(1)));
        assertEquals("0s", Units.formatDuration(0));
        for (final String text : new String[] {"1d2h3m4s5ms6us7ns", "2h4m", "5m", "100ms"})
        {
            assertEquals(text, Units.formatDuration(Units.parseDurationNs(text)));
        }
    }

    @Test
    void shouldParseAndFormatSizes()
    {
        assertEquals(65536, Units.parseSize("65536"));
        assertEquals(64 * 1024, Units.parseSize("64k"));
        assertEquals(1 << 20, Units.parseSize("1m"));
        assertEquals(2L << 30, Units.parseSize("2g"));
        assertEquals("64k", Units.formatSize(64 * 1024));
        assertEquals("1m", Units.formatSize(1 << 20));
        assertEquals("1500", Units.formatSize(1500));
        assertEquals("not a size (e.g. 65536, 64k, 1m, 2g)",
            assertThrows(IllegalArgumentException.class, () -> Units.parseSize("lots")).getMessage());
    }
}
