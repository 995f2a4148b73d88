package io.natgate.control.gateway;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Every line the gateway logs starts with its time in UTC to the millisecond ({@code 2026-03-01T12:34:56.789Z }),
 * whatever writes it (the gateway's own lines, the JDK's logging): {@code natgate run} wraps its standard output
 * and error in {@link #wrap}.
 */
public final class LogTimestamps
{
    private static final DateTimeFormatter FORMAT =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern PREFIX = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ");

    private LogTimestamps()
    {
    }

    /**
     * @return a stream that writes to {@code out} with the time before each line, flushing at each line's end.
     */
    public static PrintStream wrap(final OutputStream out)
    {
        return new PrintStream(new Stamping(out), true, StandardCharsets.UTF_8);
    }

    /**
     * @return the line without its timestamp (for readers of the log, e.g. tests that look for a line).
     */
    public static String strip(final String line)
    {
        return PREFIX.matcher(line).replaceFirst("");
    }

    private static final class Stamping extends FilterOutputStream
    {
        private boolean lineStart = true;

        Stamping(final OutputStream out)
        {
            super(out);
        }

        @Override
        public synchronized void write(final int b) throws IOException
        {
            stampIfLineStart();
            out.write(b);
            lineStart = b == '\n';
        }

        @Override
        public synchronized void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            int start = offset;
            final int end = offset + length;
            while (start < end)
            {
                stampIfLineStart();
                int newline = start;
                while (newline < end && bytes[newline] != '\n')
                {
                    newline++;
                }
                if (newline < end)
                {
                    out.write(bytes, start, newline + 1 - start);
                    lineStart = true;
                    start = newline + 1;
                }
                else
                {
                    out.write(bytes, start, end - start);
                    start = end;
                }
            }
        }

        private void stampIfLineStart() throws IOException
        {
            if (lineStart)
            {
                out.write((FORMAT.format(Instant.now()) + " ").getBytes(StandardCharsets.US_ASCII));
                lineStart = false;
            }
        }
    }
}
