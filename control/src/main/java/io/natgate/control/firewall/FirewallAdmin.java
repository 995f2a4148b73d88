package io.natgate.control.firewall;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.natgate.control.config.FirewallRuleConfig;
import io.natgate.control.config.Ipv4Endpoint;
import io.natgate.control.config.Ipv4Prefix;
import io.natgate.control.config.Units;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin endpoint's firewall routes, JSON in the query string and out in the body:
 * <ul>
 * <li>{@code GET /firewall/sessions[?client=A]}: open sessions, then recently closed ones (of one client
 *     address: its client session and every private one), with kind, flags, user and the mappings each opened;</li>
 * <li>{@code GET /firewall/rules}: the access rules in order of evaluation, with how many new flows each decided;</li>
 * <li>{@code POST /firewall/sessions?client=A[:port][&internal=B][&user=U[&groups=G,H]]}: a private session,
 *     or with {@code kind=client} the client session of a SecureNAT client; with {@code protocol=tcp|udp&port=N
 *     [&publicPort=P][&remote=R][&lifetime=1h]} it also opens an inbound mapping for the client, refused (403,
 *     naming the rule) when the access rules would drop what comes in through it, as PCP refuses it;</li>
 * <li>{@code DELETE /firewall/sessions?id=N}: closes a session and its mappings;</li>
 * <li>{@code POST /firewall/mappings?session=N&protocol=tcp&port=N[...]}, {@code DELETE /firewall/mappings?session=N
 *     &protocol=tcp&port=N}: opens or closes one inbound mapping of a session.</li>
 * </ul>
 * Refusals answer 400 (bad argument), 403 (denied, with the reason code), 404 (no such session or mapping),
 * 409 (session terminated, mapping held by another session, too many sessions) or 503 (the worker did not
 * answer).
 */
public final class FirewallAdmin implements HttpHandler
{
    public static final String CONTEXT = "/firewall/";

    private final Firewall firewall;

    public FirewallAdmin(final Firewall firewall)
    {
        this.firewall = firewall;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        int status;
        String body;
        try
        {
            final Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            final String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            switch (route)
            {
                case "GET /firewall/sessions" ->
                {
                    status = 200;
                    body = sessionsJson(sessions(query));
                }
                case "GET /firewall/rules" ->
                {
                    status = 200;
                    body = rulesJson();
                }
                case "POST /firewall/sessions" ->
                {
                    status = 201;
                    body = sessionJson(open(query)) + "\n";
                }
                case "DELETE /firewall/sessions" ->
                {
                    final FirewallSession session = firewall.session(number(query, "id"));
                    session.close();
                    status = 200;
                    body = sessionJson(session) + "\n";
                }
                case "POST /firewall/mappings" ->
                {
                    status = 201;
                    body = mappingJson(openMapping(firewall.session(number(query, "session")), query)) + "\n";
                }
                case "DELETE /firewall/mappings" ->
                {
                    final FirewallSession session = firewall.session(number(query, "session"));
                    session.closeInboundMapping(protocol(required(query, "protocol")), (int)number(query, "port"));
                    status = 200;
                    body = sessionJson(session) + "\n";
                }
                default ->
                {
                    status = route.endsWith("/firewall/sessions") || route.endsWith("/firewall/mappings") ||
                        route.endsWith("/firewall/rules") ? 405 : 404;
                    body = error("no route " + route + " (GET, POST or DELETE /firewall/sessions; POST or DELETE" +
                        " /firewall/mappings; GET /firewall/rules)", null);
                }
            }
        }
        catch (final FirewallException ex)
        {
            final DenialReason reason = ex.reason();
            status = reason == DenialReason.SESSION_TERMINATED || reason == DenialReason.MAPPING_HELD ||
                reason == DenialReason.SESSION_LIMIT ? 409 : 403;
            body = error(ex.getMessage(), reason);
        }
        catch (final NoSuchElementException ex)
        {
            status = 404;
            body = error(ex.getMessage(), null);
        }
        catch (final IllegalArgumentException ex)
        {
            status = 400;
            body = error(ex.getMessage(), null);
        }
        catch (final RuntimeException ex)
        {
            status = 503;
            body = error(ex.getMessage(), null);
        }
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    private FirewallSession open(final Map<String, String> query)
    {
        final InetSocketAddress client = endpoint(required(query, "client"));
        final String kind = query.getOrDefault("kind", "private");
        final FirewallSession session;
        if (kind.equals("client"))
        {
            if (query.containsKey("internal") || query.containsKey("user"))
            {
                throw new IllegalArgumentException("a client session takes no internal address or user");
            }
            session = firewall.getClientSession(client);
        }
        else if (kind.equals("private"))
        {
            final String internal = query.get("internal");
            final String user = query.get("user");
            final String groups = query.get("groups");
            if (user == null && groups != null)
            {
                throw new IllegalArgumentException("groups need a user");
            }
            session = firewall.createPrivateSession(client, internal == null ? null : endpoint(internal),
                user == null ? null : new AuthenticatedUser(user, groups == null ? Set.of() :
                    new TreeSet<>(Arrays.asList(groups.split(",")))));
        }
        else
        {
            throw new IllegalArgumentException("kind must be private or client, not " + kind);
        }
        if (query.containsKey("protocol") || query.containsKey("port"))
        {
            try
            {
                openMapping(session, query);
            }
            catch (final RuntimeException ex)
            {
                if (kind.equals("private"))
                {
                    session.close(); // made for this mapping: not left behind without it
                }
                throw ex;
            }
        }
        return session;
    }

    private List<FirewallSession> sessions(final Map<String, String> query)
    {
        final String client = query.get("client");
        if (client == null)
        {
            return firewall.sessions();
        }
        final InetAddress address = endpoint(client).getAddress();
        return firewall.sessions().stream().filter(session -> session.clientAddress().getAddress().equals(address))
            .toList();
    }

    /**
     * Opens the mapping the query asks for, unless the access rules would drop what comes in through it.
     */
    private static InboundMapping openMapping(final FirewallSession session, final Map<String, String> query)
    {
        final int protocol = protocol(required(query, "protocol"));
        final int port = (int)number(query, "port");
        final String remote = query.get("remote");
        final String lifetime = query.get("lifetime");
        final InetAddress remoteAddress =
            remote == null || remote.equals("any") ? null : InetAddress.ofLiteral(ipv4(remote));
        final AccessDecision decision = session.checkInbound(protocol,
            new InetSocketAddress(remoteAddress == null ? InetAddress.ofLiteral("0.0.0.0") : remoteAddress, 0), port);
        if (!decision.allowed())
        {
            throw new FirewallException(decision.reason(), "inbound " + Ipv4Protocols.name(protocol) + " to " +
                endpoint(session.clientAddress().getAddress(), port) + " from " +
                (remoteAddress == null ? "any remote" : remoteAddress.getHostAddress()) + " would be dropped: " +
                why(decision) + "; no mapping opened");
        }
        return session.openInboundMapping(protocol, port,
            query.containsKey("publicPort") ? (int)number(query, "publicPort") : 0, remoteAddress,
            lifetime == null ? null : Duration.ofNanos(Units.parseDurationNs(lifetime)));
    }

    private static String why(final AccessDecision decision)
    {
        if (decision.rule() == null)
        {
            return "no rule of firewall.rules allows it (inbound is denied unless a rule allows it)";
        }
        return decision.reason() == DenialReason.NOT_AUTHENTICATED ?
            "rule " + decision.rule() + " of firewall.rules allows it only for its user or group, and this session" +
                " has none that it names" :
            "rule " + decision.rule() + " of firewall.rules denies it";
    }

    // ------------------------------------------------------------------------------------------------------------
    // JSON
    // ------------------------------------------------------------------------------------------------------------

    private String sessionsJson(final List<FirewallSession> sessions)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < sessions.size(); i++)
        {
            json.append(i == 0 ? "\n" : ",\n").append(sessionJson(sessions.get(i)));
        }
        return json.append("\n]\n").toString();
    }

    private String sessionJson(final FirewallSession session)
    {
        final StringBuilder json = new StringBuilder();
        json.append("{\"id\": ").append(session.id())
            .append(", \"kind\": \"").append(session.has(SessionFlag.PRIVATE) ? "private" : "client")
            .append("\", \"state\": \"").append(session.isTerminated() ? "terminated" : "open")
            .append("\", \"flags\": [");
        int i = 0;
        for (final SessionFlag flag : session.flags())
        {
            json.append(i++ == 0 ? "" : ", ").append(quote(flag.name()));
        }
        json.append("], \"client\": ").append(quote(endpoint(session.clientAddress())))
            .append(", \"interface\": ").append(quote(session.interfaceName()))
            .append(", \"internal\": ").append(quote(endpoint(session.internalAddress())));
        final AuthenticatedUser user = session.authenticatedUser();
        json.append(", \"user\": ").append(user == null ? "null" : quote(user.name())).append(", \"groups\": [");
        if (user != null)
        {
            i = 0;
            for (final String group : new TreeSet<>(user.groups()))
            {
                json.append(i++ == 0 ? "" : ", ").append(quote(group));
            }
        }
        final long nowNs = firewall.nowNs();
        json.append("], \"openForMs\": ")
            .append(((session.isTerminated() ? session.closedNs() : nowNs) - session.openedNs()) / 1_000_000);
        if (session.isTerminated())
        {
            json.append(", \"closedMsAgo\": ").append((nowNs - session.closedNs()) / 1_000_000);
        }
        json.append(", \"mappings\": [");
        final List<InboundMapping> mappings = session.inboundMappings();
        for (int m = 0; m < mappings.size(); m++)
        {
            json.append(m == 0 ? "" : ", ").append(mappingJson(mappings.get(m)));
        }
        return json.append("]}").toString();
    }

    private String rulesJson()
    {
        final List<FirewallRuleConfig> rules = firewall.rules();
        final StringBuilder json = new StringBuilder("[");
        for (int r = 0; r < rules.size(); r++)
        {
            final FirewallRuleConfig rule = rules.get(r);
            json.append(r == 0 ? "\n" : ",\n")
                .append("{\"index\": ").append(r + 1)
                .append(", \"name\": ").append(quote(rule.name()))
                .append(", \"action\": ").append(quote(rule.action().name().toLowerCase(Locale.ROOT)))
                .append(", \"direction\": ").append(quote(rule.direction().name().toLowerCase(Locale.ROOT)))
                .append(", \"protocol\": ").append(quote(rule.protocol() == null ? "any" : rule.protocol()))
                .append(", \"source\": ").append(quote(prefix(rule.source())))
                .append(", \"destination\": ").append(quote(prefix(rule.destination())))
                .append(", \"ports\": ").append(quote(rule.firstPort() == 0 && rule.lastPort() == 65535 ? "any" :
                    rule.firstPort() == rule.lastPort() ? Integer.toString(rule.firstPort()) :
                        rule.firstPort() + "-" + rule.lastPort()))
                .append(", \"user\": ").append(rule.user() == null ? "null" : quote(rule.user()))
                .append(", \"group\": ").append(rule.group() == null ? "null" : quote(rule.group()))
                .append(", \"hits\": ").append(firewall.ruleHits(r)).append('}');
        }
        return json.append(rules.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    private static String prefix(final Ipv4Prefix prefix)
    {
        return prefix == null || prefix.prefixLength() == 0 ? "any" : prefix.toString();
    }

    private static String mappingJson(final InboundMapping mapping)
    {
        return "{\"protocol\": " + quote(Ipv4Protocols.name(mapping.protocol())) +
            ", \"inside\": " + quote(mapping.insideEndpoint().toString()) +
            ", \"public\": " + quote(mapping.publicEndpoint().toString()) +
            ", \"remote\": " + quote(mapping.remoteAddress() == 0 ? "any" : Ipv4.toString(mapping.remoteAddress())) +
            ", \"lifetime\": " + quote(mapping.isUntilClosed() ? "until closed" : Units.formatDuration(mapping.lifetimeNs())) +
            "}";
    }

    private static String error(final String message, final DenialReason reason)
    {
        return "{\"error\": " + quote(message) + (reason == null ? "" : ", \"reason\": " + quote(reason.name())) + "}\n";
    }

    static String quote(final String text)
    {
        final StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    private static String endpoint(final InetSocketAddress address)
    {
        return endpoint(address.getAddress(), address.getPort());
    }

    private static String endpoint(final InetAddress address, final int port)
    {
        return address.getHostAddress() + ":" + port;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Query arguments
    // ------------------------------------------------------------------------------------------------------------

    private static Map<String, String> query(final String rawQuery)
    {
        final Map<String, String> query = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty())
        {
            for (final String pair : rawQuery.split("&"))
            {
                final int equals = pair.indexOf('=');
                final String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                final String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (query.put(key, value) != null)
                {
                    throw new IllegalArgumentException(key + " given twice");
                }
            }
        }
        return query;
    }

    private static String required(final Map<String, String> query, final String key)
    {
        final String value = query.get(key);
        if (value == null || value.isEmpty())
        {
            throw new IllegalArgumentException(key + " is needed");
        }
        return value;
    }

    private static long number(final Map<String, String> query, final String key)
    {
        final String value = required(query, key);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " must be a number, not " + value, ex);
        }
    }

    private static int protocol(final String name)
    {
        return switch (name)
        {
            case "tcp" -> Ipv4Protocols.TCP;
            case "udp" -> Ipv4Protocols.UDP;
            default -> throw new IllegalArgumentException("protocol must be tcp or udp, not " + name);
        };
    }

    /**
     * @return an IPv4 address, with a port when given as {@code address:port} (else 0).
     */
    private static InetSocketAddress endpoint(final String text)
    {
        return text.indexOf(':') < 0 ? new Ipv4Endpoint(Ipv4.parse(text), 0).toSocketAddress() :
            Ipv4Endpoint.parse(text, 0).toSocketAddress();
    }

    private static String ipv4(final String text)
    {
        return Ipv4.toString(Ipv4.parse(text));
    }
}
