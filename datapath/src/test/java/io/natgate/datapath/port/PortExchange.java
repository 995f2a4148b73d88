package io.natgate.datapath.port;

import io.natgate.bindings.testing.FrameExchange;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Adapts ports to the bindings' {@link FrameExchange}: frames go in through {@link Port#transmit}
 * and {@link Port#flush}, and come out of {@link Port#receive} one at a time.
 */
public final class PortExchange
{
    private PortExchange()
    {
    }

    /**
     * Sends numbered frames out of {@code from} and checks {@code to} receives all of them byte-identical.
     *
     * @return how many arrived.
     */
    static int exchange(final Port from, final Port to, final byte[][] frames, final int burst)
    {
        return FrameExchange.exchange(
            frame -> from.transmit(new UnsafeBuffer(frame), 0, frame.length), from::flush, () -> poll(to), frames, burst);
    }

    /**
     * @return a copy of the next frame the port receives, or null when none is ready.
     */
    public static byte[] poll(final Port port)
    {
        final byte[][] holder = new byte[1][];
        port.receive((buffer, offset, length) ->
        {
            holder[0] = new byte[length];
            buffer.getBytes(offset, holder[0]);
            return true;
        }, 1);
        return holder[0];
    }
}
