package io.natgate.control.ha;

import io.natgate.control.config.Ipv4Endpoint;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two pairs of streams over real Aeron UDP on loopback, each gateway with its own embedded media driver and
 * Aeron directory: messages cross in order both ways, and each directory is its own (no shared /dev/shm).
 */
class AeronTransportTest
{
    @TempDir
    Path state;

    @Test
    @Timeout(60)
    @DisplayName("messages cross both ways in order between two embedded media drivers, each in its own directory")
    void shouldCarryMessagesBothWaysBetweenTwoDrivers()
    {
        final Ipv4Endpoint one = Ipv4Endpoint.parse("127.0.0.1:" + (20_000 + ProcessHandle.current().pid() % 20_000), 1);
        final Ipv4Endpoint two = new Ipv4Endpoint(one.address(), one.port() + 1);
        final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
        final List<String> errors = new ArrayList<>();
        try (AeronTransport a = AeronTransport.open(new HaConfig(200, one, two, timeoutNs, timeoutNs / 10,
                state.resolve("a/aeron"), true), ex -> errors.add(String.valueOf(ex)));
            AeronTransport b = AeronTransport.open(new HaConfig(100, two, one, timeoutNs, timeoutNs / 10,
                state.resolve("b/aeron"), true), ex -> errors.add(String.valueOf(ex))))
        {
            assertTrue(Files.isDirectory(state.resolve("a/aeron")));
            assertTrue(Files.isDirectory(state.resolve("b/aeron")));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[HaWire.RECORD_LENGTH]);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(a.publicationConnected() && b.publicationConnected()))
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "streams connected within 30 s");
                Thread.onSpinWait();
            }
            for (long i = 1; i <= 100; i++)
            {
                message.putLong(HaWire.REC_SEQUENCE_OFFSET, i);
                assertTrue(a.offer(message, 0, message.capacity()));
                message.putLong(HaWire.REC_SEQUENCE_OFFSET, -i);
                assertTrue(b.offer(message, 0, message.capacity()));
            }
            final List<Long> atB = new ArrayList<>();
            final List<Long> atA = new ArrayList<>();
            while (atB.size() < 100 || atA.size() < 100)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "delivered within 30 s: " + atA.size() + "/" + atB.size());
                b.poll((buffer, offset, length, path) -> atB.add(buffer.getLong(offset + HaWire.REC_SEQUENCE_OFFSET)), 10);
                a.poll((buffer, offset, length, path) -> atA.add(buffer.getLong(offset + HaWire.REC_SEQUENCE_OFFSET)), 10);
            }
            for (int i = 0; i < 100; i++)
            {
                assertEquals(i + 1, atB.get(i));
                assertEquals(-(i + 1), atA.get(i));
            }
            assertTrue(a.peerConnected() && b.peerConnected());
            // heartbeats go on a stream of their own: one arrives while a record ahead of it is refused
            message.putInt(HaWire.TYPE_OFFSET, HaWire.RECORD);
            assertTrue(a.offer(message, 0, message.capacity()));
            final UnsafeBuffer heartbeat = new UnsafeBuffer(new byte[HaWire.HEARTBEAT_LENGTH]);
            heartbeat.putInt(HaWire.TYPE_OFFSET, HaWire.HEARTBEAT);
            while (!a.offer(heartbeat, 0, heartbeat.capacity()))
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "heartbeat stream connected");
                Thread.onSpinWait();
            }
            final boolean[] heard = new boolean[1];
            while (!heard[0])
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "heartbeat past a held record");
                b.poll((buffer, offset, length, path) ->
                {
                    heard[0] |= buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.HEARTBEAT;
                    return buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.HEARTBEAT;
                }, 10);
            }
            while (b.poll((buffer, offset, length, path) -> buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.RECORD, 10) == 0)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the held record, read again");
            }
            message.putInt(HaWire.TYPE_OFFSET, 0);
            // a message left unhandled is read again
            assertTrue(a.offer(message, 0, message.capacity()));
            final int[] seen = new int[1];
            while (seen[0] == 0)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0);
                assertEquals(0, b.poll((buffer, offset, length, path) -> ++seen[0] > 1, 10));
            }
            assertEquals(1, b.poll((buffer, offset, length, path) -> true, 10));
        }
        assertFalse(Files.exists(state.resolve("a/aeron")), "the driver's directory goes with it");
        assertEquals(List.of(), errors);
    }
}
