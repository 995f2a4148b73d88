package io.natgate.control.cli;

import io.natgate.control.admin.JsonText;
import io.natgate.control.admin.SessionsAdmin;
import io.natgate.control.gateway.SessionQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate sessions [delete|flush]}: a running gateway's NAT sessions, as conntrack lists and deletes
 * them, filtered by the gateway ({@code /sessions}).
 */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    description = "Lists a running gateway's NAT sessions that match the filters (all when none is given): " +
        "protocol, inside, public and remote endpoints, state, age, time left, and packets and bytes each way. " +
        "The gateway filters them and streams them as its worker reads its table a chunk at a time.",
    subcommands = {SessionsCommand.Delete.class, SessionsCommand.Flush.class})
final class SessionsCommand implements Callable<Integer>
{
    @Mixin
    private AdminEndpoint admin;

    @Mixin
    private Filters filters;

    @Option(names = "--json", description = "Print the gateway's JSON as it is.")
    private boolean json;

    @Option(names = "--limit", paramLabel = "N", description = "At most N sessions.")
    private Integer limit;

    public Integer call()
    {
        final Map<String, String> query = filters.query();
        if (limit != null)
        {
            query.put(SessionsAdmin.LIMIT, Integer.toString(limit));
        }
        return admin.send("GET", SessionsAdmin.SESSIONS, query, body ->
        {
            @SuppressWarnings("unchecked")
            final List<Map<String, Object>> sessions = (List<Map<String, Object>>)body;
            if (json)
            {
                sessions.forEach(session -> admin.out().println(jsonObject(session)));
                return;
            }
            if (sessions.isEmpty())
            {
                admin.out().println("no sessions" + (query.isEmpty() ? "" : " match"));
                return;
            }
            final List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"PROTO", "INSIDE", "PUBLIC", "REMOTE", "KIND", "STATE", "AGE", "EXPIRES",
                "PKTS OUT", "BYTES OUT", "PKTS IN", "BYTES IN"});
            for (final Map<String, Object> session : sessions)
            {
                rows.add(new String[] {(String)session.get("protocol"), (String)session.get("inside"),
                    (String)session.get("public"), (String)session.get("remote"), (String)session.get("kind"),
                    (String)session.get("state"), seconds(session.get("ageMs")), seconds(session.get("expiresInMs")),
                    String.valueOf(session.get("packetsOut")), String.valueOf(session.get("bytesOut")),
                    String.valueOf(session.get("packetsIn")), String.valueOf(session.get("bytesIn"))});
            }
            ProfilesCommand.printTable(admin.out(), rows);
            admin.out().println(sessions.size() + " session" + (sessions.size() == 1 ? "" : "s"));
        });
    }

    /**
     * @return a flat object of strings and numbers (the gateway's session records) as one line of JSON.
     */
    static String jsonObject(final Map<String, Object> object)
    {
        final StringBuilder json = new StringBuilder("{");
        for (final Map.Entry<String, Object> entry : object.entrySet())
        {
            json.append(json.length() == 1 ? "" : ",").append(JsonText.quote(entry.getKey())).append(':');
            json.append(entry.getValue() instanceof Number || entry.getValue() instanceof Boolean ?
                String.valueOf(entry.getValue()) : JsonText.quote(String.valueOf(entry.getValue())));
        }
        return json.append('}').toString();
    }

    static String seconds(final Object milliseconds)
    {
        return ((Number)milliseconds).longValue() / 1000 + "s";
    }

    /**
     * The filters, each the gateway's query parameter of the same name; checked here first so a typo is named
     * before anything is sent.
     */
    static final class Filters
    {
        @Option(names = "--inside", paramLabel = "A[:P]", description = "The inside host, or its endpoint.")
        private String inside;

        @Option(names = "--public", paramLabel = "A[:P]", description = "The public address, or endpoint.")
        private String publicEndpoint;

        @Option(names = "--remote", paramLabel = "A[:P]", description = "The remote host, or endpoint.")
        private String remote;

        @Option(names = "--proto", paramLabel = "P", description = "tcp, udp or icmp.")
        private String protocol;

        @Option(names = "--state", paramLabel = "S",
            description = "active (UDP, ICMP), syn_sent, syn_recv, established, fin_wait, time_wait, close.")
        private String state;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        private CommandLine.Model.CommandSpec spec;

        Map<String, String> query()
        {
            final Map<String, String> query = new LinkedHashMap<>();
            put(query, SessionQuery.INSIDE, inside);
            put(query, SessionQuery.PUBLIC, publicEndpoint);
            put(query, SessionQuery.REMOTE, remote);
            put(query, SessionQuery.PROTO, protocol);
            put(query, SessionQuery.STATE, state);
            try
            {
                return SessionQuery.parse(query).toParameters();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + ex.getMessage());
            }
        }

        private static void put(final Map<String, String> query, final String key, final String value)
        {
            if (value != null)
            {
                query.put(key, value);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Ends the sessions that match the filters (at least one is needed; flush ends all). The " +
            "worker ends each as a command, journaled as removed; a dynamic mapping left without sessions goes " +
            "with it, so the next packet from inside makes a new one and packets from outside are dropped.")
    static final class Delete implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Mixin
        private Filters filters;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        public Integer call()
        {
            final Map<String, String> query = filters.query();
            if (query.isEmpty())
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "name the sessions to delete (--inside, --public, --remote, --proto, --state); " +
                    "natgate sessions flush ends them all");
            }
            return remove(admin, query);
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
        description = "Ends every session (or those the filters match), as delete does.")
    static final class Flush implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Mixin
        private Filters filters;

        public Integer call()
        {
            final Map<String, String> query = filters.query();
            if (query.isEmpty())
            {
                query.put(SessionsAdmin.ALL, "true");
            }
            return remove(admin, query);
        }
    }

    private static int remove(final AdminEndpoint admin, final Map<String, String> query)
    {
        return admin.send("DELETE", SessionsAdmin.SESSIONS, query, body ->
        {
            final Object removed = ((Map<?, ?>)body).get("removed");
            admin.out().println(removed + " session" + ("1".equals(String.valueOf(removed)) ? "" : "s") + " deleted");
        });
    }
}
