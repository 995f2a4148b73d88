package io.natgate.bindings.testing;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Sends numbered frames through one backend and checks that another receives every one of them
 * byte-identical and in order. Sending is paced by the receiver: a burst goes out, then the test
 * drains the receiver until that burst has arrived, so nothing is lost to full rings or backlogs
 * and a failure means the backend lost or changed a frame.
 */
public final class FrameExchange
{
    /**
     * Queues one frame; returns false when the sender's ring is full.
     */
    @FunctionalInterface
    public interface Sender
    {
        boolean send(byte[] frame);
    }

    /**
     * Returns the next received frame, or null when none is ready now.
     */
    @FunctionalInterface
    public interface Receiver
    {
        byte[] poll();
    }

    /**
     * @return how many frames arrived, after checking each of them.
     * @throws AssertionError naming the first frame that was lost, reordered or changed.
     */
    public static int exchange(final Sender sender, final Runnable flush, final Receiver receiver,
        final byte[][] frames, final int burst)
    {
        int received = 0;
        int sent = 0;
        while (sent < frames.length)
        {
            final int burstEnd = Math.min(frames.length, sent + burst);
            final long sendDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sent < burstEnd)
            {
                if (sender.send(frames[sent]))
                {
                    sent++;
                }
                else
                {
                    flush.run();
                    if (System.nanoTime() - sendDeadlineNs > 0)
                    {
                        throw new AssertionError("sender refused frame " + sent + " for 5 s");
                    }
                    Thread.onSpinWait();
                }
            }
            flush.run();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received < sent)
            {
                final byte[] frame = receiver.poll();
                if (frame == null)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new AssertionError("only " + received + " of " + sent + " frames arrived within 5 s");
                    }
                    Thread.onSpinWait();
                    continue;
                }
                final int sequence = TestFrames.sequenceOf(frame, frame.length);
                if (sequence < 0)
                {
                    continue; // not ours: the kernel's own traffic on the link
                }
                if (sequence != received)
                {
                    throw new AssertionError("expected frame " + received + ", got frame " + sequence);
                }
                if (!Arrays.equals(frames[sequence], frame))
                {
                    throw new AssertionError("frame " + sequence + " differs: sent " + frames[sequence].length +
                        " bytes, received " + frame.length + " bytes");
                }
                received++;
            }
        }
        return received;
    }

    /**
     * @return {@code count} numbered frames whose lengths cycle through {@code lengths}.
     */
    public static byte[][] frames(final long destinationMac, final long sourceMac, final int count, final int... lengths)
    {
        final byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            frames[i] = TestFrames.udp(destinationMac, sourceMac, i, lengths[i % lengths.length]);
        }
        return frames;
    }
}
