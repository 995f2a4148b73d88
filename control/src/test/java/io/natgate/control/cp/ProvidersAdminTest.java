package io.natgate.control.cp;

import com.sun.net.httpserver.HttpServer;
import io.natgate.control.cli.Natgate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code natgate providers list} against the admin endpoint's {@code /providers} route.
 */
class ProvidersAdminTest
{
    private final CpHarness cp = new CpHarness();
    private HttpServer server;

    @AfterEach
    void close()
    {
        if (server != null)
        {
            server.stop(0);
        }
        cp.close();
    }

    private String list() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext(ProvidersAdmin.CONTEXT, new ProvidersAdmin(cp.platform));
        server.start();
        final CommandLine commandLine = Natgate.newCommandLine();
        final StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        final int status = commandLine.execute(
            "providers", "list", "--admin", "127.0.0.1:" + server.getAddress().getPort());
        assertEquals(0, status, out.toString());
        return out.toString();
    }

    @Test
    void shouldListRegisteredInstancesWithTheirInterfaceNameStateAndRoutes() throws IOException
    {
        final ProviderInstance instance = cp.routed(new TestProvider(), CpHarness.TEST_NET_1);

        final String text = list();

        assertTrue(text.contains("Connectivity Platform Adapter #1"), text);
        assertTrue(text.contains("ACTIVE"), text);
        assertTrue(text.contains("192.0.2.0/24"), text);
        assertTrue(cp.platform.instances().stream().anyMatch(view -> view.state() == InstanceState.ACTIVE), instance + "");
    }

    @Test
    void shouldSaySoWhenThereAreNoInstances() throws IOException
    {
        assertTrue(list().contains("no provider instances"));
    }
}
