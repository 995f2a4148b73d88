package io.natgate.control.export;

import io.natgate.control.providers.LocalUdp;
import org.agrona.DirectBuffer;

/**
 * Export datagrams sent in-band through the datapath from one of the gateway's addresses ({@link LocalUdp}),
 * as a CGNAT reaches its collectors over its own ports; a full local queue is a refused datagram.
 */
public final class InBandTransport implements ExportTransport
{
    private final LocalUdp local;
    private final int sourceAddress;
    private final int sourcePort;

    public InBandTransport(final LocalUdp local, final int sourceAddress, final int sourcePort)
    {
        this.local = local;
        this.sourceAddress = sourceAddress;
        this.sourcePort = sourcePort;
    }

    public boolean send(
        final int destinationAddress, final int destinationPort, final DirectBuffer buffer, final int offset,
        final int length)
    {
        return local.send(sourceAddress, sourcePort, destinationAddress, destinationPort, buffer, offset, length);
    }

    public void close()
    {
        // the local port belongs to the gateway
    }
}
