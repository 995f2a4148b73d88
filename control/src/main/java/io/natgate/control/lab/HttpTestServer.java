package io.natgate.control.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The lab's small HTTP server ({@code natgate lab http-server}), run in the server namespace and,
 * behind the port forward, in the second client's. {@code GET /} answers with its name and the
 * address the request came from, so a client sees what the NAT made of its address;
 * {@code GET /bytes/N} answers with N bytes, for transfers larger than one segment.
 */
public final class HttpTestServer implements AutoCloseable
{
    /** The first line it prints once it accepts connections. */
    public static final String READY = "natgate lab http-server: listening on ";
    /** Largest {@code /bytes/N}. */
    public static final int MAX_BYTES = 64 << 20;

    private final HttpServer server;
    private final String name;

    private HttpTestServer(final HttpServer server, final String name)
    {
        this.server = server;
        this.name = name;
    }

    /**
     * Starts serving on every address at {@code port}.
     */
    public static HttpTestServer start(final int port, final String name) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
        final HttpTestServer testServer = new HttpTestServer(server, name);
        server.createContext("/", testServer::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return testServer;
    }

    /**
     * @return the body {@code GET /} answers a request from {@code remote} with.
     */
    public static String greeting(final String name, final InetSocketAddress remote)
    {
        return "hello from " + name + "; you are " + remote.getAddress().getHostAddress() + ":" + remote.getPort() +
            "\n";
    }

    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/bytes/"))
            {
                final int length;
                try
                {
                    length = Integer.parseInt(path.substring("/bytes/".length()));
                }
                catch (final NumberFormatException ex)
                {
                    reply(exchange, 400, "not a number of bytes: " + path + "\n");
                    return;
                }
                if (length < 0 || length > MAX_BYTES)
                {
                    reply(exchange, 400, "0 to " + MAX_BYTES + " bytes\n");
                    return;
                }
                exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
                final byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < chunk.length; i++)
                {
                    chunk[i] = (byte)('a' + i % 26);
                }
                try (OutputStream body = exchange.getResponseBody())
                {
                    for (int left = length; left > 0; left -= chunk.length)
                    {
                        body.write(chunk, 0, Math.min(left, chunk.length));
                    }
                }
                return;
            }
            reply(exchange, 200, greeting(name, exchange.getRemoteAddress()));
        }
    }

    private static void reply(final HttpExchange exchange, final int status, final String text) throws IOException
    {
        final byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }
}
