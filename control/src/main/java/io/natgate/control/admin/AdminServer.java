package io.natgate.control.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.natgate.control.firewall.FirewallAdmin;
import io.natgate.control.cp.ProvidersAdmin;
import io.natgate.control.gateway.Gateway;
import io.natgate.control.config.ConfigException;
import io.natgate.control.gateway.MappingView;
import io.natgate.control.gateway.ReloadResult;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin endpoint (loopback by default): {@code /metrics} in the Prometheus text format,
 * {@code /sessions}, {@code /clients} and {@code /summary} ({@link SessionsAdmin}) and {@code /mappings} as JSON,
 * {@code /healthz}, and the firewall's sessions under
 * {@code /firewall/} ({@link FirewallAdmin}). It reads the worker's
 * tables only through the worker ({@link Gateway#sessions}), never directly. It serves on
 * {@value #THREADS} threads with read, write and idle timeouts, so one slow or half-open client
 * cannot keep {@code /healthz} from answering.
 */
public final class AdminServer implements AutoCloseable
{
    public static final int DEFAULT_LIMIT = 10_000;
    /** Threads serving requests: a client that is slow to send (or read) holds one, not the endpoint. */
    public static final int THREADS = 4;
    /** The JDK server's limit on the time to receive a whole request, in seconds (jvm.options sets it). */
    public static final String REQUEST_TIMEOUT_PROPERTY = "sun.net.httpserver.maxReqTime";

    private final HttpServer server;

    private AdminServer(final HttpServer server)
    {
        this.server = server;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot bind.
     */
    public static AdminServer start(final InetSocketAddress address, final Gateway gateway)
    {
        return start(address, gateway, () ->
        {
            throw new IllegalStateException("this gateway has no config file to reload");
        });
    }

    /**
     * Binds and starts serving, {@code POST /reload} reloading the config through {@code reload}.
     *
     * @param reload reloads the config and says what it did; throws {@link ConfigException} for a bad file.
     * @throws IllegalStateException naming the address when it cannot bind.
     */
    public static AdminServer start(
        final InetSocketAddress address, final Gateway gateway, final Supplier<ReloadResult> reload)
    {
        final HttpServer server = listen(address);
        server.createContext("/metrics", exchange -> replyText(exchange, "text/plain; version=0.0.4",
            () -> Metrics.render(gateway) + Metrics.renderExport(gateway.export())));
        final SessionsAdmin tables = new SessionsAdmin(gateway);
        server.createContext(SessionsAdmin.SESSIONS, tables);
        server.createContext(SessionsAdmin.CLIENTS, tables);
        server.createContext(SessionsAdmin.SUMMARY, tables);
        server.createContext("/mappings", exchange -> replyJson(exchange, () ->
            jsonArray(gateway.mappings(limit(exchange.getRequestURI())), MappingView::toJson)));
        server.createContext("/reload", exchange -> reload(exchange, reload));
        server.createContext(ProvidersAdmin.CONTEXT, new ProvidersAdmin(gateway.platform()));
        server.createContext(FirewallAdmin.CONTEXT, new FirewallAdmin(gateway.firewall()));
        server.createContext(io.natgate.control.ha.HaAdmin.CONTEXT, new io.natgate.control.ha.HaAdmin(gateway::ha));
        server.start();
        return new AdminServer(server);
    }

    /**
     * Binds the endpoint with its {@value #THREADS} threads and {@code /healthz}, not started yet: the
     * part that keeps a slow client from blocking the others. Requests are read on those threads; the
     * JDK server closes a connection whose request is not in after {@code sun.net.httpserver.maxReqTime}
     * seconds, whose response is not out after {@code maxRspTime}, idle after {@code idleInterval}
     * (set in jvm.options, read once when the JDK's server class loads; see {@link #REQUEST_TIMEOUT_PROPERTY}).
     */
    static HttpServer listen(final InetSocketAddress address)
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(address, 64);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("admin endpoint cannot bind " + address.getHostString() + ":" +
                address.getPort() + ": " + ex.getMessage(), ex);
        }
        final AtomicInteger threadNumber = new AtomicInteger();
        server.setExecutor(Executors.newFixedThreadPool(THREADS, runnable ->
        {
            final Thread thread = new Thread(runnable, "natgate-admin-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/healthz", exchange -> reply(exchange, 200, "text/plain", "ok\n"));
        return server;
    }

    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    static int limit(final URI uri)
    {
        final String query = uri.getRawQuery();
        if (query != null)
        {
            for (final String pair : query.split("&"))
            {
                if (pair.startsWith("limit="))
                {
                    try
                    {
                        return Math.max(0, Integer.parseInt(pair.substring(6)));
                    }
                    catch (final NumberFormatException ignore)
                    {
                        return DEFAULT_LIMIT;
                    }
                }
            }
        }
        return DEFAULT_LIMIT;
    }

    private static <T> String jsonArray(final List<T> items, final Function<T, String> toJson)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++)
        {
            json.append(i == 0 ? "\n" : ",\n").append(toJson.apply(items.get(i)));
        }
        return json.append("\n]\n").toString();
    }

    /**
     * {@code POST /reload}: 200 with what changed and what needs a restart; 400 naming file, line, key and value
     * when the file is refused (the running config untouched).
     */
    private static void reload(final HttpExchange exchange, final Supplier<ReloadResult> reload) throws IOException
    {
        if (!"POST".equals(exchange.getRequestMethod()))
        {
            reply(exchange, 405, "application/json", "{\"error\": \"POST /reload reloads the config\"}\n");
            return;
        }
        try
        {
            reply(exchange, 200, "application/json", reload.get().toJson() + "\n");
        }
        catch (final ConfigException | IllegalArgumentException ex)
        {
            reply(exchange, 400, "application/json", "{\"error\": " + JsonText.quote(
                "config refused, nothing changed: " + ex.getMessage()) + "}\n");
        }
        catch (final RuntimeException ex)
        {
            reply(exchange, 503, "application/json", "{\"error\": " + JsonText.quote(String.valueOf(ex.getMessage())) +
                "}\n");
        }
    }

    /**
     * Replies with the JSON, or 503 with the reason when the worker could not answer.
     */
    private static void replyJson(final HttpExchange exchange, final Supplier<String> json) throws IOException
    {
        final String body;
        try
        {
            body = json.get();
        }
        catch (final RuntimeException ex)
        {
            reply(exchange, 503, "text/plain", ex.getMessage() + "\n");
            return;
        }
        reply(exchange, 200, "application/json", body);
    }

    /**
     * Replies with the text, or 503 with the reason when the worker could not answer.
     */
    private static void replyText(final HttpExchange exchange, final String type, final Supplier<String> text)
        throws IOException
    {
        final String body;
        try
        {
            body = text.get();
        }
        catch (final RuntimeException ex)
        {
            reply(exchange, 503, "text/plain", ex.getMessage() + "\n");
            return;
        }
        reply(exchange, 200, type, body);
    }

    /**
     * Replies; to a HEAD request with the headers only, as HTTP wants (no body, no length mismatch to warn of).
     */
    private static void reply(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(exchange.getRequestMethod()))
        {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
