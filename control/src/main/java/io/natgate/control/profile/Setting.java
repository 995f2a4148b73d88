package io.natgate.control.profile;

import io.natgate.control.config.Location;

/**
 * One effective hardware setting: its value, which layer it came from and where it was written
 * (null for a built-in default).
 *
 * @param value a Long (bytes, count, nanoseconds), a ThreadingMode, a String or a {@link CpuPinning}.
 */
public record Setting(ProfileKey key, Object value, Source source, Location location)
{
    /**
     * @return the value as it was written where it was set (a single value), else as a profile file would write it.
     */
    public String text()
    {
        return location != null && !(value instanceof CpuPinning) ? location.text() : key.format(value);
    }

    public long longValue()
    {
        return (Long)value;
    }

    public int intValue()
    {
        return Math.toIntExact((Long)value);
    }
}
