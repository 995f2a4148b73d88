package io.natgate.control.export;

import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * NAT events as syslog (RFC 5424) over UDP (RFC 5426), one event a datagram, a line close to what CGNAT
 * vendors log: a MSGID per event ({@code NAT_PORT_BLOCK_ALLOC}, ...), the fields as structured data
 * {@code [nat@32473 ...]} (32473 is the example enterprise number of RFC 5612) and a readable message, e.g.
 * <pre>
 * &lt;134&gt;1 2026-03-01T12:00:00.123Z natgate natgate 4242 NAT_PORT_BLOCK_ALLOC [nat@32473 event="16"
 *   inside="10.0.0.2" public="203.0.113.1" ports="1024-1087" pool="default"] 10.0.0.2 -&gt; 203.0.113.1:1024-1087
 * </pre>
 * Facility local0, severity informational. Single-threaded (the gateway's event thread).
 */
public final class SyslogExporter implements NatLogSink
{
    /** local0 (16) * 8 + informational (6). */
    public static final int PRIORITY = 134;
    public static final String SD_ID = "nat@32473";
    private static final int MAX_LINE_LENGTH = 1024;
    private static final DateTimeFormatter SECOND =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final ExportTransport transport;
    private final int[] collectorAddresses;
    private final int[] collectorPorts;
    private final String header;
    private final String poolName;
    private final StringBuilder line = new StringBuilder(MAX_LINE_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LINE_LENGTH * 4));
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedSecondText = "";
    private long recordsSent;
    private long recordsUnsent;

    public SyslogExporter(
        final ExportTransport transport, final List<Ipv4Endpoint> collectors, final String hostname,
        final String poolName)
    {
        this.transport = transport;
        collectorAddresses = collectors.stream().mapToInt(Ipv4Endpoint::address).toArray();
        collectorPorts = collectors.stream().mapToInt(Ipv4Endpoint::port).toArray();
        header = " " + hostname + " natgate " + ProcessHandle.current().pid() + " ";
        this.poolName = poolName;
    }

    public void mapping(
        final int event, final long timeMs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        begin(timeMs, event == NatEvent.BIB_CREATE ? "NAT44_BIB_CREATE" : "NAT44_BIB_DELETE", event)
            .field("proto", Ipv4Protocols.name(protocol)).endpointField("inside", insideAddress, insidePort)
            .endpointField("public", publicAddress, publicPort).field("pool", poolName).message();
        line.append(Ipv4Protocols.name(protocol).toUpperCase(Locale.ROOT)).append(' ');
        endpoint(insideAddress, insidePort).append(" -> ");
        endpoint(publicAddress, publicPort);
        send();
    }

    public void session(
        final int event, final long timeMs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort)
    {
        begin(timeMs, event == NatEvent.SESSION_CREATE ? "NAT44_SESSION_CREATE" : "NAT44_SESSION_DELETE", event)
            .field("proto", Ipv4Protocols.name(protocol)).endpointField("inside", insideAddress, insidePort)
            .endpointField("public", publicAddress, publicPort).endpointField("remote", remoteAddress, remotePort)
            .field("pool", poolName).message();
        line.append(Ipv4Protocols.name(protocol).toUpperCase(Locale.ROOT)).append(' ');
        endpoint(insideAddress, insidePort).append(" -> ");
        endpoint(publicAddress, publicPort).append(" -> ");
        endpoint(remoteAddress, remotePort);
        send();
    }

    public void block(
        final int event, final boolean interim, final long timeMs, final int insideAddress, final int publicAddress,
        final int firstPort, final int lastPort)
    {
        final String msgId = interim ? "NAT_PORT_BLOCK_INTERIM" :
            event == NatEvent.PORT_BLOCK_ALLOCATE ? "NAT_PORT_BLOCK_ALLOC" : "NAT_PORT_BLOCK_RELEASE";
        begin(timeMs, msgId, event).field("inside", Ipv4.toString(insideAddress))
            .field("public", Ipv4.toString(publicAddress)).field("ports", firstPort + "-" + lastPort)
            .field("pool", poolName).message();
        line.append(Ipv4.toString(insideAddress)).append(" -> ").append(Ipv4.toString(publicAddress)).append(':')
            .append(firstPort).append('-').append(lastPort);
        send();
    }

    public void quotaExceeded(final long timeMs, final int insideAddress, final int limit)
    {
        begin(timeMs, "NAT_QUOTA_EXCEEDED", NatEvent.QUOTA_EXCEEDED).field("inside", Ipv4.toString(insideAddress))
            .field("limit", Integer.toString(limit)).field("pool", poolName).message();
        line.append(Ipv4.toString(insideAddress)).append(" over its limit of ").append(limit).append(" ports");
        send();
    }

    public void portsExhausted(final long timeMs, final int publicAddress)
    {
        begin(timeMs, "NAT_PORTS_EXHAUSTED", NatEvent.PORTS_EXHAUSTED).field("public", Ipv4.toString(publicAddress))
            .field("pool", poolName).message();
        line.append(Ipv4.toString(publicAddress)).append(" has no free port in pool ").append(poolName);
        send();
    }

    public int flush(final long nowMs)
    {
        return 0; // a datagram per event, sent at once
    }

    public long recordsSent()
    {
        return recordsSent;
    }

    public long recordsUnsent()
    {
        return recordsUnsent;
    }

    public void close()
    {
        transport.close();
    }

    private SyslogExporter begin(final long timeMs, final String msgId, final int event)
    {
        final long second = Math.floorDiv(timeMs, 1000);
        if (second != cachedSecond)
        {
            cachedSecond = second;
            cachedSecondText = SECOND.format(Instant.ofEpochSecond(second));
        }
        final long millis = Math.floorMod(timeMs, 1000);
        line.setLength(0);
        line.append('<').append(PRIORITY).append(">1 ").append(cachedSecondText).append('.')
            .append((char)('0' + millis / 100)).append((char)('0' + millis / 10 % 10)).append((char)('0' + millis % 10))
            .append('Z').append(header).append(msgId).append(" [").append(SD_ID).append(" event=\"").append(event)
            .append('"');
        return this;
    }

    private SyslogExporter field(final String name, final String value)
    {
        line.append(' ').append(name).append("=\"").append(value).append('"'); // values never hold " \ or ]
        return this;
    }

    private SyslogExporter endpointField(final String name, final int address, final int port)
    {
        line.append(' ').append(name).append("=\"");
        endpoint(address, port);
        line.append('"');
        return this;
    }

    private StringBuilder endpoint(final int address, final int port)
    {
        return line.append(Ipv4.toString(address)).append(':').append(port);
    }

    private void message()
    {
        line.append("] ");
    }

    private void send()
    {
        final int length = Math.min(line.length(), MAX_LINE_LENGTH);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)line.charAt(i)); // ASCII only
        }
        for (int c = 0; c < collectorAddresses.length; c++)
        {
            if (transport.send(collectorAddresses[c], collectorPorts[c], buffer, 0, length))
            {
                recordsSent++;
            }
            else
            {
                recordsUnsent++;
            }
        }
    }
}
