package io.natgate.control.export;

import io.natgate.control.config.Ipv4Endpoint;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.natgate.control.export.IpfixTemplates.BIB;
import static io.natgate.control.export.IpfixTemplates.PORTS_EXHAUSTED;
import static io.natgate.control.export.IpfixTemplates.PORT_BLOCK;
import static io.natgate.control.export.IpfixTemplates.QUOTA_EXCEEDED;
import static io.natgate.control.export.IpfixTemplates.SESSION;

/**
 * NAT events as IPFIX (RFC 7011) over UDP: data records of {@link IpfixTemplates}' templates packed into
 * messages of at most {@link #MAX_MESSAGE_LENGTH} bytes, one Data Set per run of records of one template,
 * sent to every collector when full or at {@link #flush}. The templates go at the head of the first message
 * and again every {@code templateRefreshMs} (RFC 7011 section 8.4: over UDP templates are resent
 * periodically). Each collector's stream keeps its own sequence number: the count of data records sent to it
 * before the message (RFC 7011 section 3.1); what could not be sent is counted and does not advance it, and
 * templates that could not be sent go with the next message.
 * Single-threaded (the gateway's event thread); allocates nothing per record.
 */
public final class IpfixExporter implements NatLogSink
{
    /** Messages stay below a 1500-byte MTU with IPv4 and UDP headers and room for a tunnel. */
    public static final int MAX_MESSAGE_LENGTH = 1400;
    public static final int VERSION = 10;
    private static final int HEADER_LENGTH = 16;
    private static final int SET_HEADER_LENGTH = 4;
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final ExportTransport transport;
    private final int[] collectorAddresses;
    private final int[] collectorPorts;
    private final long[] sequences;
    private final int observationDomain;
    private final int poolId;
    private final byte[] poolName;
    private final long templateRefreshMs;
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_MESSAGE_LENGTH));
    private int position;
    private int setStart;
    private int setTemplate;
    private int recordsInMessage;
    private boolean templatesSent;
    private boolean messageHasTemplates;
    private long nextTemplatesMs;
    private long recordsSent;
    private long recordsUnsent;
    private long messagesSent;

    public IpfixExporter(
        final ExportTransport transport, final List<Ipv4Endpoint> collectors, final int observationDomain,
        final long templateRefreshMs, final int poolId, final String poolName)
    {
        this.transport = transport;
        collectorAddresses = collectors.stream().mapToInt(Ipv4Endpoint::address).toArray();
        collectorPorts = collectors.stream().mapToInt(Ipv4Endpoint::port).toArray();
        sequences = new long[collectors.size()];
        this.observationDomain = observationDomain;
        this.templateRefreshMs = templateRefreshMs;
        this.poolId = poolId;
        this.poolName = poolName.getBytes(StandardCharsets.US_ASCII);
        if (this.poolName.length > 254)
        {
            throw new IllegalArgumentException("pool name over 254 bytes");
        }
    }

    public void mapping(
        final int event, final long timeMs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        int at = record(BIB, IpfixTemplates.fixedRecordLength(BIB), timeMs, event);
        buffer.putByte(at++, (byte)protocol);
        at = endpoint(at, insideAddress, insidePort);
        at = endpoint(at, publicAddress, publicPort);
        buffer.putInt(at, poolId, NETWORK);
    }

    public void session(
        final int event, final long timeMs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort)
    {
        int at = record(SESSION, IpfixTemplates.fixedRecordLength(SESSION), timeMs, event);
        buffer.putByte(at++, (byte)protocol);
        at = endpoint(at, insideAddress, insidePort);
        at = endpoint(at, publicAddress, publicPort);
        at = endpoint(at, remoteAddress, remotePort);
        at = endpoint(at, remoteAddress, remotePort); // natgate does not translate destinations
        buffer.putInt(at, poolId, NETWORK);
    }

    public void block(
        final int event, final boolean interim, final long timeMs, final int insideAddress, final int publicAddress,
        final int firstPort, final int lastPort)
    {
        int at = record(PORT_BLOCK, IpfixTemplates.fixedRecordLength(PORT_BLOCK), timeMs, event);
        buffer.putInt(at, insideAddress, NETWORK);
        buffer.putInt(at + 4, publicAddress, NETWORK);
        buffer.putShort(at + 8, (short)firstPort, NETWORK);
        buffer.putShort(at + 10, (short)lastPort, NETWORK);
        buffer.putShort(at + 12, (short)1, NETWORK);
        buffer.putShort(at + 14, (short)(lastPort - firstPort + 1), NETWORK);
        buffer.putInt(at + 16, poolId, NETWORK);
    }

    public void quotaExceeded(final long timeMs, final int insideAddress, final int limit)
    {
        final int at = record(QUOTA_EXCEEDED, IpfixTemplates.fixedRecordLength(QUOTA_EXCEEDED), timeMs,
            NatEvent.QUOTA_EXCEEDED);
        buffer.putInt(at, NatEvent.QUOTA_ENTRIES_PER_USER, NETWORK);
        buffer.putInt(at + 4, limit, NETWORK);
        buffer.putInt(at + 8, insideAddress, NETWORK);
    }

    public void portsExhausted(final long timeMs, final int publicAddress)
    {
        final int at = record(PORTS_EXHAUSTED, IpfixTemplates.fixedRecordLength(PORTS_EXHAUSTED) + 1 + poolName.length,
            timeMs, NatEvent.PORTS_EXHAUSTED);
        buffer.putInt(at, publicAddress, NETWORK);
        buffer.putInt(at + 4, poolId, NETWORK);
        buffer.putByte(at + 8, (byte)poolName.length);
        buffer.putBytes(at + 9, poolName);
    }

    public int flush(final long nowMs)
    {
        if (position == 0 && (!templatesSent || nowMs - nextTemplatesMs >= 0))
        {
            begin(nowMs); // templates alone, so collectors know them before the first record
        }
        if (position == 0)
        {
            return 0;
        }
        send(nowMs);
        return 1;
    }

    public long recordsSent()
    {
        return recordsSent;
    }

    public long recordsUnsent()
    {
        return recordsUnsent;
    }

    /**
     * @return messages sent (to every collector, counted once).
     */
    public long messagesSent()
    {
        return messagesSent;
    }

    public void close()
    {
        transport.close();
    }

    /**
     * Claims room for a data record of {@code templateId}, sending the message first when it is full, and
     * writes its time and event.
     *
     * @return where the rest of the record goes.
     */
    private int record(final int templateId, final int length, final long timeMs, final int event)
    {
        if (position == 0)
        {
            begin(timeMs);
        }
        if (position + (setTemplate == templateId ? 0 : SET_HEADER_LENGTH) + length > MAX_MESSAGE_LENGTH)
        {
            send(timeMs);
            begin(timeMs);
        }
        if (setTemplate != templateId)
        {
            closeSet();
            setStart = position;
            setTemplate = templateId;
            buffer.putShort(position, (short)templateId, NETWORK);
            position += SET_HEADER_LENGTH;
        }
        final int at = position;
        position += length;
        recordsInMessage++;
        buffer.putLong(at, timeMs, NETWORK);
        buffer.putByte(at + 8, (byte)event);
        return at + 9;
    }

    private int endpoint(final int at, final int address, final int port)
    {
        buffer.putInt(at, address, NETWORK);
        buffer.putShort(at + 4, (short)port, NETWORK);
        return at + 6;
    }

    private void begin(final long nowMs)
    {
        position = HEADER_LENGTH;
        setTemplate = 0;
        recordsInMessage = 0;
        messageHasTemplates = false;
        if (!templatesSent || nowMs - nextTemplatesMs >= 0)
        {
            templatesSent = true;
            messageHasTemplates = true;
            nextTemplatesMs = nowMs + templateRefreshMs;
            position += IpfixTemplates.writeTemplateSet(buffer, position);
        }
    }

    private void closeSet()
    {
        if (setTemplate != 0)
        {
            buffer.putShort(setStart + 2, (short)(position - setStart), NETWORK);
            setTemplate = 0;
        }
    }

    private void send(final long nowMs)
    {
        closeSet();
        buffer.putShort(0, (short)VERSION, NETWORK);
        buffer.putShort(2, (short)position, NETWORK);
        buffer.putInt(4, (int)(nowMs / 1000), NETWORK);
        buffer.putInt(12, observationDomain, NETWORK);
        for (int c = 0; c < collectorAddresses.length; c++)
        {
            buffer.putInt(8, (int)sequences[c], NETWORK);
            if (transport.send(collectorAddresses[c], collectorPorts[c], buffer, 0, position))
            {
                sequences[c] += recordsInMessage;
                recordsSent += recordsInMessage;
            }
            else
            {
                recordsUnsent += recordsInMessage;
                templatesSent &= !messageHasTemplates; // a collector that missed them gets them with the next message
            }
        }
        messagesSent++;
        position = 0;
        recordsInMessage = 0;
    }
}
