package io.natgate.control.journal;

import io.natgate.control.cp.TerminationReason;
import io.natgate.control.firewall.DenialReason;
import io.natgate.control.firewall.SessionFlag;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatEngine;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Journal entries as lines: human-readable ({@code TIME TYPE key=value ...}) or JSON, one object a line
 * ({@code {"time":..., "timeNs":..., "type":..., key: value, ...}}), with a time window and a choice of
 * types. Every entry has a type name, {@link #TYPES}; a type filter names types or their first word
 * ({@code mapping} for every mapping-*).
 */
public final class JournalPrinter implements JournalEvents
{
    /** Every type name, in the order {@code --type} lists them. */
    public static final List<String> TYPES = List.of(
        "gateway-started", "events-lost",
        "mapping-created", "mapping-refreshed", "mapping-restored", "mapping-expired", "mapping-removed",
        "session-created", "session-refreshed", "session-restored", "session-expired", "session-removed",
        "block-allocated", "block-interim", "block-released", "quota-exceeded", "ports-exhausted",
        "provider-created", "provider-registered", "provider-active", "provider-terminated", "provider-deregistered",
        "provider-destroyed", "firewall-session-opened", "firewall-session-closed", "firewall-mapping-opened",
        "flow-denied", "ha-transition");

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final PrintWriter out;
    private final boolean json;
    private final long fromNs;
    private final long toNs;
    private final List<String> types;
    private final StringBuilder line = new StringBuilder(256);
    private boolean printing;
    private boolean passedEnd;
    private long printed;

    /**
     * @param fromNs the earliest entry printed (epoch ns), {@link Long#MIN_VALUE} for any.
     * @param toNs   the latest entry printed, {@link Long#MAX_VALUE} for any.
     * @param types  type names or first words to print; empty for all.
     */
    public JournalPrinter(
        final PrintWriter out, final boolean json, final long fromNs, final long toNs, final List<String> types)
    {
        this.out = out;
        this.json = json;
        this.fromNs = fromNs;
        this.toNs = toNs;
        this.types = List.copyOf(types);
    }

    /**
     * @return true when {@code filter} names a type or the first word of one.
     */
    public static boolean isKnownType(final String filter)
    {
        return TYPES.stream().anyMatch(type -> type.equals(filter) || type.startsWith(filter + "-"));
    }

    /**
     * @return entries printed so far.
     */
    public long printed()
    {
        return printed;
    }

    /**
     * @return true once an entry well past the window was read (entries are in time order to within
     * the second control-plane events may lag), so reading may stop.
     */
    public boolean passedEnd()
    {
        return passedEnd;
    }

    /**
     * @return the time as the printer writes it: ISO-8601 in UTC to the microsecond.
     */
    public static String time(final long epochNs)
    {
        return TIME.format(Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L),
            Math.floorMod(epochNs, 1_000_000_000L)));
    }

    private JournalPrinter begin(final long timeNs, final String type)
    {
        printing = timeNs >= fromNs && timeNs <= toNs && selected(type);
        if (timeNs - toNs > 1_000_000_000L && toNs != Long.MAX_VALUE)
        {
            passedEnd = true;
        }
        if (printing)
        {
            line.setLength(0);
            if (json)
            {
                line.append("{\"time\":\"").append(time(timeNs)).append("\",\"timeNs\":").append(timeNs)
                    .append(",\"type\":\"").append(type).append('"');
            }
            else
            {
                line.append(time(timeNs)).append(' ').append(type);
            }
        }
        return this;
    }

    private boolean selected(final String type)
    {
        if (types.isEmpty())
        {
            return true;
        }
        for (final String filter : types)
        {
            if (type.equals(filter) || type.startsWith(filter + "-"))
            {
                return true;
            }
        }
        return false;
    }

    private JournalPrinter text(final String name, final String value)
    {
        if (printing)
        {
            if (json)
            {
                line.append(",\"").append(name).append("\":");
                if (value == null)
                {
                    line.append("null");
                }
                else
                {
                    line.append('"');
                    appendJsonEscaped(value);
                    line.append('"');
                }
            }
            else
            {
                line.append(' ').append(name).append('=').append(value == null ? "-" : value.replace(' ', '_'));
            }
        }
        return this;
    }

    private void appendJsonEscaped(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                default ->
                {
                    if (c < 0x20)
                    {
                        line.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        line.append(c);
                    }
                }
            }
        }
    }

    private JournalPrinter number(final String name, final long value)
    {
        if (printing)
        {
            if (json)
            {
                line.append(",\"").append(name).append("\":").append(value);
            }
            else
            {
                line.append(' ').append(name).append('=').append(value);
            }
        }
        return this;
    }

    private JournalPrinter endpoint(final String name, final int address, final int port)
    {
        return text(name, Ipv4.toString(address) + ":" + port);
    }

    private JournalPrinter protocol(final int protocol)
    {
        return text("protocol", Ipv4Protocols.name(protocol));
    }

    private void end()
    {
        if (printing)
        {
            if (json)
            {
                line.append('}');
            }
            out.println(line);
            printed++;
        }
    }

    private void mapping(
        final long timeNs, final String type, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        begin(timeNs, type).protocol(protocol).endpoint("inside", insideAddress, insidePort)
            .endpoint("public", publicAddress, publicPort);
    }

    private void block(
        final long timeNs, final String type, final int insideAddress, final int publicAddress, final int firstPort,
        final int lastPort)
    {
        begin(timeNs, type).text("inside", Ipv4.toString(insideAddress))
            .text("public", Ipv4.toString(publicAddress) + ":" + firstPort + "-" + lastPort);
        end();
    }

    @Override
    public void onPortBlockAllocated(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(timeNs, "block-allocated", insideAddress, publicAddress, firstPort, lastPort);
    }

    @Override
    public void onPortBlockInterim(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(timeNs, "block-interim", insideAddress, publicAddress, firstPort, lastPort);
    }

    @Override
    public void onPortBlockReleased(
        final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
    {
        block(timeNs, "block-released", insideAddress, publicAddress, firstPort, lastPort);
    }

    @Override
    public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
    {
        begin(timeNs, "quota-exceeded").text("inside", Ipv4.toString(insideAddress)).number("limit", limit);
        end();
    }

    @Override
    public void onPortsExhausted(final long timeNs, final int publicAddress)
    {
        begin(timeNs, "ports-exhausted").text("public", Ipv4.toString(publicAddress));
        end();
    }

    private void session(
        final long timeNs, final String type, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        mapping(timeNs, type, protocol, insideAddress, insidePort, publicAddress, publicPort);
        endpoint("remote", remoteAddress, remotePort).text("state", state(protocol, state));
    }

    /**
     * @return a session's state in words: {@code established}, {@code syn-out}, {@code fin-in+fin-out},
     * with {@code +inbound} for one opened from outside through a static or inbound mapping.
     */
    public static String state(final int protocol, final int state)
    {
        final StringBuilder words = new StringBuilder();
        if (protocol == Ipv4Protocols.TCP)
        {
            final int both = NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN;
            final int closing = NatEngine.TCP_FIN_OUT | NatEngine.TCP_FIN_IN | NatEngine.TCP_RST;
            if ((state & both) == both && (state & closing) == 0)
            {
                words.append("established");
            }
            else
            {
                final String[] names = {"syn-out", "syn-in", "fin-out", "fin-in", "rst"};
                for (int bit = 0; bit < names.length; bit++)
                {
                    if ((state & (1 << bit)) != 0)
                    {
                        words.append(words.isEmpty() ? "" : "+").append(names[bit]);
                    }
                }
                if (words.isEmpty())
                {
                    words.append("new");
                }
            }
        }
        else
        {
            words.append("open");
        }
        if ((state & NatEngine.SESSION_ADMITTED_INBOUND) != 0)
        {
            words.append("+inbound");
        }
        return words.toString();
    }

    static String kind(final int kind)
    {
        return MappingKind.get(kind).name().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Entries
    // ------------------------------------------------------------------------------------------------------------

    public void onGatewayStarted(final long timeNs, final long processId, final boolean destinations)
    {
        begin(timeNs, "gateway-started").number("pid", processId)
            .text("destinations", destinations ? "journaled" : "not-journaled").end();
    }

    public void onEventsLost(final long timeNs, final long count, final String reason)
    {
        begin(timeNs, "events-lost").number("count", count).text("reason", reason).end();
    }

    public void onHaTransition(final long timeNs, final String from, final String to, final String reason)
    {
        begin(timeNs, "ha-transition").text("from", from).text("to", to).text("reason", reason).end();
    }

    public void onMappingCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind)
    {
        mapping(timeNs, "mapping-created", protocol, insideAddress, insidePort, publicAddress, publicPort);
        text("kind", kind(kind)).end();
    }

    public void onMappingRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mapping(timeNs, "mapping-refreshed", protocol, insideAddress, insidePort, publicAddress, publicPort);
        end();
    }

    public void onMappingRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int kind, final long lastActiveNs)
    {
        mapping(timeNs, "mapping-restored", protocol, insideAddress, insidePort, publicAddress, publicPort);
        text("kind", kind(kind)).text("lastActive", time(lastActiveNs)).end();
    }

    public void onMappingExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mapping(timeNs, "mapping-expired", protocol, insideAddress, insidePort, publicAddress, publicPort);
        end();
    }

    public void onMappingRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort)
    {
        mapping(timeNs, "mapping-removed", protocol, insideAddress, insidePort, publicAddress, publicPort);
        end();
    }

    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(timeNs, "session-created", protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        end();
    }

    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(timeNs, "session-refreshed", protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        end();
    }

    public void onSessionRestored(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state, final long lastActiveNs)
    {
        session(timeNs, "session-restored", protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        text("lastActive", time(lastActiveNs)).end();
    }

    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(timeNs, "session-expired", protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        end();
    }

    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session(timeNs, "session-removed", protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        end();
    }

    public void onInstanceCreated(final long timeEpochNs, final long instanceId)
    {
        begin(timeEpochNs, "provider-created").number("instance", instanceId).end();
    }

    public void onInstanceRegistered(
        final long timeEpochNs, final long instanceId, final long interfaceId, final String friendlyName)
    {
        begin(timeEpochNs, "provider-registered").number("instance", instanceId).number("interface", interfaceId)
            .text("name", friendlyName).end();
    }

    public void onInstanceActive(final long timeEpochNs, final long instanceId)
    {
        begin(timeEpochNs, "provider-active").number("instance", instanceId).end();
    }

    public void onInstanceTerminated(final long timeEpochNs, final long instanceId, final TerminationReason reason)
    {
        begin(timeEpochNs, "provider-terminated").number("instance", instanceId)
            .text("reason", reason == null ? null : reason.name().toLowerCase(Locale.ROOT).replace('_', '-')).end();
    }

    public void onInstanceDeregistered(final long timeEpochNs, final long instanceId)
    {
        begin(timeEpochNs, "provider-deregistered").number("instance", instanceId).end();
    }

    public void onInstanceDestroyed(final long timeEpochNs, final long instanceId)
    {
        begin(timeEpochNs, "provider-destroyed").number("instance", instanceId).end();
    }

    public void onSessionOpened(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final int clientPort,
        final int internalAddress, final String user)
    {
        begin(timeNs, "firewall-session-opened").number("session", sessionId).text("kind", firewallKind(flags))
            .endpoint("client", clientAddress, clientPort).text("internal", Ipv4.toString(internalAddress))
            .text("user", user).end();
    }

    public void onSessionClosed(
        final long timeNs, final long sessionId, final int flags, final int clientAddress, final String user)
    {
        begin(timeNs, "firewall-session-closed").number("session", sessionId).text("kind", firewallKind(flags))
            .text("client", Ipv4.toString(clientAddress)).text("user", user).end();
    }

    public void onInboundMappingOpened(
        final long timeNs, final long sessionId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress)
    {
        begin(timeNs, "firewall-mapping-opened").number("session", sessionId).protocol(protocol)
            .endpoint("inside", insideAddress, insidePort).endpoint("public", publicAddress, publicPort)
            .text("remote", remoteAddress == 0 ? "any" : Ipv4.toString(remoteAddress)).end();
    }

    public void onFlowDenied(
        final long timeNs, final DenialReason reason, final boolean inbound, final int protocol,
        final int sourceAddress, final int sourcePort, final int destinationAddress, final int destinationPort,
        final String rule, final long suppressedBefore)
    {
        begin(timeNs, "flow-denied").text("direction", inbound ? "inbound" : "outbound").protocol(protocol)
            .endpoint("source", sourceAddress, sourcePort).endpoint("destination", destinationAddress, destinationPort)
            .text("reason", reason == null ? null : reason.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .text("rule", rule).number("suppressedBefore", suppressedBefore).end();
    }

    static String firewallKind(final int flags)
    {
        return (flags & SessionFlag.PRIVATE.bit()) != 0 ? "private" : "client";
    }
}
