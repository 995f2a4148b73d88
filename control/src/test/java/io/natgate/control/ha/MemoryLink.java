package io.natgate.control.ha;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * Two {@link HaTransport}s joined in memory, for tests that drive both nodes from one thread: what one offers the
 * other polls, in order. The link can be cut (messages vanish) and one message can be dropped on purpose; with
 * {@link #secondPath} heartbeats also go over a second path, which can be cut on its own.
 */
final class MemoryLink
{
    private record Message(byte[] bytes, int path)
    {
    }

    private final ArrayDeque<Message> toA = new ArrayDeque<>();
    private final ArrayDeque<Message> toB = new ArrayDeque<>();
    final End a = new End(toB, toA);
    final End b = new End(toA, toB);
    boolean up = true;
    boolean secondPath;
    boolean secondUp = true;

    final class End implements HaTransport
    {
        private final ArrayDeque<Message> out;
        private final ArrayDeque<Message> in;
        /** Records (type {@link HaWire#RECORD}) sent from this end that are dropped instead, next first. */
        int recordsToDrop;
        /** False while nobody listens at the other end: offers fail, as an unconnected publication's do. */
        boolean peerListening = true;

        End(final ArrayDeque<Message> out, final ArrayDeque<Message> in)
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
            if (secondPath && secondUp && buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.HEARTBEAT)
            {
                out.add(new Message(message.clone(), PATH_SECOND));
            }
            if (!up)
            {
                return true; // sent, and lost on the way
            }
            if (recordsToDrop > 0 && buffer.getInt(offset + HaWire.TYPE_OFFSET) == HaWire.RECORD)
            {
                recordsToDrop--;
                return true;
            }
            out.add(new Message(message, PATH_LINK));
            return true;
        }

        public int poll(final Handler handler, final int limit)
        {
            int count = 0;
            while (count < limit && !in.isEmpty())
            {
                final Message message = in.peek();
                if (!handler.onMessage(new UnsafeBuffer(message.bytes()), 0, message.bytes().length, message.path()))
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
