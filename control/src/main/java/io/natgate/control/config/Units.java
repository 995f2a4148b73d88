package io.natgate.control.config;

import org.agrona.SystemUtil;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and sizes as written in the configuration and the hardware profiles.
 * <ul>
 *   <li>Durations are whole numbers with units, largest first, each unit at most once:
 *       {@code 90s}, {@code 5m}, {@code 2h4m}, {@code 1ms}, {@code 100us}, {@code 1d}. A bare number
 *       is refused: no unit is the obvious one.</li>
 *   <li>Sizes are bytes, or a number with {@code k}, {@code m} or {@code g} (binary multiples):
 *       {@code 65536}, {@code 64k}, {@code 1m}; parsed by Agrona's {@link SystemUtil#parseSize}.</li>
 * </ul>
 */
public final class Units
{
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|us|ns|d|h|m|s)");
    private static final String[] DURATION_UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
    private static final long[] DURATION_UNIT_NS = {
        TimeUnit.DAYS.toNanos(1), TimeUnit.HOURS.toNanos(1), TimeUnit.MINUTES.toNanos(1),
        TimeUnit.SECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(1), 1L};
    private static final String[] SIZE_UNITS = {"g", "m", "k"};
    private static final long[] SIZE_UNIT_BYTES = {1L << 30, 1L << 20, 1L << 10};

    private Units()
    {
    }

    /**
     * @return the duration in nanoseconds; a bare {@code 0} is zero, the one number that needs no unit (the docs'
     * "0: never").
     * @throws IllegalArgumentException saying what a duration looks like.
     */
    public static long parseDurationNs(final String text)
    {
        final String trimmed = text.trim();
        if (trimmed.equals("0"))
        {
            return 0;
        }
        final Matcher matcher = DURATION_PART.matcher(trimmed);
        long totalNs = 0;
        int position = 0;
        int lastUnit = -1;
        while (position < trimmed.length())
        {
            if (!matcher.find(position) || matcher.start() != position)
            {
                throw new IllegalArgumentException(position == 0 && trimmed.chars().allMatch(Character::isDigit) &&
                    !trimmed.isEmpty() ?
                    "a duration needs a unit (e.g. 90s, 5m, 2h4m)" : "not a duration (e.g. 90s, 5m, 2h4m, 100ms)");
            }
            final int unit = unitIndex(matcher.group(2));
            if (unit <= lastUnit)
            {
                throw new IllegalArgumentException(
                    "duration units must go from largest to smallest, each once (e.g. 2h4m)");
            }
            lastUnit = unit;
            try
            {
                final long count = Long.parseLong(matcher.group(1));
                totalNs = Math.addExact(totalNs, Math.multiplyExact(count, DURATION_UNIT_NS[unit]));
            }
            catch (final ArithmeticException | NumberFormatException ex)
            {
                throw new IllegalArgumentException("duration too long", ex);
            }
            position = matcher.end();
        }
        if (lastUnit < 0)
        {
            throw new IllegalArgumentException("not a duration (e.g. 90s, 5m, 2h4m, 100ms)");
        }
        return totalNs;
    }

    /**
     * @return the shortest form {@link #parseDurationNs} reads back, e.g. {@code 2h4m}, {@code 1m}, {@code 0s}.
     */
    public static String formatDuration(final long durationNs)
    {
        if (durationNs == 0)
        {
            return "0s";
        }
        final StringBuilder text = new StringBuilder();
        long restNs = durationNs;
        for (int unit = 0; unit < DURATION_UNITS.length; unit++)
        {
            final long count = restNs / DURATION_UNIT_NS[unit];
            if (count > 0)
            {
                text.append(count).append(DURATION_UNITS[unit]);
                restNs -= count * DURATION_UNIT_NS[unit];
            }
        }
        return text.toString();
    }

    /**
     * @return the size in bytes.
     * @throws IllegalArgumentException saying what a size looks like.
     */
    public static long parseSize(final String text)
    {
        try
        {
            return SystemUtil.parseSize("size", text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a size (e.g. 65536, 64k, 1m, 2g)", ex);
        }
    }

    /**
     * @return the shortest exact form {@link #parseSize} reads back: {@code 1m}, {@code 64k}, {@code 1500}.
     */
    public static String formatSize(final long bytes)
    {
        for (int unit = 0; unit < SIZE_UNITS.length; unit++)
        {
            if (bytes != 0 && bytes % SIZE_UNIT_BYTES[unit] == 0)
            {
                return bytes / SIZE_UNIT_BYTES[unit] + SIZE_UNITS[unit];
            }
        }
        return Long.toString(bytes);
    }

    /**
     * @return a rounded size for people, e.g. {@code 33.4 MiB}.
     */
    public static String humanSize(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static int unitIndex(final String unit)
    {
        for (int i = 0; i < DURATION_UNITS.length; i++)
        {
            if (DURATION_UNITS[i].equals(unit))
            {
                return i;
            }
        }
        throw new IllegalStateException(unit);
    }
}
