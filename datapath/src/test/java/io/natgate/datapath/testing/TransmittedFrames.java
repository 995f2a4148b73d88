package io.natgate.datapath.testing;

import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.port.InMemoryPort;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a pipeline transmitted on an in-memory port, for tests that drive it with threads or an invoker.
 */
public final class TransmittedFrames
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private TransmittedFrames()
    {
    }

    /**
     * @return the IPv4 frames the port transmitted since the last call (not the gateway's gratuitous ARP).
     */
    public static List<byte[]> ipv4(final InMemoryPort port)
    {
        final List<byte[]> frames = new ArrayList<>();
        port.pollTransmitted((buffer, offset, length) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            if (Frames.etherType(frame) == EthernetFrame.ETHERTYPE_IPV4)
            {
                frames.add(frame);
            }
            return true;
        }, Integer.MAX_VALUE);
        return frames;
    }

    /**
     * Adds the port's IPv4 frames to {@code into} until it holds {@code count}, for up to 10 s, and asserts it
     * holds exactly that many.
     */
    public static void awaitIpv4(final InMemoryPort port, final int count, final List<byte[]> into)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (into.size() < count && System.nanoTime() - deadlineNs < 0)
        {
            into.addAll(ipv4(port));
            Thread.sleep(1);
        }
        assertEquals(count, into.size(), "frames transmitted on " + port.name());
    }
}
