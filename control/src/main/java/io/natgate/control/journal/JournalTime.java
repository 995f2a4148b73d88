package io.natgate.control.journal;

import io.natgate.control.config.Units;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Times as the journal commands take them: an ISO-8601 instant ({@code 2026-03-01T12:00:00Z}, an offset
 * instead of Z, a space instead of T), a date and time without a zone (taken as UTC, as the journal
 * prints them), a date alone (its midnight, UTC), {@code now}, or a duration ago ({@code -10m},
 * {@code 2h ago}).
 */
public final class JournalTime
{
    private JournalTime()
    {
    }

    /**
     * @return nanoseconds since the epoch.
     * @throws IllegalArgumentException saying what a time looks like.
     */
    public static long parse(final String text, final long nowEpochNs)
    {
        final String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("now"))
        {
            return nowEpochNs;
        }
        final String ago = trimmed.startsWith("-") ? trimmed.substring(1) :
            trimmed.endsWith(" ago") ? trimmed.substring(0, trimmed.length() - 4) : null;
        if (ago != null)
        {
            return nowEpochNs - Units.parseDurationNs(ago.trim());
        }
        final String iso = trimmed.replace(' ', 'T');
        try
        {
            return toNs(OffsetDateTime.parse(iso).toInstant());
        }
        catch (final DateTimeParseException notWithZone)
        {
            try
            {
                return toNs(LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
            }
            catch (final DateTimeParseException notLocal)
            {
                try
                {
                    return toNs(LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC));
                }
                catch (final DateTimeParseException notDate)
                {
                    throw new IllegalArgumentException("not a time: " + text + " (e.g. 2026-03-01T12:00:00Z, " +
                        "2026-03-01 12:00:00 for UTC, 2026-03-01, now, -10m, 2h ago)", notDate);
                }
            }
        }
    }

    private static long toNs(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
