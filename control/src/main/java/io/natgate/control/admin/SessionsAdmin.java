package io.natgate.control.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.natgate.control.gateway.ClientView;
import io.natgate.control.gateway.Gateway;
import io.natgate.control.gateway.SessionQuery;
import io.natgate.control.gateway.SessionView;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The NAT tables on the admin endpoint, as {@code natgate sessions|clients|summary} read them:
 * <ul>
 *   <li>{@code GET /sessions[?inside=A[:P]&public=A:P&remote=A:P&proto=P&state=S&limit=N]}: the matching sessions,
 *   filtered here and streamed as a JSON array, one session a line, as the worker hands them over a chunk at a
 *   time;</li>
 *   <li>{@code DELETE /sessions?FILTERS} (or {@code ?all=true}, the flush): ends them on the worker, journaled,
 *   and answers {@code {"removed": N}};</li>
 *   <li>{@code GET /clients}: each inside host's ports and sessions against the quotas, streamed;</li>
 *   <li>{@code GET /summary}: sessions by protocol and state and each table's use.</li>
 * </ul>
 */
public final class SessionsAdmin implements HttpHandler
{
    public static final String SESSIONS = "/sessions";
    public static final String CLIENTS = "/clients";
    public static final String SUMMARY = "/summary";
    /** The flush: a delete without filters must say it means every session. */
    public static final String ALL = "all";
    public static final String LIMIT = "limit";

    private final Gateway gateway;

    public SessionsAdmin(final Gateway gateway)
    {
        this.gateway = gateway;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        final String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        try
        {
            final Map<String, String> query = QueryString.parse(exchange.getRequestURI().getRawQuery());
            switch (route)
            {
                case "GET " + SESSIONS ->
                {
                    final int limit = limit(query.remove(LIMIT));
                    final SessionQuery filter = SessionQuery.parse(query);
                    stream(exchange, SessionView::toJson, out -> gateway.sessions(filter, limit, out));
                }
                case "DELETE " + SESSIONS ->
                {
                    final boolean all = "true".equals(query.remove(ALL));
                    final SessionQuery filter = SessionQuery.parse(query);
                    if (filter.isAll() && !all)
                    {
                        throw new IllegalArgumentException("a delete names the sessions (inside, public, remote, " +
                            "proto, state); all=true ends every one");
                    }
                    reply(exchange, 200, "{\"removed\":" + gateway.removeSessions(filter) + "}\n");
                }
                case "GET " + CLIENTS -> stream(exchange, ClientView::toJson, gateway::clients);
                case "GET " + SUMMARY -> reply(exchange, 200, gateway.summary().toJson() + "\n");
                default -> reply(exchange, route.endsWith(SESSIONS) || route.endsWith(CLIENTS) ||
                    route.endsWith(SUMMARY) ? 405 : 404, error("no route " + route + " (GET or DELETE " + SESSIONS +
                    ", GET " + CLIENTS + ", GET " + SUMMARY + ")"));
            }
        }
        catch (final IllegalArgumentException ex)
        {
            reply(exchange, 400, error(ex.getMessage()));
        }
        catch (final RuntimeException ex)
        {
            if (exchange.getResponseCode() < 0)
            {
                reply(exchange, 503, error(ex.getMessage()));
            }
            else
            {
                exchange.close(); // mid-stream: the client sees the array cut short
            }
        }
    }

    private static int limit(final String text)
    {
        if (text == null)
        {
            return Integer.MAX_VALUE;
        }
        try
        {
            final int limit = Integer.parseInt(text);
            if (limit >= 0)
            {
                return limit;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // refused below
        }
        throw new IllegalArgumentException(LIMIT + "=" + text + ": not a count");
    }

    /**
     * What writes the chunks: it calls its argument once per chunk.
     */
    @FunctionalInterface
    private interface Source<T>
    {
        void writeTo(java.util.function.Consumer<List<T>> chunks);
    }

    /**
     * Streams a JSON array, each element on its own line, written as each chunk arrives (chunked encoding); the
     * headers go with the first chunk, so a worker that does not answer at all is still a 503.
     */
    private static <T> void stream(final HttpExchange exchange, final Function<T, String> toJson, final Source<T> source)
        throws IOException
    {
        final boolean[] first = {true};
        final OutputStream[] out = new OutputStream[1];
        source.writeTo(chunk ->
        {
            final StringBuilder text = new StringBuilder();
            for (final T item : chunk)
            {
                text.append(first[0] ? "[\n" : ",\n").append(toJson.apply(item));
                first[0] = false;
            }
            write(exchange, out, text.toString());
        });
        write(exchange, out, first[0] ? "[\n]\n" : "\n]\n");
        out[0].close();
    }

    private static void write(final HttpExchange exchange, final OutputStream[] out, final String text)
    {
        try
        {
            if (out[0] == null)
            {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, 0);
                out[0] = exchange.getResponseBody();
            }
            out[0].write(text.getBytes(StandardCharsets.UTF_8));
            out[0].flush();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static String error(final String message)
    {
        return "{\"error\": " + JsonText.quote(message) + "}\n";
    }

    static void reply(final HttpExchange exchange, final int status, final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
