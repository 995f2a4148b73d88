package io.natgate.datapath.port;

import io.natgate.bindings.pcap.Pcap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receive loop shared by the live and file pcap ports: polls {@code pcap_next_ex} and hands
 * each packet to the handler through one reused view of libpcap's own buffer, so nothing is
 * copied or allocated per frame.
 */
final class PcapReceiver
{
    private final Pcap pcap;
    private final UnsafeBuffer view = new UnsafeBuffer();
    private boolean endOfFile;
    private long lastTimestampMicros;

    PcapReceiver(final Pcap pcap)
    {
        this.pcap = pcap;
    }

    int receive(final FrameHandler handler, final int limit)
    {
        int received = 0;
        while (received < limit)
        {
            final int result = pcap.next();
            if (result != Pcap.PACKET)
            {
                endOfFile = result == Pcap.END_OF_FILE;
                break;
            }
            final int length = pcap.capturedLength();
            lastTimestampMicros = pcap.timestampMicros();
            view.wrap(pcap.packetAddress(), length);
            received++;
            if (!handler.onFrame(view, 0, length))
            {
                break;
            }
        }
        return received;
    }

    boolean endOfFile()
    {
        return endOfFile;
    }

    long lastTimestampMicros()
    {
        return lastTimestampMicros;
    }
}
