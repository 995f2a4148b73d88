package io.natgate.bindings.testing;

import io.natgate.bindings.afpacket.PacketSocket;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Sends distinct frames through one packet socket and finds which member of a fanout group on the
 * other end received each, by its bytes (a frame the kernel hands over is the frame that was sent,
 * its VLAN tag put back). Frames not sent here (kernel chatter) are ignored. Sending is paced by the
 * receivers, so no frame is lost to a full ring, and every wait is bounded.
 */
public final class FanoutDelivery
{
    /** How long the frames may take to arrive on a loaded shared machine; complete delivery ends the wait. */
    private static final long DELIVERY_DEADLINE_NS = 30_000_000_000L;
    private static final int IN_FLIGHT = 256;

    private FanoutDelivery()
    {
    }

    /**
     * @return for each frame, the index in {@code members} of the socket that received it, or -1 when
     * none did by the deadline.
     * @throws AssertionError when a frame arrives twice.
     */
    public static int[] deliver(final PacketSocket sender, final PacketSocket[] members, final byte[][] frames)
    {
        final Map<ByteBuffer, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < frames.length; i++)
        {
            if (indexOf.put(ByteBuffer.wrap(frames[i]), i) != null)
            {
                throw new IllegalArgumentException("frame " + i + " is not distinct");
            }
        }
        final int[] receivedBy = new int[frames.length];
        Arrays.fill(receivedBy, -1);
        int sent = 0;
        int received = 0;
        final long deadlineNs = System.nanoTime() + DELIVERY_DEADLINE_NS;
        while (received < frames.length && System.nanoTime() - deadlineNs < 0)
        {
            while (sent < frames.length && sent - received < IN_FLIGHT && send(sender, frames[sent]))
            {
                sent++;
            }
            sender.flushTx();
            boolean any = false;
            for (int member = 0; member < members.length; member++)
            {
                for (byte[] frame = poll(members[member]); frame != null; frame = poll(members[member]))
                {
                    any = true;
                    final Integer index = indexOf.get(ByteBuffer.wrap(frame));
                    if (index != null)
                    {
                        if (receivedBy[index] >= 0)
                        {
                            throw new AssertionError("frame " + index + " arrived on member " + receivedBy[index] +
                                " and on member " + member);
                        }
                        receivedBy[index] = member;
                        received++;
                    }
                }
            }
            if (!any)
            {
                members[0].awaitReceive(1);
            }
        }
        return receivedBy;
    }

    /**
     * Queues one frame on the TX ring.
     *
     * @return false when the ring is full.
     */
    public static boolean send(final PacketSocket socket, final byte[] frame)
    {
        final long offset = socket.claimTxFrame();
        if (offset < 0)
        {
            return false;
        }
        MemorySegment.copy(frame, 0, socket.ring(), JAVA_BYTE, offset, frame.length);
        socket.commitTxFrame(frame.length);
        return true;
    }

    /**
     * @return a copy of the next received frame, or null when none is ready.
     */
    public static byte[] poll(final PacketSocket socket)
    {
        final long offset = socket.nextFrame();
        if (offset < 0)
        {
            socket.releaseConsumed();
            return null;
        }
        return socket.ring().asSlice(offset, socket.frameLength()).toArray(JAVA_BYTE);
    }
}
