package io.natgate.control.cli;

import io.natgate.control.admin.SessionsAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate clients}: each inside host's public ports and sessions against the per-client quotas.
 */
@Command(
    name = "clients",
    mixinStandardHelpOptions = true,
    description = "Lists each inside host of a running gateway that holds public ports or sessions, with the " +
        "per-client quotas they count against (nat.quotas.portsPerClient, nat.quotas.sessionsPerClient; " +
        "unlimited when 0).")
final class ClientsCommand implements Callable<Integer>
{
    @Mixin
    private AdminEndpoint admin;

    @Option(names = "--json", description = "Print the gateway's JSON as it is, one client a line.")
    private boolean json;

    public Integer call()
    {
        return admin.send("GET", SessionsAdmin.CLIENTS, Map.of(), body ->
        {
            @SuppressWarnings("unchecked")
            final List<Map<String, Object>> clients = (List<Map<String, Object>>)body;
            if (json)
            {
                clients.forEach(client -> admin.out().println(SessionsCommand.jsonObject(client)));
                return;
            }
            if (clients.isEmpty())
            {
                admin.out().println("no clients");
                return;
            }
            final List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"INSIDE", "PORTS", "PORT QUOTA", "SESSIONS", "SESSION QUOTA"});
            for (final Map<String, Object> client : clients)
            {
                rows.add(new String[] {(String)client.get("inside"), String.valueOf(client.get("ports")),
                    quota(client.get("portQuota")), String.valueOf(client.get("sessions")),
                    quota(client.get("sessionQuota"))});
            }
            ProfilesCommand.printTable(admin.out(), rows);
        });
    }

    private static String quota(final Object quota)
    {
        return ((Number)quota).intValue() == 0 ? "unlimited" : String.valueOf(quota);
    }
}
