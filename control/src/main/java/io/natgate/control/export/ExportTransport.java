package io.natgate.control.export;

import org.agrona.DirectBuffer;

/**
 * Where export datagrams leave: the host's own UDP stack, or in-band through the datapath from one of the
 * gateway's addresses. Never blocks.
 */
public interface ExportTransport extends AutoCloseable
{
    /**
     * @return false when the datagram could not be sent (counted by the caller as unsent).
     */
    boolean send(int destinationAddress, int destinationPort, DirectBuffer buffer, int offset, int length);

    @Override
    void close();
}
