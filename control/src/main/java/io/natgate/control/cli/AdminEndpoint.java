package io.natgate.control.cli;

import io.natgate.control.config.ConfigLoader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The admin endpoint option and the HTTP round trip every subcommand shares.
 */
public final class AdminEndpoint
{
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
        description = "The gateway's admin endpoint (default: ${DEFAULT-VALUE}).")
    private String address = ConfigLoader.ADMIN_ADDRESS_DEFAULT;

    /**
     * @return the name of the command group the errors speak for, e.g. "natgate firewall".
     */
    private String groupName()
    {
        CommandLine.Model.CommandSpec group = spec;
        while (group.parent() != null && group.parent().parent() != null)
        {
            group = group.parent();
        }
        return group.qualifiedName();
    }

    CommandLine commandLine()
    {
        return spec.commandLine();
    }

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    /**
     * @return 0 when the gateway answered 2xx (after handing the parsed body on), 1 otherwise.
     */
    int send(final String method, final String path, final Map<String, String> query,
        final Consumer<Object> onSuccess)
    {
        final StringBuilder uri = new StringBuilder("http://").append(address).append(path);
        char separator = '?';
        for (final Map.Entry<String, String> entry : query.entrySet())
        {
            uri.append(separator).append(entry.getKey()).append('=')
                .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        final PrintWriter err = spec.commandLine().getErr();
        final HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            response = client.send(HttpRequest.newBuilder(URI.create(uri.toString()))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final ConnectException ex)
        {
            err.println(groupName() + ": no gateway answers at " + address +
                " (is natgate run going? --admin sets the address)");
            return 1;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            err.println(groupName() + ": " + address + ": " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        final Object body = new Yaml(new SafeConstructor(new LoaderOptions())).load(response.body());
        if (response.statusCode() / 100 != 2)
        {
            @SuppressWarnings("unchecked")
        final Map<String, Object> error = body instanceof Map ? (Map<String, Object>)body : Map.of("error", response.body());
            err.println(groupName() + ": " + error.get("error"));
            return 1;
        }
        onSuccess.accept(body);
        out().flush();
        return 0;
    }
}
