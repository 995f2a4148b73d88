package io.natgate.control.cli;

import io.natgate.control.gateway.CountersFile;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.counters.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatCommandTest
{
    @TempDir
    Path directory;

    @Test
    void shouldPrintPortsSessionsAndDropsOfARunningGateway()
    {
        final Path path = directory.resolve("natgate.counters");
        try (CountersFile file = CountersFile.create(path, List.of("lan", "wan")))
        {
            file.counters().add(0, PortCounter.RX_FRAMES, 1500);
            file.counters().add(1, PortCounter.TX_FRAMES, 1499);
            file.counters().drop(1, DropReason.NO_MAPPING);
            file.counters().set(GlobalCounter.SESSIONS_ACTIVE, 12);

            final String text = statOnce(path);
            assertTrue(text.contains("running"), text);
            assertTrue(text.matches("(?s).*lan +1500 +0 .*"), text);
            assertTrue(text.matches("(?s).*wan +0 +1499 .* 1\n.*"), text);
            assertTrue(text.contains("sessions 12"), text);
            assertTrue(text.matches("(?s).*wan +no_mapping +1 .*"), text);
        }
    }

    @Test
    void shouldPrintTheSumsOverEveryWorkerAndALinePerWorker()
    {
        final Path path = directory.resolve("workers.counters");
        try (CountersFile file = CountersFile.create(path, List.of("lan", "wan"), 2))
        {
            file.workerCounters(0).add(0, PortCounter.RX_FRAMES, 1000);
            file.workerCounters(1).add(0, PortCounter.RX_FRAMES, 500);
            file.workerCounters(0).add(0, PortCounter.TRANSLATED_OUT, 300);
            file.workerCounters(1).add(0, PortCounter.TRANSLATED_OUT, 200);
            file.workerCounters(1).add(1, PortCounter.TRANSLATED_IN, 21);
            file.workerCounters(0).set(GlobalCounter.SESSIONS_ACTIVE, 4);
            file.workerCounters(1).set(GlobalCounter.SESSIONS_ACTIVE, 8);
            file.workerCounters(1).drop(1, DropReason.NO_MAPPING);
            file.steeringCounters().drop(1, DropReason.NO_MAPPING);
            file.steeringCounters().drop(1, DropReason.NO_MAPPING);

            final String text = statOnce(path);

            assertTrue(text.matches("(?s).*\nlan +1500 +0 +- +- +0\n.*"), text);
            assertTrue(text.matches("(?s).*\nwan +0 +0 +- +- +3\n.*"), text);
            assertTrue(text.contains("sessions 12 "), text);
            assertTrue(text.matches("(?s).*wan +no_mapping +3 .*"), text);
            assertTrue(text.matches("(?s).*\n0 +300 +- +4 +0 +0\n.*"), text);
            assertTrue(text.matches("(?s).*\n1 +221 +- +8 +0 +1\n.*"), text);
            assertTrue(text.matches("(?s).*\nrx +0 +- +0 +0 +2\n.*"), text);
        }
    }

    @Test
    void shouldPrintNoWorkerLinesWithOneWorker()
    {
        final Path path = directory.resolve("one.counters");
        try (CountersFile file = CountersFile.create(path, List.of("lan"), 1))
        {
            final String text = statOnce(path);
            assertFalse(text.contains("worker"), text);
        }
    }

    private static String statOnce(final Path path)
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int status;
        try
        {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            status = Natgate.newCommandLine().execute("stat", "--once", "--counters", path.toString());
        }
        finally
        {
            System.setOut(stdout);
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }

    @Test
    void shouldFailClearlyWhenNoGatewayIsRunning()
    {
        assertEquals(1, Natgate.newCommandLine().execute("stat", "--once", "--counters",
            directory.resolve("none").toString()));
    }
}
