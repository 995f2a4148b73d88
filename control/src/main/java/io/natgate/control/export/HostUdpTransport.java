package io.natgate.control.export;

import io.natgate.control.config.Ipv4Endpoint;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Export datagrams through the host's own UDP stack (a management network), from a non-blocking socket:
 * a full socket buffer or an error is a refused datagram, never a wait.
 */
public final class HostUdpTransport implements ExportTransport
{
    private final DatagramChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);

    public HostUdpTransport()
    {
        try
        {
            channel = DatagramChannel.open();
            channel.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the export socket", ex);
        }
    }

    public boolean send(
        final int destinationAddress, final int destinationPort, final DirectBuffer source, final int offset,
        final int length)
    {
        buffer.clear();
        source.getBytes(offset, buffer, length);
        buffer.flip();
        try
        {
            return channel.send(buffer, address(destinationAddress, destinationPort)) == length;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static InetSocketAddress address(final int address, final int port)
    {
        return new Ipv4Endpoint(address, port).toSocketAddress();
    }

    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing: nothing left to send
        }
    }
}
