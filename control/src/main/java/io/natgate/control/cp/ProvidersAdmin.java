package io.natgate.control.cp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The admin endpoint's {@code GET /providers}: the platform's instances as a JSON array.
 */
public final class ProvidersAdmin implements HttpHandler
{
    public static final String CONTEXT = "/providers";

    private final ConnectivityPlatform platform;

    public ProvidersAdmin(final ConnectivityPlatform platform)
    {
        this.platform = platform;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        final int status;
        final String body;
        if (!"GET".equals(exchange.getRequestMethod()))
        {
            status = 405;
            body = "{\"error\":\"GET only\"}";
        }
        else
        {
            final List<InstanceView> instances = platform.instances();
            final StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < instances.size(); i++)
            {
                json.append(i == 0 ? "\n" : ",\n").append(toJson(instances.get(i)));
            }
            status = 200;
            body = json.append("\n]\n").toString();
        }
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    static String toJson(final InstanceView instance)
    {
        final StringBuilder routes = new StringBuilder("[");
        for (int i = 0; i < instance.routes().size(); i++)
        {
            routes.append(i == 0 ? "\"" : ",\"").append(instance.routes().get(i)).append('"');
        }
        return "{\"id\":" + instance.instanceId() + ",\"name\":\"" + jsonEscape(instance.friendlyName()) +
            "\",\"interfaceId\":" + instance.interfaceId() + ",\"state\":\"" + instance.state() + "\",\"reason\":" +
            (instance.terminationReason() == null ? "null" : "\"" + instance.terminationReason() + "\"") +
            ",\"port\":" + (instance.portName() == null ? "null" : "\"" + instance.portName() + "\"") +
            ",\"routes\":" + routes.append(']') + ",\"outstandingCalls\":" + instance.outstandingCalls() +
            ",\"sent\":" + instance.packetsSent() + ",\"received\":" + instance.packetsReceived() +
            ",\"dropped\":" + instance.packetsDropped() + "}";
    }

    private static String jsonEscape(final String text)
    {
        if (text == null)
        {
            return "";
        }
        final StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                escaped.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                escaped.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

}
