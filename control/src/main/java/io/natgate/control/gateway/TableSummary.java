package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables at a glance, as VPP's {@code show nat44 summary}: sessions by protocol and state, and how full each
 * table is.
 *
 * @param sessionsByProtocolAndState "tcp established" to its count, in name order.
 */
public record TableSummary(Map<String, Integer> sessionsByProtocolAndState, TableUse use)
{
    static String key(final int protocol, final SessionState state)
    {
        return Ipv4Protocols.name(protocol) + " " + state.label();
    }

    static Map<String, Integer> newCounts()
    {
        return new TreeMap<>();
    }

    public static double percent(final long used, final long capacity)
    {
        return capacity == 0 ? 0 : 100.0 * used / capacity;
    }

    public String toJson()
    {
        final StringBuilder json = new StringBuilder("{\"sessions\":{");
        String separator = "";
        for (final Map.Entry<String, Integer> entry : sessionsByProtocolAndState.entrySet())
        {
            json.append(separator).append('"').append(entry.getKey()).append("\":").append(entry.getValue());
            separator = ",";
        }
        json.append("},\"tables\":{");
        table(json, "sessions", use.sessions(), use.sessionCapacity()).append(',');
        table(json, "mappings", use.mappings(), use.mappingCapacity()).append(',');
        table(json, "clients", use.clients(), use.clientCapacity()).append(',');
        table(json, "ports", use.portsInUse(), use.portCapacity());
        json.append("},\"publicAddresses\":{");
        separator = "";
        for (final Map.Entry<Integer, Integer> entry : use.portsByPublicAddress().entrySet())
        {
            json.append(separator).append('"').append(Ipv4.toString(entry.getKey())).append("\":")
                .append(entry.getValue());
            separator = ",";
        }
        return json.append("}}").toString();
    }

    private static StringBuilder table(final StringBuilder json, final String name, final long used, final long capacity)
    {
        return json.append('"').append(name).append("\":{\"used\":").append(used).append(",\"capacity\":")
            .append(capacity).append(",\"percent\":").append(String.format(Locale.ROOT, "%.2f", percent(used, capacity)))
            .append('}');
    }
}
