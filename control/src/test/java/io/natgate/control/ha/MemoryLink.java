package io.natgate.control.ha;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * Two {@link HaTransport}s joined in memory, for tests that drive both nodes from one thread: what one offers the
 * other polls, in order. The link can be cut (messages vanish) and one message can be dropped on purpose.
 */
final class MemoryLink
{
    private final ArrayDeque<byte[]> toA = new ArrayDeque<>();
    private final ArrayDeque<byte[]> toB = new ArrayDeque<>();
    final End a = new End(toB, toA);
    final End b = new End(toA, toB);
    boolean up = true;

    final class End implements HaTransport
    {
        private final ArrayDeque<byte[]> out;
        private final ArrayDeque<byte[]> in;
        /** Records (type {@link HaWire#RECORD}) sent from this end that are dropped instead, next first. */
        int recordsToDrop;
        /** False while nobody listens at the other end: offers fail, as an unconnected publication's do. */
        boolean peerListening = true;

        End(final ArrayDeque<byte[]> out, final ArrayDeque<byte[]> in)
        {
            this.out = out;
            this.in = in;
        }

        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!peerListening)
            {
                return false;
            }
            final byte[] message = new byte[length];
            buffer.getBytes(offset, message);
            if (!up)
            {
                return true; // sent, and lost on the way
            }
            if (recordsToDrop > 0 && buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.RECORD)
            {
                recordsToDrop--;
                return true;
            }
            out.add(message);
            return true;
        }

        public int poll(final Handler handler, final int limit)
        {
            int count = 0;
            while (count < limit && !in.isEmpty())
            {
                final byte[] message = in.peek();
                if (!handler.onMessage(new UnsafeBuffer(message), 0, message.length))
                {
                    break;
                }
                in.poll();
                count++;
            }
            return count;
        }

        public boolean peerConnected()
        {
            return up;
        }

        public void close()
        {
        }
    }
}
