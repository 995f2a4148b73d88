package io.natgate.control.admin;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin endpoint against slow clients, over real loopback sockets: a client that sends half a
 * request and then nothing neither blocks {@code /healthz} nor holds its connection for ever.
 */
@Timeout(60)
class AdminServerTimeoutsTest
{
    private static final Duration HEALTHZ_TIMEOUT = Duration.ofSeconds(2);

    private final List<Socket> slowClients = new ArrayList<>();
    private HttpServer server;

    @AfterEach
    void close() throws IOException
    {
        for (final Socket socket : slowClients)
        {
            socket.close();
        }
        if (server != null)
        {
            server.stop(0);
        }
    }

    @Test
    void shouldAnswerHealthzWhileAClientHoldsAHalfOpenRequest() throws Exception
    {
        final InetSocketAddress address = start();
        halfOpenRequest(address);

        final HttpResponse<String> health = healthz(address);

        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
    }

    @Test
    void shouldAnswerHealthzWhileAsManyHalfOpenRequestsAsItHasThreadsMinusOneWait() throws Exception
    {
        final InetSocketAddress address = start();
        for (int i = 0; i < AdminServer.THREADS - 1; i++)
        {
            halfOpenRequest(address);
        }

        assertEquals(200, healthz(address).statusCode());
    }

    @Test
    void shouldCloseAHalfOpenRequestAfterTheRequestTimeout() throws Exception
    {
        final long requestTimeoutS = Long.getLong(AdminServer.REQUEST_TIMEOUT_PROPERTY, -1);
        assertTrue(requestTimeoutS > 0, AdminServer.REQUEST_TIMEOUT_PROPERTY + " must be set (jvm.options)");
        final InetSocketAddress address = start();
        final Socket slow = halfOpenRequest(address);
        slow.setSoTimeout((int)Duration.ofSeconds(requestTimeoutS + 10).toMillis());
        final long startNs = System.nanoTime();

        final int read = readQuietly(slow.getInputStream());

        final long elapsedMs = Duration.ofNanos(System.nanoTime() - startNs).toMillis();
        assertEquals(-1, read, "the server closes the connection rather than answer half a request");
        assertTrue(elapsedMs <= Duration.ofSeconds(requestTimeoutS + 3).toMillis(), "closed after " + elapsedMs + " ms");
    }

    private InetSocketAddress start()
    {
        server = AdminServer.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.start();
        return server.getAddress();
    }

    /** Sends the request line and one header, never the blank line that ends the headers. */
    private Socket halfOpenRequest(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket(address.getAddress(), address.getPort());
        slowClients.add(socket);
        final OutputStream out = socket.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: natgate\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static HttpResponse<String> healthz(final InetSocketAddress address) throws Exception
    {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(HEALTHZ_TIMEOUT).build())
        {
            return client.send(HttpRequest.newBuilder(URI.create(
                    "http://" + address.getHostString() + ":" + address.getPort() + "/healthz"))
                .timeout(HEALTHZ_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static int readQuietly(final InputStream in)
    {
        try
        {
            return in.read();
        }
        catch (final java.net.SocketException ex)
        {
            return -1; // reset: closed all the same
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
