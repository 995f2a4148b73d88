package io.natgate.control.ha;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.natgate.control.admin.JsonText;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code GET /ha}: the gateway's role, its peer, the replication lag and the last transition, as JSON;
 * {@code ?digests=true} adds the mapping and session digests of its tables (read on the worker).
 */
public final class HaAdmin implements HttpHandler
{
    public static final String CONTEXT = "/ha";

    private final Supplier<HaPair> pair;

    /**
     * @param pair the gateway's pair membership; null (from the supplier) when it runs alone.
     */
    public HaAdmin(final Supplier<HaPair> pair)
    {
        this.pair = pair;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException
    {
        final HaPair ha = pair.get();
        if (ha == null)
        {
            reply(exchange, 404, "{\"error\":" +
                JsonText.quote("this gateway is not one of an HA pair (its config has no ha: section)") + "}");
            return;
        }
        final String status = ha.status().toJson();
        String json = status.substring(0, status.length() - 1) + ",\"announcementsSent\":" + ha.announcementsSent() + "}";
        final String query = exchange.getRequestURI().getQuery();
        if (query != null && query.contains("digests=true"))
        {
            try
            {
                final String[] digests = ha.digests();
                json = json.substring(0, json.length() - 1) + ",\"mappingDigest\":" + JsonText.quote(digests[0]) +
                    ",\"sessionDigest\":" + JsonText.quote(digests[1]) + "}";
            }
            catch (final RuntimeException ex)
            {
                reply(exchange, 503, "{\"error\":" + JsonText.quote(String.valueOf(ex.getMessage())) + "}");
                return;
            }
        }
        reply(exchange, 200, json);
    }

    private static void reply(final HttpExchange exchange, final int status, final String body) throws IOException
    {
        final byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
